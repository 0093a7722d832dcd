//! `queue-processor` (deployed as `revops-webhook`): SQS batches through the processor.
//! It asks the agent through the wrapper function (`MANAGER_AGENT_FUNCTION_NAME`) or
//! straight through Bedrock (`BEDROCK_AGENT_ID`), delivers with retries that fit in the
//! invocation's remaining time, sends longer ones back to SQS with a delay, and answers
//! with `batchItemFailures`.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{LambdaEvent, service_fn};
use revops_aws::{AwsClients, DynamoStore, S3Archive, SqsQueue};
use revops_bedrock::BedrockAgent;
use revops_core::{
    SystemClock,
    config::{ConfigError, Env, PipelineSettings},
    flows::{Processor, ProcessorConfig, ProcessorPorts},
    ports::{Agent, ArchiveError, ConversationArchive, ConversationRecord},
};
use revops_delivery::{AddressGuard, HttpDeliverer, HttpDelivererConfig};
use revops_functions::{
    batch::handle_batch,
    lambda_agent::LambdaAgent,
    settings::{AgentRoute, DEADLINE_MARGIN, Resources, processor_concurrency},
    telemetry::LambdaTelemetry,
};
use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tracing::Instrument;

/// An archive that keeps nothing, for a processor with no `CONVERSATION_BUCKET`.
struct NoArchive;

#[async_trait::async_trait]
impl ConversationArchive for NoArchive {
    async fn export(&self, _conversation: &ConversationRecord) -> Result<(), ArchiveError> {
        Ok(())
    }
}

/// Everything built once per container.
struct Handler {
    ports: ProcessorPorts,
    config: ProcessorConfig,
    queue: SqsQueue,
    concurrency: usize,
    telemetry: LambdaTelemetry,
}

impl Handler {
    async fn build(telemetry: LambdaTelemetry) -> Result<Self, lambda_runtime::Error> {
        let env = Env::process();
        let resources = Resources::from_env(&env)?;
        let pipeline = PipelineSettings::from_env(&env, 60)?;
        if pipeline.targets.is_empty() {
            return Err(
                ConfigError::new("WEBHOOK_URL", "must be set (or the per-category URLs)").into(),
            );
        }
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let clients = AwsClients::from_sdk_config(&sdk);
        let agent: Arc<dyn Agent> = match AgentRoute::from_env(&env)? {
            AgentRoute::Bedrock => Arc::new(BedrockAgent::new(
                &sdk,
                revops_bedrock::BedrockAgentConfig::from_env()?,
            )),
            AgentRoute::WrapperFunction(name) => {
                Arc::new(LambdaAgent::new(aws_sdk_lambda::Client::new(&sdk), name))
            }
        };
        let archive: Arc<dyn ConversationArchive> = match env.get("CONVERSATION_BUCKET") {
            Some(bucket) => Arc::new(S3Archive::new(clients.s3.clone(), bucket)),
            None => Arc::new(NoArchive),
        };
        let mut queue = SqsQueue::new(clients.sqs, resources.queue_url);
        if let Some(dlq) = resources.dead_letter_queue_url {
            queue = queue.with_dead_letter_queue(dlq);
        }
        let guard = AddressGuard::configured(
            AddressGuard::lambda_default(),
            pipeline.allowed_networks.as_deref(),
            pipeline.allow_http,
        )
        .map_err(|e| ConfigError::new("WEBHOOK_ALLOWED_NETWORKS", e.to_string()))?;
        let deliverer = HttpDeliverer::new(HttpDelivererConfig {
            signer: pipeline.signer.clone(),
            attempt_timeout: pipeline.attempt_timeout,
            guard,
            ..HttpDelivererConfig::default()
        })?;
        let lease = env.seconds("PROCESSOR_LEASE", 960)?;
        Ok(Self {
            ports: ProcessorPorts {
                agent,
                deliverer: Arc::new(deliverer),
                store: Arc::new(DynamoStore::new(clients.dynamodb, resources.tracking_table)),
                queue: Arc::new(queue.clone()),
                archive,
                clock: Arc::new(SystemClock),
                telemetry: telemetry.handle.clone(),
            },
            config: ProcessorConfig {
                agent_policy: pipeline.agent_policy,
                delivery_policy: pipeline.delivery_policy,
                inline_retry_budget: pipeline.inline_retry_budget,
                agent_backoff: pipeline.agent_backoff,
                lease,
                targets: pipeline.targets,
            },
            queue,
            concurrency: processor_concurrency(&env)?,
            telemetry,
        })
    }

    /// One invocation: inline retries may use the time left, less a margin.
    async fn invoke(&self, event: LambdaEvent<SqsEvent>) -> SqsBatchResponse {
        let deadline = UNIX_EPOCH + Duration::from_millis(event.context.deadline);
        let remaining = deadline
            .duration_since(SystemTime::now())
            .unwrap_or_default()
            .saturating_sub(DEADLINE_MARGIN);
        let mut config = self.config.clone();
        config.inline_retry_budget = config.inline_retry_budget.min(remaining);
        let processor = Processor::new(self.ports.clone(), config);
        let span = tracing::info_span!(
            "invoke",
            otel.name = "revops-webhook invoke",
            otel.kind = "server",
            faas.trigger = "pubsub",
            faas.invocation_id = %event.context.request_id,
            messaging.batch.message_count = event.payload.records.len(),
        );
        let response = handle_batch(&processor, &self.queue, event.payload, self.concurrency)
            .instrument(span)
            .await;
        self.telemetry.flush().await;
        response
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let telemetry = LambdaTelemetry::init("processor")?;
    let handler = Arc::new(Handler::build(telemetry).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let handler = handler.clone();
        async move { Ok::<_, lambda_runtime::Error>(handler.invoke(event).await) }
    }))
    .await
}
