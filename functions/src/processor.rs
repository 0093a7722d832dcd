//! The `queue-processor` function's handler: SQS batches through the processor. It asks
//! the agent through the wrapper function (`MANAGER_AGENT_FUNCTION_NAME`) or straight
//! through Bedrock (`BEDROCK_AGENT_ID`), delivers with retries that fit in the
//! invocation's remaining time, sends longer ones back to SQS with a delay, and answers
//! with `batchItemFailures`.

use crate::{
    assembly::AwsPipeline,
    batch::{handle_batch, single_tracking_id},
    lambda_agent::LambdaAgent,
    runtime::Invocation,
    settings::{AgentRoute, processor_concurrency, time_left},
    telemetry::LambdaTelemetry,
};
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use revops_agent_wrapper::{BedrockAgent, BedrockAgentConfig};
use revops_aws::{S3Archive, SqsQueue};
use revops_core::{
    config::{ConfigError, Env, Host, PipelineSettings},
    flows::{Processor, ProcessorParts},
    ports::{Agent, ConversationArchive, NoArchive},
};
use revops_delivery::HttpDeliverer;
use revops_telemetry::propagation::{self, InvocationTrace};
use std::sync::Arc;
use tracing::Instrument;

/// Everything built once per container.
pub struct QueueProcessor {
    processor: Processor,
    queue: SqsQueue,
    concurrency: usize,
    telemetry: LambdaTelemetry,
}

impl QueueProcessor {
    /// Reads the configuration from `env`, naming what is missing or wrong, and builds
    /// the clients and the processor once.
    pub async fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        telemetry: LambdaTelemetry,
    ) -> Result<Self, lambda_runtime::Error> {
        let settings = PipelineSettings::from_env(env, Host::Lambda)?;
        if settings.targets.is_empty() {
            return Err(
                ConfigError::new("WEBHOOK_URL", "must be set (or the per-category URLs)").into(),
            );
        }
        let aws = AwsPipeline::from_env(env, &telemetry).await?;
        let agent: Arc<dyn Agent> = match AgentRoute::from_env(env)? {
            AgentRoute::Bedrock => {
                Arc::new(BedrockAgent::new(&aws.sdk, BedrockAgentConfig::from_env()?))
            }
            AgentRoute::WrapperFunction(name) => Arc::new(LambdaAgent::new(
                aws_sdk_lambda::Client::new(&aws.sdk),
                name,
            )),
        };
        let archive: Arc<dyn ConversationArchive> = match env.get("CONVERSATION_BUCKET") {
            Some(bucket) => Arc::new(S3Archive::new(aws.clients.s3.clone(), bucket)),
            None => Arc::new(NoArchive),
        };
        let processor = aws.pipeline.processor(
            &settings,
            ProcessorParts {
                agent,
                deliverer: Arc::new(HttpDeliverer::from_settings(&settings)?),
                consumer: Arc::new(aws.consumer.clone()),
                archive,
                receivers: aws.receivers.clone(),
                lease: env.seconds("PROCESSOR_LEASE", 960)?,
            },
        );
        Ok(Self {
            processor,
            queue: aws.consumer,
            concurrency: processor_concurrency(env)?,
            telemetry,
        })
    }
}

#[async_trait::async_trait]
impl Invocation for QueueProcessor {
    type Event = SqsEvent;
    type Response = SqsBatchResponse;

    /// One invocation: inline retries may use the time left, less a margin.
    async fn invoke(&self, event: LambdaEvent<SqsEvent>) -> SqsBatchResponse {
        let processor = self.processor.within(time_left(&event.context));
        let span = tracing::info_span!(
            "invoke",
            otel.name = "revops-webhook invoke",
            otel.kind = "server",
            faas.trigger = "pubsub",
            faas.invocation_id = %event.context.request_id,
            messaging.batch.message_count = event.payload.records.len(),
            revops.tracking_id = tracing::field::Empty,
            trace_id = tracing::field::Empty,
        );
        let invocation = event.context.xray_trace_id.clone().map(InvocationTrace);
        let tracking_id = single_tracking_id(&event.payload);
        propagation::continue_span(
            &span,
            invocation.as_ref(),
            std::iter::empty::<(&str, &str)>(),
            tracking_id.as_deref(),
        );
        let response = handle_batch(&processor, &self.queue, event.payload, self.concurrency)
            .instrument(span)
            .await;
        self.telemetry.flush().await;
        response
    }
}
