//! Which agent to ask and how long one call may take, from the environment or in code.
//!
//! Region, endpoint and credentials are not here: they come from the standard AWS
//! configuration (`AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`,
//! the credential chain), loaded by [`crate::BedrockAgent::from_env`].

use std::time::Duration;

/// The variable naming the agent (the seeds' name).
pub const AGENT_ID_VAR: &str = "BEDROCK_AGENT_ID";

/// The variable naming the agent's alias (the seeds' name).
pub const AGENT_ALIAS_ID_VAR: &str = "BEDROCK_AGENT_ALIAS_ID";

/// The variable giving one call's time limit, in seconds (optional).
pub const CALL_TIMEOUT_VAR: &str = "BEDROCK_AGENT_CALL_TIMEOUT";

/// The variable that turns Bedrock's orchestration trace off (`off`) or on (`on`, the
/// default): with it on, the agent's steps become spans.
pub const TRACE_VAR: &str = "BEDROCK_AGENT_TRACE";

/// One call's time limit unless configured: two minutes, stream included.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// A configuration value that is missing or wrong. It names the variable and never
/// shows a secret (none of these values is one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is not set or is empty.
    #[error("{0} is not set (it names the Bedrock agent to ask)")]
    Missing(&'static str),
    /// A variable is set to something unusable.
    #[error("{name} is invalid: {problem}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// The agent to ask and one call's time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedrockAgentConfig {
    agent_id: String,
    agent_alias_id: String,
    call_timeout: Duration,
    trace: bool,
}

impl BedrockAgentConfig {
    /// The agent `agent_id` through alias `agent_alias_id`, with the default time limit.
    ///
    /// Both must be non-empty and alphanumeric, as Bedrock's ids are.
    pub fn new(
        agent_id: impl Into<String>,
        agent_alias_id: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            agent_id: checked_id(AGENT_ID_VAR, agent_id.into())?,
            agent_alias_id: checked_id(AGENT_ALIAS_ID_VAR, agent_alias_id.into())?,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            trace: true,
        })
    }

    /// The same configuration with Bedrock's orchestration trace on or off.
    pub fn with_trace(self, trace: bool) -> Self {
        Self { trace, ..self }
    }

    /// The same configuration with another time limit per call.
    pub fn with_call_timeout(self, call_timeout: Duration) -> Self {
        Self {
            call_timeout,
            ..self
        }
    }

    /// Reads [`AGENT_ID_VAR`], [`AGENT_ALIAS_ID_VAR`] and [`CALL_TIMEOUT_VAR`] from the
    /// process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the same variables through `lookup`, for tests and other sources.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let config = Self::new(required(AGENT_ID_VAR)?, required(AGENT_ALIAS_ID_VAR)?)?;
        let config = match lookup(CALL_TIMEOUT_VAR).filter(|value| !value.trim().is_empty()) {
            None => config,
            Some(value) => config.with_call_timeout(parse_timeout(&value)?),
        };
        let trace = match lookup(TRACE_VAR).as_deref().map(str::trim) {
            None | Some("" | "on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: TRACE_VAR,
                    problem: format!("must be \"on\" or \"off\" (got {other:?})"),
                });
            }
        };
        Ok(config.with_trace(trace))
    }

    /// The agent's id.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The alias's id.
    pub fn agent_alias_id(&self) -> &str {
        &self.agent_alias_id
    }

    /// One call's time limit, stream included.
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// Whether Bedrock is asked for its orchestration trace.
    pub fn trace(&self) -> bool {
        self.trace
    }
}

fn checked_id(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::Missing(name));
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ConfigError::Invalid {
            name,
            problem: format!("{value:?} is not a Bedrock id (letters and digits only)"),
        });
    }
    Ok(value)
}

fn parse_timeout(value: &str) -> Result<Duration, ConfigError> {
    let invalid = || ConfigError::Invalid {
        name: CALL_TIMEOUT_VAR,
        problem: format!("{value:?} is not a positive number of seconds"),
    };
    let seconds: f64 = value.trim().parse().map_err(|_| invalid())?;
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|timeout| !timeout.is_zero())
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn reads_the_seed_variables_with_the_default_time_limit() {
        let config = BedrockAgentConfig::from_lookup(lookup(&[
            (AGENT_ID_VAR, "PVWGKOWSOT"),
            (AGENT_ALIAS_ID_VAR, " TSTALIASID "),
        ]))
        .unwrap();
        assert_eq!(config.agent_id(), "PVWGKOWSOT");
        assert_eq!(config.agent_alias_id(), "TSTALIASID");
        assert_eq!(config.call_timeout(), DEFAULT_CALL_TIMEOUT);
    }

    #[test]
    fn a_time_limit_can_be_configured() {
        let config = BedrockAgentConfig::from_lookup(lookup(&[
            (AGENT_ID_VAR, "PVWGKOWSOT"),
            (AGENT_ALIAS_ID_VAR, "TSTALIASID"),
            (CALL_TIMEOUT_VAR, "2.5"),
        ]))
        .unwrap();
        assert_eq!(config.call_timeout(), Duration::from_millis(2500));
    }

    #[test]
    fn errors_name_the_variable() {
        let missing = BedrockAgentConfig::from_lookup(lookup(&[(AGENT_ID_VAR, "PVWGKOWSOT")]));
        assert_eq!(missing, Err(ConfigError::Missing(AGENT_ALIAS_ID_VAR)));
        let bad_id = BedrockAgentConfig::new("PVWG/../x", "TSTALIASID").unwrap_err();
        assert!(bad_id.to_string().starts_with(AGENT_ID_VAR), "{bad_id}");
        for timeout in ["0", "-3", "soon"] {
            let error = BedrockAgentConfig::from_lookup(lookup(&[
                (AGENT_ID_VAR, "PVWGKOWSOT"),
                (AGENT_ALIAS_ID_VAR, "TSTALIASID"),
                (CALL_TIMEOUT_VAR, timeout),
            ]))
            .unwrap_err();
            assert!(error.to_string().starts_with(CALL_TIMEOUT_VAR), "{error}");
        }
    }
}
