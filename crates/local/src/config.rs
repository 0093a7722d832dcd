//! The local host's configuration: defaults, then the environment (the seeds' variable
//! names where they exist), then command-line flags; checked once at start, each error
//! naming the variable and what is wrong with it.

use crate::disk_space;
pub use revops_core::config::ConfigError;
use revops_core::config::{Env, Host, PipelineSettings};
use revops_gateway::{auth::InboundAuthSettings, rate_limit::SourceRateLimit};
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

/// Messages handled at once unless `REVOPS_WORKERS` says otherwise. A worker is a task
/// that mostly waits (on the agent, a receiver or a commit), so many are cheap; with 256,
/// 1000 deliveries to receivers that take 1 s each finish in about 4 s.
pub const DEFAULT_WORKERS: usize = 256;

/// Everything `revops serve` needs to know.
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// `REVOPS_LISTEN`: where the HTTP API listens (`127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// `REVOPS_DATA_DIR`: the database, outbox and metrics (`./.revops`).
    pub data_dir: PathBuf,
    /// `REVOPS_WORKERS`: messages handled at once (256).
    pub workers: usize,
    /// `REVOPS_VISIBILITY_TIMEOUT`: seconds a received message stays hidden (300).
    pub visibility_timeout: Duration,
    /// `REVOPS_SHUTDOWN_GRACE`: seconds shutdown waits for busy workers (30).
    pub shutdown_grace: Duration,
    /// Retries, webhook URLs, secrets and the metrics namespace (inline retry budget
    /// 10 s by default).
    pub pipeline: PipelineSettings,
    /// `INBOUND_AUTH`, `INBOUND_API_KEYS`, `INBOUND_WEBHOOK_SECRET`.
    pub inbound_auth: InboundAuthSettings,
    /// `RATE_LIMIT_PER_SOURCE`, `RATE_LIMIT_BURST`.
    pub rate_limit: Option<Arc<SourceRateLimit>>,
    /// `REVOPS_MIN_FREE_DISK`: below this much free space where the data directory lives,
    /// new requests are refused with `503` (100 MiB; `0` never refuses).
    pub min_free_disk: u64,
    /// `REVOPS_TRACE_STORE`: whether spans and log lines are kept in `<data>/traces`
    /// (`on`, the default, or `off`).
    pub trace_store: bool,
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
        let workers = env.parse(
            "REVOPS_WORKERS",
            DEFAULT_WORKERS,
            "a whole number of workers",
        )?;
        if workers == 0 {
            return Err(ConfigError::new("REVOPS_WORKERS", "must be at least 1"));
        }
        let trace_store = match env.get("REVOPS_TRACE_STORE").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "REVOPS_TRACE_STORE",
                    format!("must be \"on\" or \"off\" (got {other:?})"),
                ));
            }
        };
        let min_free_disk = disk_space::min_free_disk(&env)?;
        Ok(Self {
            listen,
            min_free_disk,
            data_dir,
            trace_store,
            workers,
            visibility_timeout: env.seconds("REVOPS_VISIBILITY_TIMEOUT", 300)?,
            shutdown_grace: env.seconds("REVOPS_SHUTDOWN_GRACE", 30)?,
            pipeline: PipelineSettings::from_env(&env, Host::Local)?,
            inbound_auth: InboundAuthSettings::from_env(&env)?,
            rate_limit: SourceRateLimit::from_env(&env, 0)?.map(Arc::new),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revops_core::retry::RetryPolicy;
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
        assert!(config.pipeline.targets.is_empty());
        assert!(config.pipeline.signer.is_none());
        assert_eq!(
            config.pipeline.delivery_policy,
            RetryPolicy::delivery_default()
        );
        assert_eq!(config.pipeline.attempt_timeout, Duration::from_secs(30));
        assert_eq!(config.pipeline.retention, Duration::from_secs(30 * 86_400));
        assert_eq!(config.min_free_disk, 100 * 1024 * 1024);
        let floor = super::tests::config(&[("REVOPS_MIN_FREE_DISK", "2GB")]).unwrap();
        assert_eq!(floor.min_free_disk, 2_000_000_000);
        let short = super::tests::config(&[("REVOPS_RETENTION", "12h")]).unwrap();
        assert_eq!(short.pipeline.retention, Duration::from_secs(12 * 3600));
        let outlasted = config
            .pipeline
            .agent_backoff
            .outlasts(config.pipeline.max_receives);
        assert!(
            outlasted >= Duration::from_secs(6 * 3600),
            "the defaults dead-letter after {outlasted:?} of agent outage"
        );
    }

    #[test]
    fn errors_name_the_variable_and_never_echo_a_secret() {
        let bad = config(&[("REVOPS_WORKERS", "many")]).unwrap_err();
        assert_eq!(bad.variable, "REVOPS_WORKERS");
        assert!(bad.problem.contains("\"many\""));
        let bad = config(&[("DELIVERY_RETRY_SCHEDULE", "1,x")]).unwrap_err();
        assert_eq!(bad.variable, "DELIVERY_RETRY_SCHEDULE");
        let bad = config(&[("AGENT_RETRY_BACKOFF", "60,3600")]).unwrap_err();
        assert_eq!(bad.variable, "AGENT_RETRY_BACKOFF");
        assert!(bad.problem.contains("900 s"), "{}", bad.problem);
        let bad = config(&[("WEBHOOK_URL", "ftp://x")]).unwrap_err();
        assert_eq!(bad.variable, "WEBHOOK_URL");
        let bad = config(&[("REVOPS_RETENTION", "forever")]).unwrap_err();
        assert_eq!(bad.variable, "REVOPS_RETENTION");
        assert!(bad.problem.contains("30d"), "{}", bad.problem);
        let bad = config(&[("REVOPS_RETENTION", "0s")]).unwrap_err();
        assert_eq!(bad.variable, "REVOPS_RETENTION");
        let bad = config(&[("REVOPS_MIN_FREE_DISK", "lots")]).unwrap_err();
        assert_eq!(bad.variable, "REVOPS_MIN_FREE_DISK");
        assert!(bad.problem.contains("100MiB"), "{}", bad.problem);
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
            config.pipeline.targets.webhook_url.as_deref(),
            Some("http://127.0.0.1:9000/hook")
        );
        assert!(config.pipeline.signer.is_some());
        assert_eq!(config.pipeline.delivery_policy.max_attempts(), 3);
    }
}
