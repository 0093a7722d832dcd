//! The Lambda functions' configuration: the seeds' variable names where they exist
//! (`OUTBOUND_WEBHOOK_QUEUE_URL`, `MANAGER_AGENT_FUNCTION_NAME`, `BEDROCK_AGENT_ID`, …)
//! and new ones, each documented in the README with its default.

use revops_core::config::{ConfigError, Env};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the AWS resources are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// `OUTBOUND_WEBHOOK_QUEUE_URL`: the request queue (the seeds' name for it).
    pub queue_url: String,
    /// `DEAD_LETTER_QUEUE_URL`: its dead-letter queue.
    pub dead_letter_queue_url: Option<String>,
    /// `TRACKING_TABLE_NAME`: the DynamoDB tracking and idempotency table.
    pub tracking_table: String,
}

impl Resources {
    /// Reads the resources every function that touches the pipeline needs.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        Ok(Self {
            queue_url: env.required("OUTBOUND_WEBHOOK_QUEUE_URL", "the request queue's URL")?,
            dead_letter_queue_url: env.get("DEAD_LETTER_QUEUE_URL"),
            tracking_table: env.required("TRACKING_TABLE_NAME", "the DynamoDB tracking table")?,
        })
    }
}

/// How the processor asks the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentRoute {
    /// Through the wrapper function (`MANAGER_AGENT_FUNCTION_NAME`), as the seeds do.
    WrapperFunction(String),
    /// Straight to Bedrock (`BEDROCK_AGENT_ID` set on the processor).
    Bedrock,
}

impl AgentRoute {
    /// Bedrock when `BEDROCK_AGENT_ID` is set, else the wrapper function.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        if env.get("BEDROCK_AGENT_ID").is_some() {
            return Ok(AgentRoute::Bedrock);
        }
        env.required(
            "MANAGER_AGENT_FUNCTION_NAME",
            "the agent wrapper's function name (or set BEDROCK_AGENT_ID)",
        )
        .map(AgentRoute::WrapperFunction)
    }
}

/// `PROCESSOR_CONCURRENCY`: records of one batch handled at once (10).
pub fn processor_concurrency<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
) -> Result<usize, ConfigError> {
    let n = env.parse("PROCESSOR_CONCURRENCY", 10usize, "a whole number")?;
    if n == 0 {
        return Err(ConfigError::new(
            "PROCESSOR_CONCURRENCY",
            "must be at least 1",
        ));
    }
    Ok(n)
}

/// The time kept back from an invocation's deadline for reporting and flushing.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(2);

/// The time an invocation has left for its work: until its deadline, less
/// [`DEADLINE_MARGIN`] (zero when that has passed).
pub fn time_left(context: &lambda_runtime::Context) -> Duration {
    let deadline = UNIX_EPOCH + Duration::from_millis(context.deadline);
    deadline
        .duration_since(SystemTime::now())
        .unwrap_or_default()
        .saturating_sub(DEADLINE_MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> Env<impl Fn(&str) -> Option<String>> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Env(move |name: &str| map.get(name).cloned())
    }

    #[test]
    fn missing_resources_are_named() {
        let error = Resources::from_env(&env(&[])).unwrap_err();
        assert_eq!(error.variable, "OUTBOUND_WEBHOOK_QUEUE_URL");
        let error =
            Resources::from_env(&env(&[("OUTBOUND_WEBHOOK_QUEUE_URL", "http://q")])).unwrap_err();
        assert_eq!(error.variable, "TRACKING_TABLE_NAME");
    }

    #[test]
    fn the_agent_route_follows_the_seeds() {
        assert_eq!(
            AgentRoute::from_env(&env(&[(
                "MANAGER_AGENT_FUNCTION_NAME",
                "revops-manager-agent-wrapper"
            )]))
            .unwrap(),
            AgentRoute::WrapperFunction("revops-manager-agent-wrapper".into())
        );
        assert_eq!(
            AgentRoute::from_env(&env(&[("BEDROCK_AGENT_ID", "PVWGKOWSOT")])).unwrap(),
            AgentRoute::Bedrock
        );
        assert_eq!(
            AgentRoute::from_env(&env(&[])).unwrap_err().variable,
            "MANAGER_AGENT_FUNCTION_NAME"
        );
    }
}
