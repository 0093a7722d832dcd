//! The one place a Lambda function assembles the pipeline: its resources from the
//! environment, the SDK clients (built once per container), the DynamoDB tracking store,
//! the SQS queue's two halves ([`revops_aws::queue_pair`]) and the [`Pipeline`] over them.
//! The gateway takes the producer half, the processor the consumer half.

use crate::{settings::Resources, telemetry::LambdaTelemetry};
use aws_config::SdkConfig;
use revops_aws::{AwsClients, DynamoStore, SqsQueue, queue_pair};
use revops_core::{
    SystemClock,
    config::{ConfigError, Env},
    flows::Pipeline,
    ports::QueueProducer,
};
use std::sync::Arc;

/// A function's pipeline on AWS.
pub struct AwsPipeline {
    /// The loaded AWS configuration, for clients beyond the pipeline's own.
    pub sdk: SdkConfig,
    /// The SDK clients.
    pub clients: AwsClients,
    /// The flows' builder over the DynamoDB store.
    pub pipeline: Pipeline,
    /// The queue's producer half: the record and the message side by side.
    pub producer: Arc<dyn QueueProducer>,
    /// The queue's consumer half.
    pub consumer: SqsQueue,
    /// The receivers' circuits and disabled URLs, on the tracking table.
    pub receivers: Arc<DynamoStore>,
}

impl AwsPipeline {
    /// Reads the resources from `env` (naming any that is missing) and builds the clients
    /// and both queue halves, with `telemetry`'s handle for the flows.
    pub async fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        telemetry: &LambdaTelemetry,
    ) -> Result<Self, ConfigError> {
        let resources = Resources::from_env(env)?;
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let clients = AwsClients::from_sdk_config(&sdk);
        let clock = Arc::new(SystemClock);
        // REVOPS_RETENTION sets the records' DynamoDB TTL, as it sets the local sweep.
        let retention = env.duration("REVOPS_RETENTION", revops_core::config::DEFAULT_RETENTION)?;
        let store = Arc::new(
            DynamoStore::new(clients.dynamodb.clone(), resources.tracking_table)
                .with_retention(retention),
        );
        let (producer, consumer) = queue_pair(
            clients.sqs.clone(),
            &resources.queue_url,
            resources.dead_letter_queue_url.as_deref(),
            store.clone(),
            clock.clone(),
        );
        Ok(Self {
            sdk,
            clients,
            pipeline: Pipeline::new(store.clone(), clock, telemetry.handle.clone()),
            producer: Arc::new(producer),
            consumer,
            receivers: store,
        })
    }
}
