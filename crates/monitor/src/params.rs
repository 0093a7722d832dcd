//! The parameters every definition may name as `${name}`: the stage, region and
//! namespace, the deployed function and queue names, and where alarms send their
//! notifications. Defaults are the names the seeds deploy.

/// The three Lambda functions, by the role each plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionRole {
    /// Takes `POST /webhook` and queues it (`prod-revops-webhook-gateway`).
    Gateway,
    /// Takes queue messages, asks the agent, delivers the webhook (`revops-webhook`).
    Processor,
    /// Calls the Bedrock agent (`revops-manager-agent-wrapper`).
    AgentWrapper,
}

impl FunctionRole {
    /// Every role, in the order dashboards and alarms list them.
    pub const ALL: [FunctionRole; 3] = [
        FunctionRole::Gateway,
        FunctionRole::Processor,
        FunctionRole::AgentWrapper,
    ];

    /// The short key definitions use (`${function_key}`), also the `Service` dimension's value.
    pub fn key(self) -> &'static str {
        match self {
            FunctionRole::Gateway => "gateway",
            FunctionRole::Processor => "processor",
            FunctionRole::AgentWrapper => "agent-wrapper",
        }
    }
}

/// Values for the definitions' `${…}` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Deployment stage (`prod`); alarm names start with `revops-<stage>-`.
    pub stage: String,
    /// AWS region of the dashboards' widgets.
    pub region: String,
    /// The EMF namespace the code writes to.
    pub namespace: String,
    /// SNS topic ARN that alarms notify; `None` only while validating.
    pub alarm_topic_arn: Option<String>,
    /// The gateway function's name.
    pub gateway_function: String,
    /// The processor function's name.
    pub processor_function: String,
    /// The agent wrapper function's name.
    pub agent_function: String,
    /// The request queue's name.
    pub queue: String,
    /// The dead-letter queue's name.
    pub dlq: String,
    /// The functions' timeout in seconds (the "duration near the timeout" alarms).
    pub function_timeout_seconds: u32,
    /// Where the runbook is published; alarm descriptions link `<runbook_url>#<entry>`.
    pub runbook_url: String,
}

/// The SNS topic ARN used while validating without `--alarm-topic-arn`.
pub const PLACEHOLDER_TOPIC_ARN: &str = "arn:aws:sns:us-east-1:000000000000:revops-alarms";

impl Default for Params {
    fn default() -> Self {
        Self {
            stage: "prod".into(),
            region: "us-east-1".into(),
            namespace: "RevOps/WebhookGateway".into(),
            alarm_topic_arn: None,
            gateway_function: "prod-revops-webhook-gateway".into(),
            processor_function: "revops-webhook".into(),
            agent_function: "revops-manager-agent-wrapper".into(),
            queue: "prod-revops-webhook-outbound-queue".into(),
            dlq: "prod-revops-webhook-outbound-dlq".into(),
            function_timeout_seconds: 900,
            runbook_url: "docs/runbook.md".into(),
        }
    }
}

impl Params {
    /// The prefix of every alarm this tool owns: `revops-<stage>-`. Prune deletes only
    /// alarms whose names start with it.
    pub fn alarm_prefix(&self) -> String {
        format!("revops-{}-", self.stage)
    }

    /// The deployed name of a function.
    pub fn function_name(&self, role: FunctionRole) -> &str {
        match role {
            FunctionRole::Gateway => &self.gateway_function,
            FunctionRole::Processor => &self.processor_function,
            FunctionRole::AgentWrapper => &self.agent_function,
        }
    }

    /// The value of the parameter `name`, if there is one.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match name {
            "stage" => self.stage.clone(),
            "region" => self.region.clone(),
            "namespace" => self.namespace.clone(),
            "alarm_topic_arn" => self
                .alarm_topic_arn
                .clone()
                .unwrap_or_else(|| PLACEHOLDER_TOPIC_ARN.to_owned()),
            "alarm_prefix" => self.alarm_prefix(),
            "gateway_function" => self.gateway_function.clone(),
            "processor_function" => self.processor_function.clone(),
            "agent_function" => self.agent_function.clone(),
            "queue" => self.queue.clone(),
            "dlq" => self.dlq.clone(),
            "function_timeout_seconds" => self.function_timeout_seconds.to_string(),
            "runbook_url" => self.runbook_url.clone(),
            _ => return None,
        };
        Some(value)
    }

    /// Every parameter name, for error messages.
    pub const NAMES: &'static [&'static str] = &[
        "stage",
        "region",
        "namespace",
        "alarm_topic_arn",
        "alarm_prefix",
        "gateway_function",
        "processor_function",
        "agent_function",
        "queue",
        "dlq",
        "function_timeout_seconds",
        "runbook_url",
    ];
}
