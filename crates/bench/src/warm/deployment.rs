//! What the warm benchmark runs against: the AWS resources on moto (the request queue,
//! the tracking table, the conversation bucket), the Bedrock stand-in answering at once
//! with a demo-sized answer, a receiver that takes every webhook, and the three functions
//! of one implementation (the Rust binaries, or the Python 3 + boto3 handlers in
//! `crates/bench/python/`) wired as on AWS: the processor invoking the wrapper through a
//! Lambda `Invoke` endpoint.

use revops_aws::{AwsClients, create_table_if_missing, request_key};
use revops_core::TrackingId;
use revops_testkit::{
    LambdaFunction,
    bedrock::{FakeBedrock, Reply},
    invoke_api::LambdaInvokeApi,
    moto, unique,
    webhook::WebhookReceiver,
};
use std::{
    path::{Path, PathBuf},
    time::Duration,
};

/// How long one invocation may take before the run fails.
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The wrapper's function name, as the processor invokes it.
const WRAPPER: &str = "revops-manager-agent-wrapper";

/// The resources one run uses, new on the moto server.
pub struct Resources {
    /// The SDK clients, pointed at moto.
    pub clients: AwsClients,
    /// The request queue's URL.
    pub queue_url: String,
    /// The request queue's ARN.
    pub queue_arn: String,
    table: String,
    bucket: String,
}

impl Resources {
    /// Starts moto (first use) and creates the queue, table and bucket.
    pub async fn create() -> anyhow::Result<Self> {
        tokio::task::spawn_blocking(moto).await?;
        let clients = AwsClients::from_sdk_config(&moto().config().await);
        let queue_url = clients
            .sqs
            .create_queue()
            .queue_name(unique("revops-requests"))
            .send()
            .await?
            .queue_url
            .unwrap_or_default();
        let queue_arn = clients
            .sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .unwrap_or_default();
        let table = unique("revops-tracking");
        create_table_if_missing(&clients.dynamodb, &table).await?;
        let bucket = unique("revops-conversations");
        clients.s3.create_bucket().bucket(&bucket).send().await?;
        Ok(Self {
            clients,
            queue_url,
            queue_arn,
            table,
            bucket,
        })
    }

    /// The size of `tracking_id`'s record as DynamoDB bills it (0 when there is none).
    pub async fn record_bytes(&self, tracking_id: &str) -> anyhow::Result<usize> {
        let key = request_key(&tracking_id.parse::<TrackingId>()?);
        let item = self
            .clients
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .key("pk", key)
            .send()
            .await?
            .item
            .unwrap_or_default();
        Ok(super::item_size::item_bytes(&item))
    }

    /// The variables that point a function at these resources.
    fn env(&self) -> Vec<(String, String)> {
        owned(&[
            ("AWS_ENDPOINT_URL", moto().endpoint()),
            ("OUTBOUND_WEBHOOK_QUEUE_URL", &self.queue_url),
            ("TRACKING_TABLE_NAME", &self.table),
            ("CONVERSATION_BUCKET", &self.bucket),
        ])
    }
}

/// Which functions run.
pub enum Implementation {
    /// The release binaries in this directory.
    Rust(PathBuf),
    /// The Python handlers, run by this launcher ([`python_launcher`]).
    Python(PathBuf),
}

impl Implementation {
    /// Its name in the tables.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Rust(_) => "Rust",
            Self::Python(_) => "Python 3 + boto3",
        }
    }

    /// Starts the function `role` (`webhook-gateway`, `queue-processor`, `agent-wrapper`).
    async fn start(&self, role: &str, name: &str, env: Vec<(String, String)>) -> LambdaFunction {
        match self {
            Self::Rust(release) => LambdaFunction::start(&release.join(role), name, env).await,
            Self::Python(launcher) => {
                let mut env = env;
                env.push((
                    "REVOPS_PYTHON_PROGRAM".to_owned(),
                    crate::python::program(role),
                ));
                LambdaFunction::start(launcher, name, env).await
            }
        }
    }
}

/// Writes, in `dir`, a launcher that runs `python` on the program in
/// `REVOPS_PYTHON_PROGRAM` (the testkit starts a function as one program without
/// arguments); returns its path.
pub fn python_launcher(python: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let launcher = dir.join("python-lambda");
    let script = format!(
        "#!/bin/sh\nexec '{}' -c \"$REVOPS_PYTHON_PROGRAM\"\n",
        python.display()
    );
    std::fs::write(&launcher, script)?;
    std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755))?;
    Ok(launcher)
}

/// One implementation's three functions, with what they talk to.
pub struct Functions {
    /// The gateway.
    pub gateway: LambdaFunction,
    /// The processor.
    pub processor: LambdaFunction,
    /// The agent wrapper (also reachable through `_invoke_api`).
    pub wrapper: LambdaFunction,
    _invoke_api: LambdaInvokeApi,
}

impl Functions {
    /// Starts `implementation`'s functions on `resources`, asking `bedrock`,
    /// delivering to `receiver`, each with the `extra` variables.
    pub async fn start(
        implementation: &Implementation,
        resources: &Resources,
        bedrock: &FakeBedrock,
        receiver: &WebhookReceiver,
        extra: &[(&str, &str)],
    ) -> Self {
        let mut agent = owned(&[
            ("BEDROCK_AGENT_ID", "PVWGKOWSOT"),
            ("BEDROCK_AGENT_ALIAS_ID", "TSTALIASID"),
            ("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &bedrock.url()),
        ]);
        agent.extend(owned(extra));
        let wrapper = implementation.start("agent-wrapper", WRAPPER, agent).await;
        let invoke_api = LambdaInvokeApi::start(
            [(WRAPPER.to_owned(), wrapper.runtime.invoker())],
            INVOKE_TIMEOUT,
        )
        .await;
        let mut gateway_env = resources.env();
        gateway_env.extend(owned(&[
            ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
            ("INBOUND_AUTH", "none"),
        ]));
        gateway_env.extend(owned(extra));
        let gateway = implementation
            .start(
                "webhook-gateway",
                "prod-revops-webhook-gateway",
                gateway_env,
            )
            .await;
        let mut processor_env = resources.env();
        processor_env.extend(owned(&[
            ("WEBHOOK_URL", &receiver.url()),
            // Both implementations sign.
            ("WEBHOOK_SECRET", crate::revops::SECRET),
            ("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8"),
            ("WEBHOOK_ALLOW_HTTP", "true"),
            ("MANAGER_AGENT_FUNCTION_NAME", WRAPPER),
            ("AWS_ENDPOINT_URL_LAMBDA", &invoke_api.url()),
        ]));
        processor_env.extend(owned(extra));
        let processor = implementation
            .start("queue-processor", "revops-webhook", processor_env)
            .await;
        Self {
            gateway,
            processor,
            wrapper,
            _invoke_api: invoke_api,
        }
    }
}

/// The demo-sized answer the Bedrock stand-in gives at once.
pub async fn instant_agent() -> FakeBedrock {
    FakeBedrock::answering(|_| Reply::text(&["**IXIS**", ": Negotiation, closing this quarter."]))
        .await
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
