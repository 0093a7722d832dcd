//! Where the operator's commands act, and how they print. Each takes `--data-dir DIR`
//! (the local host's, whether or not `revops serve` is running on it) or `--aws` (the
//! deployed stage's queue, dead-letter queue and table, named by `--stage` unless named
//! one by one), and `--format text|json`. Both hosts give the same ports, so a command
//! runs one code path on either.

use super::common::usage_error;
use clap::{Args, ValueEnum};
use revops_aws::{AwsClients, DynamoStore, SqsQueue};
use revops_core::{
    Clock, SystemClock,
    flows::Replayer,
    ports::{DeadLetterCopies, QueueSender, ReceiverRegistry, TrackingStore},
};
use std::{path::PathBuf, sync::Arc};

/// Where a command acts.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// The local host's data directory (`revops serve` may be running on it).
    #[arg(long, env = "REVOPS_DATA_DIR", default_value = ".revops")]
    data_dir: PathBuf,
    /// Act on the AWS host instead (AWS_REGION, credentials and AWS_ENDPOINT_URL honoured).
    #[arg(long)]
    aws: bool,
    /// With --aws: the stage, which names the resources `<stage>-revops-webhook-…`.
    #[arg(long, env = "REVOPS_STAGE", default_value = "prod")]
    stage: String,
    /// With --aws: the region [default: the environment's].
    #[arg(long)]
    region: Option<String>,
    /// With --aws: the request queue's name [default: STAGE-revops-webhook-outbound-queue].
    #[arg(long)]
    queue: Option<String>,
    /// With --aws: the dead-letter queue's name [default: STAGE-revops-webhook-outbound-dlq].
    #[arg(long)]
    dlq: Option<String>,
    /// With --aws: the tracking table's name [default: STAGE-revops-webhook-tracking].
    #[arg(long)]
    table: Option<String>,
}

/// The deployed functions' names, as the seeds deployed them.
#[derive(Debug, Clone, Args)]
pub struct FunctionNames {
    /// With --aws: the gateway function [default: STAGE-revops-webhook-gateway].
    #[arg(long)]
    gateway_function: Option<String>,
    /// With --aws: the processor function.
    #[arg(long, default_value = "revops-webhook")]
    processor_function: String,
    /// With --aws: the agent wrapper function.
    #[arg(long, default_value = "revops-manager-agent-wrapper")]
    agent_function: String,
}

impl FunctionNames {
    /// The processor function's name.
    pub fn processor(&self) -> &str {
        &self.processor_function
    }

    /// The three functions' names, in the order a request meets them: gateway,
    /// processor, agent wrapper.
    pub fn all(&self, stage: &str) -> [String; 3] {
        [
            self.gateway_function
                .clone()
                .unwrap_or_else(|| format!("{stage}-revops-webhook-gateway")),
            self.processor_function.clone(),
            self.agent_function.clone(),
        ]
    }
}

/// How a command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// One JSON document, for tools.
    Json,
}

/// A host's ports, as the operator's commands use them.
pub struct HostPorts {
    /// The tracking store.
    pub store: Arc<dyn TrackingStore>,
    /// Puts requests back in line.
    pub replayer: Replayer,
    /// The receivers' circuits and disabled URLs.
    pub receivers: Arc<dyn ReceiverRegistry>,
}

impl HostPorts {
    /// The ports over one host's adapters: a store that also keeps the receivers'
    /// health, and a queue that also holds the dead letters.
    pub(super) fn over<S, Q>(store: Arc<S>, queue: Arc<Q>) -> Self
    where
        S: TrackingStore + ReceiverRegistry,
        Q: QueueSender + DeadLetterCopies,
    {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            replayer: Replayer::new(store.clone(), queue.clone(), queue, clock),
            receivers: store.clone(),
            store,
        }
    }
}

impl HostArgs {
    /// The local data directory, unless the command acts on AWS.
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        (!self.aws).then_some(self.data_dir.as_path())
    }

    /// The X-Ray console's page for the trace `trace_id` (32 hex digits) in this region,
    /// or its trace list when there is none.
    pub fn xray_link(&self, trace_id: Option<&str>) -> String {
        let region = self.region();
        let base = format!(
            "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#xray:traces"
        );
        match trace_id.filter(|id| id.len() == 32) {
            Some(id) => format!("{base}/1-{}-{}", &id[..8], &id[8..]),
            None => base,
        }
    }

    /// The ports of the host named; a data directory with no database, or AWS resource
    /// that does not resolve, is refused as bad input (exit 2) before anything changes.
    pub async fn open(&self) -> anyhow::Result<HostPorts> {
        if self.aws {
            return Ok(self.open_aws().await);
        }
        let Some(handles) = revops_local::operator::open_existing(&self.data_dir)? else {
            usage_error(&format!(
                "no revops data directory at {}: name the one `revops serve` uses with --data-dir (or REVOPS_DATA_DIR), or act on AWS with --aws",
                self.data_dir.display()
            ));
        };
        Ok(HostPorts::over(
            Arc::new(handles.store),
            Arc::new(handles.queue),
        ))
    }

    /// The AWS host's ports, its resources named by `--stage` or one by one.
    async fn open_aws(&self) -> HostPorts {
        let resources = self.aws_resources().await;
        let queue = SqsQueue::new(resources.clients.sqs.clone(), resources.queue_url)
            .with_dead_letter_queue(resources.dead_letter_url);
        HostPorts::over(Arc::new(resources.store), Arc::new(queue))
    }

    /// The AWS region: `--region`, else `AWS_REGION`, else `us-east-1`.
    pub fn region(&self) -> String {
        self.region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok())
            .unwrap_or_else(|| "us-east-1".to_owned())
    }

    /// The request queue's name: `--queue`, else the stage's.
    pub fn queue_name(&self) -> String {
        self.named(self.queue.as_ref(), "outbound-queue")
    }

    /// The dead-letter queue's name: `--dlq`, else the stage's.
    pub fn dlq_name(&self) -> String {
        self.named(self.dlq.as_ref(), "outbound-dlq")
    }

    /// A resource's name: the one given, else the stage's `<stage>-revops-webhook-<suffix>`.
    fn named(&self, name: Option<&String>, suffix: &str) -> String {
        name.cloned()
            .unwrap_or_else(|| format!("{}-revops-webhook-{suffix}", self.stage))
    }

    /// The stage, which names the AWS resources.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// The AWS host's resources, each checked to exist (exit 2 naming the one that does
    /// not).
    pub async fn aws_resources(&self) -> AwsResources {
        let clients = AwsClients::from_env_in(self.region.clone()).await;
        let requests_url = queue_url(&clients, &self.queue_name(), "queue", "--queue").await;
        let dead_letter_url =
            queue_url(&clients, &self.dlq_name(), "dead-letter queue", "--dlq").await;
        let store = DynamoStore::new(
            clients.dynamodb.clone(),
            self.named(self.table.as_ref(), "tracking"),
        );
        if let Err(error) = store.ping().await {
            usage_error(&format!(
                "cannot reach the tracking table {} ({error}): name it with --table or --stage",
                store.table_name()
            ));
        }
        AwsResources {
            clients,
            queue_url: requests_url,
            dead_letter_url,
            store,
        }
    }
}

/// The AWS host's resources, as a command reaches them.
pub struct AwsResources {
    /// The SDK clients.
    pub clients: AwsClients,
    /// The request queue's URL.
    pub queue_url: String,
    /// The dead-letter queue's URL.
    pub dead_letter_url: String,
    /// The tracking store.
    pub store: DynamoStore,
}

/// The URL of the queue `name` (`what`, named by `flag`), or exit 2 naming it.
async fn queue_url(clients: &AwsClients, name: &str, what: &str, flag: &str) -> String {
    match clients.sqs.get_queue_url().queue_name(name).send().await {
        Ok(found) => found.queue_url().unwrap_or_default().to_owned(),
        Err(error) => usage_error(&format!(
            "no {what} {name} ({}): name it with {flag} or --stage",
            revops_aws::describe_error("GetQueueUrl", &error)
        )),
    }
}

/// Who replays, for the timeline: the command and the user running it.
pub fn replayed_by(command: &str) -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|user| !user.is_empty());
    match user {
        Some(user) => format!("{command} (user {user})"),
        None => command.to_owned(),
    }
}
