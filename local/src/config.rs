//! The local host's configuration: defaults, then the environment (the seeds' variable
//! names where they exist), then command-line flags; checked once at start, each error
//! naming the variable and what is wrong with it.

use revops_core::{flows::DeliveryTargets, retry::RetryPolicy, signing::WebhookSigner};
use revops_telemetry::DEFAULT_NAMESPACE;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Everything `revops serve` needs to know.
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// `REVOPS_LISTEN`: where the HTTP API listens (`127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// `REVOPS_DATA_DIR`: the database, outbox and metrics (`./.revops`).
    pub data_dir: PathBuf,
    /// `REVOPS_WORKERS`: messages handled at once (32).
    pub workers: usize,
    /// `REVOPS_MAX_RECEIVES`: receives before a message is dead-lettered (10).
    pub max_receives: u32,
    /// `REVOPS_VISIBILITY_TIMEOUT`: seconds a received message stays hidden (300).
    pub visibility_timeout: Duration,
    /// `REVOPS_SHUTDOWN_GRACE`: seconds shutdown waits for busy workers (30).
    pub shutdown_grace: Duration,
    /// `DELIVERY_RETRY_SCHEDULE`: waits between delivery attempts.
    pub delivery_policy: RetryPolicy,
    /// `DELIVERY_INLINE_RETRY_BUDGET`: the longest wait a worker sits out itself (10 s).
    pub inline_retry_budget: Duration,
    /// `DELIVERY_ATTEMPT_TIMEOUT`: seconds one attempt may take (30).
    pub attempt_timeout: Duration,
    /// `AGENT_RETRY_SCHEDULE`: waits between agent calls (2, 4, 8 s).
    pub agent_policy: RetryPolicy,
    /// `AGENT_RETRY_BACKOFF`: seconds before a message whose agent calls all failed
    /// comes back (60).
    pub agent_backoff: Duration,
    /// `WEBHOOK_URL` and the per-category URLs.
    pub targets: DeliveryTargets,
    /// `WEBHOOK_SECRET`: one or more `whsec_` secrets.
    pub signer: Option<WebhookSigner>,
    /// `REVOPS_METRICS_NAMESPACE`: the EMF namespace (`RevOps/WebhookGateway`).
    pub metrics_namespace: String,
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The variable (or flag) at fault.
    pub variable: String,
    /// What is wrong, never the value of a secret.
    pub problem: String,
}

fn error(variable: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        problem: problem.into(),
    }
}

/// Reads variables from somewhere (the process environment, or a map in tests); empty
/// values count as unset.
struct Env<F>(F);

impl<F: Fn(&str) -> Option<String>> Env<F> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &str,
        default: T,
        what: &str,
    ) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|_| error(name, format!("must be {what} (got {raw:?})"))),
        }
    }

    fn seconds(&self, name: &str, default: u64) -> Result<Duration, ConfigError> {
        match self.get(name) {
            None => Ok(Duration::from_secs(default)),
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .ok_or_else(|| error(name, format!("must be a number of seconds (got {raw:?})"))),
        }
    }

    fn url(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let Some(url) = self.get(name) else {
            return Ok(None);
        };
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !scheme_ok || url.contains(char::is_whitespace) {
            return Err(error(name, "must be an http:// or https:// URL"));
        }
        Ok(Some(url))
    }
}

impl LocalConfig {
    /// The configuration from the process environment.
    pub fn from_process_env() -> Result<Self, ConfigError> {
        Self::from_env(|name| std::env::var(name).ok())
    }

    /// The configuration from `lookup`, a variable's value by name.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(lookup);
        let listen = env.parse(
            "REVOPS_LISTEN",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "an address such as 127.0.0.1:8080",
        )?;
        let data_dir = env
            .get("REVOPS_DATA_DIR")
            .map_or_else(|| PathBuf::from(".revops"), PathBuf::from);
        let workers = env.parse("REVOPS_WORKERS", 32usize, "a whole number of workers")?;
        if workers == 0 {
            return Err(error("REVOPS_WORKERS", "must be at least 1"));
        }
        let max_receives = env.parse("REVOPS_MAX_RECEIVES", 10u32, "a whole number")?;
        if max_receives == 0 {
            return Err(error("REVOPS_MAX_RECEIVES", "must be at least 1"));
        }
        let delivery_policy = match env.get("DELIVERY_RETRY_SCHEDULE") {
            None => RetryPolicy::delivery_default(),
            Some(raw) => RetryPolicy::delivery_default()
                .with_schedule(&raw)
                .map_err(|e| error("DELIVERY_RETRY_SCHEDULE", e.to_string()))?,
        };
        let agent_policy = match env.get("AGENT_RETRY_SCHEDULE") {
            None => RetryPolicy::agent_default(),
            Some(raw) => RetryPolicy::agent_default()
                .with_schedule(&raw)
                .map_err(|e| error("AGENT_RETRY_SCHEDULE", e.to_string()))?,
        };
        let targets = DeliveryTargets {
            webhook_url: env.url("WEBHOOK_URL")?,
            deal_analysis: env.url("DEAL_ANALYSIS_WEBHOOK_URL")?,
            data_analysis: env.url("DATA_ANALYSIS_WEBHOOK_URL")?,
            lead_analysis: env.url("LEAD_ANALYSIS_WEBHOOK_URL")?,
            general: env.url("GENERAL_WEBHOOK_URL")?,
        };
        let signer = env
            .get("WEBHOOK_SECRET")
            .map(|raw| WebhookSigner::parse(&raw))
            .transpose()
            .map_err(|e| error("WEBHOOK_SECRET", e.to_string()))?;
        Ok(Self {
            listen,
            data_dir,
            workers,
            max_receives,
            visibility_timeout: env.seconds("REVOPS_VISIBILITY_TIMEOUT", 300)?,
            shutdown_grace: env.seconds("REVOPS_SHUTDOWN_GRACE", 30)?,
            delivery_policy,
            inline_retry_budget: env.seconds("DELIVERY_INLINE_RETRY_BUDGET", 10)?,
            attempt_timeout: env.seconds("DELIVERY_ATTEMPT_TIMEOUT", 30)?,
            agent_policy,
            agent_backoff: env.seconds("AGENT_RETRY_BACKOFF", 60)?,
            targets,
            signer,
            metrics_namespace: env
                .get("REVOPS_METRICS_NAMESPACE")
                .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<LocalConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        LocalConfig::from_env(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let config = config(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from(".revops"));
        assert!(config.targets.is_empty());
        assert!(config.signer.is_none());
        assert_eq!(config.delivery_policy, RetryPolicy::delivery_default());
        assert_eq!(config.attempt_timeout, Duration::from_secs(30));
    }

    #[test]
    fn errors_name_the_variable_and_never_echo_a_secret() {
        let bad = config(&[("REVOPS_WORKERS", "many")]).unwrap_err();
        assert_eq!(bad.variable, "REVOPS_WORKERS");
        assert!(bad.problem.contains("\"many\""));
        let bad = config(&[("DELIVERY_RETRY_SCHEDULE", "1,x")]).unwrap_err();
        assert_eq!(bad.variable, "DELIVERY_RETRY_SCHEDULE");
        let bad = config(&[("WEBHOOK_URL", "ftp://x")]).unwrap_err();
        assert_eq!(bad.variable, "WEBHOOK_URL");
        let bad = config(&[("WEBHOOK_SECRET", "hunter2")]).unwrap_err();
        assert_eq!(bad.variable, "WEBHOOK_SECRET");
        assert!(!bad.to_string().contains("hunter2"));
    }

    #[test]
    fn the_seeds_variables_are_read() {
        let config = config(&[
            ("WEBHOOK_URL", "http://127.0.0.1:9000/hook"),
            ("WEBHOOK_SECRET", "whsec_c2VjcmV0"),
            ("DELIVERY_RETRY_SCHEDULE", "0.1,0.2"),
        ])
        .unwrap();
        assert_eq!(
            config.targets.webhook_url.as_deref(),
            Some("http://127.0.0.1:9000/hook")
        );
        assert!(config.signer.is_some());
        assert_eq!(config.delivery_policy.max_attempts(), 3);
    }
}
