//! Configuration from the environment, shared by both hosts: a reader that names the
//! variable in every error (and never echoes a secret), and the settings every
//! processor needs (retry schedules, webhook URLs, signing secrets).

use crate::{
    Category,
    flows::{DeliveryTargets, routing::url_variable},
    ports::BreakerPolicy,
    retry::{ReceiveBackoff, RetryPolicy},
    signing::WebhookSigner,
};
use std::time::Duration;

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The variable (or flag) at fault.
    pub variable: String,
    /// What is wrong, never the value of a secret.
    pub problem: String,
}

impl ConfigError {
    /// An error about `variable`.
    pub fn new(variable: &str, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.to_owned(),
            problem: problem.into(),
        }
    }
}

/// Reads variables from somewhere (the process environment, or a map in tests); empty
/// values count as unset.
pub struct Env<F>(pub F);

impl Env<fn(&str) -> Option<String>> {
    /// The process environment.
    pub fn process() -> Self {
        Env(|name| std::env::var(name).ok())
    }
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    /// A variable's trimmed value, if set and not empty.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A variable that must be set.
    pub fn required(&self, name: &str, what: &str) -> Result<String, ConfigError> {
        self.get(name)
            .ok_or_else(|| ConfigError::new(name, format!("must be set to {what}")))
    }

    /// A variable parsed as `T`, or `default` when unset.
    pub fn parse<T: std::str::FromStr>(
        &self,
        name: &str,
        default: T,
        what: &str,
    ) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|_| ConfigError::new(name, format!("must be {what} (got {raw:?})"))),
        }
    }

    /// A number of seconds (fractions allowed), or `default` seconds when unset.
    pub fn seconds(&self, name: &str, default: u64) -> Result<Duration, ConfigError> {
        match self.get(name) {
            None => Ok(Duration::from_secs(default)),
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .ok_or_else(|| {
                    ConfigError::new(name, format!("must be a number of seconds (got {raw:?})"))
                }),
        }
    }

    /// A duration written for people (`30d`, `12h`, `2s`, `1h 30m`), or `default` when
    /// unset; zero is refused.
    pub fn duration(&self, name: &str, default: Duration) -> Result<Duration, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        match humantime::parse_duration(raw.trim()) {
            Ok(duration) if !duration.is_zero() => Ok(duration),
            Ok(_) => Err(ConfigError::new(name, "must be more than 0")),
            Err(_) => Err(ConfigError::new(
                name,
                format!("must be a duration such as 30d, 12h or 2s (got {raw:?})"),
            )),
        }
    }

    /// An http(s) URL, if set.
    pub fn url(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let Some(url) = self.get(name) else {
            return Ok(None);
        };
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !scheme_ok || url.contains(char::is_whitespace) {
            return Err(ConfigError::new(name, "must be an http:// or https:// URL"));
        }
        Ok(Some(url))
    }

    /// A retry schedule (`2,4,8`) on top of `base`, or `base` when unset.
    pub fn schedule(&self, name: &str, base: RetryPolicy) -> Result<RetryPolicy, ConfigError> {
        match self.get(name) {
            None => Ok(base),
            Some(raw) => base
                .with_schedule(&raw)
                .map_err(|e| ConfigError::new(name, e.to_string())),
        }
    }
}

/// Which host runs the pipeline; some defaults differ between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// `revops serve`: one process on the user's machine.
    Local,
    /// The Lambda functions.
    Lambda,
}

impl Host {
    /// The default `DELIVERY_INLINE_RETRY_BUDGET`, in seconds: a worker of `revops serve`
    /// frees itself sooner; a Lambda invocation may use its time.
    pub fn inline_retry_budget_default(self) -> u64 {
        match self {
            Host::Local => 10,
            Host::Lambda => 60,
        }
    }
}

/// What every processor needs, whichever host runs it.
#[derive(Debug, Clone)]
pub struct PipelineSettings {
    /// The host these settings are for (its defaults applied).
    pub host: Host,
    /// `DELIVERY_RETRY_SCHEDULE`: waits between delivery attempts.
    pub delivery_policy: RetryPolicy,
    /// `DELIVERY_INLINE_RETRY_BUDGET`: the longest wait a worker sits out itself.
    pub inline_retry_budget: Duration,
    /// `DELIVERY_ATTEMPT_TIMEOUT`: seconds one attempt may take (30).
    pub attempt_timeout: Duration,
    /// `AGENT_RETRY_SCHEDULE`: waits between agent calls (2, 4, 8 s).
    pub agent_policy: RetryPolicy,
    /// `AGENT_RETRY_BACKOFF`: the waits before a message whose agent calls all failed
    /// comes back, by receive (60, 120, 240, 480, then 900 s).
    pub agent_backoff: ReceiveBackoff,
    /// `REVOPS_MAX_RECEIVES`: the receive on which a message whose agent calls all
    /// failed is dead-lettered (30: with the default `AGENT_RETRY_BACKOFF`, about six and
    /// a half hours of agent outage). On AWS it matches the queue's `maxReceiveCount`, so
    /// the processor dead-letters the message itself, with its reason and its record
    /// marked, rather than SQS moving it silently.
    pub max_receives: u32,
    /// `RECEIVER_BREAKER_FAILURES` (20) and `RECEIVER_BREAKER_COOLDOWN` (30 s): failed
    /// attempts in a row that open a receiver's circuit, and how long it stays open
    /// before one probe goes.
    pub breaker: BreakerPolicy,
    /// `WEBHOOK_URL` and the per-category URLs.
    pub targets: DeliveryTargets,
    /// `WEBHOOK_SECRET`: one or more `whsec_` secrets.
    pub signer: Option<WebhookSigner>,
    /// `REVOPS_METRICS_NAMESPACE`: the EMF namespace.
    pub metrics_namespace: String,
    /// `WEBHOOK_ALLOWED_NETWORKS`: CIDRs deliveries may reach although internal; set, it
    /// replaces the host's default (checked when the deliverer is built).
    pub allowed_networks: Option<String>,
    /// `WEBHOOK_ALLOW_HTTP`: whether plain http targets are allowed (host default when
    /// unset: yes locally, no in Lambda).
    pub allow_http: Option<bool>,
    /// `REVOPS_RETENTION` (30 days): how long a finished request is kept. Locally the
    /// sweep deletes it (with its timeline, spans and log lines) and the files past it;
    /// on AWS it sets the records' DynamoDB TTL.
    pub retention: Duration,
}

/// How long a finished request is kept unless `REVOPS_RETENTION` says otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

impl PipelineSettings {
    /// Reads the settings, with `host`'s defaults.
    pub fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        host: Host,
    ) -> Result<Self, ConfigError> {
        let signer = env
            .get("WEBHOOK_SECRET")
            .map(|raw| WebhookSigner::parse(&raw))
            .transpose()
            .map_err(|e| ConfigError::new("WEBHOOK_SECRET", e.to_string()))?;
        let max_receives = env.parse("REVOPS_MAX_RECEIVES", 30u32, "a whole number")?;
        if max_receives == 0 {
            return Err(ConfigError::new(
                "REVOPS_MAX_RECEIVES",
                "must be at least 1",
            ));
        }
        let defaults = BreakerPolicy::default();
        let breaker = BreakerPolicy {
            failures_to_open: env.parse(
                "RECEIVER_BREAKER_FAILURES",
                defaults.failures_to_open,
                "a whole number of failures",
            )?,
            cooldown: env.seconds("RECEIVER_BREAKER_COOLDOWN", defaults.cooldown.as_secs())?,
        };
        if breaker.failures_to_open == 0 {
            return Err(ConfigError::new(
                "RECEIVER_BREAKER_FAILURES",
                "must be at least 1",
            ));
        }
        if breaker.cooldown.is_zero() {
            return Err(ConfigError::new(
                "RECEIVER_BREAKER_COOLDOWN",
                "must be more than 0 seconds",
            ));
        }
        Ok(Self {
            host,
            max_receives,
            breaker,
            retention: env.duration("REVOPS_RETENTION", DEFAULT_RETENTION)?,
            delivery_policy: env
                .schedule("DELIVERY_RETRY_SCHEDULE", RetryPolicy::delivery_default())?,
            inline_retry_budget: env.seconds(
                "DELIVERY_INLINE_RETRY_BUDGET",
                host.inline_retry_budget_default(),
            )?,
            attempt_timeout: env.seconds("DELIVERY_ATTEMPT_TIMEOUT", 30)?,
            agent_policy: env.schedule("AGENT_RETRY_SCHEDULE", RetryPolicy::agent_default())?,
            agent_backoff: env
                .get("AGENT_RETRY_BACKOFF")
                .map(|raw| ReceiveBackoff::parse(&raw))
                .transpose()
                .map_err(|e| ConfigError::new("AGENT_RETRY_BACKOFF", e.to_string()))?
                .unwrap_or_default(),
            targets: DeliveryTargets {
                webhook_url: env.url("WEBHOOK_URL")?,
                deal_analysis: env.url(url_variable(Category::DealAnalysis))?,
                data_analysis: env.url(url_variable(Category::DataAnalysis))?,
                lead_analysis: env.url(url_variable(Category::LeadAnalysis))?,
                general: env.url(url_variable(Category::General))?,
            },
            signer,
            metrics_namespace: env
                .get("REVOPS_METRICS_NAMESPACE")
                .unwrap_or_else(|| revops_telemetry::DEFAULT_NAMESPACE.to_owned()),
            allowed_networks: env.get("WEBHOOK_ALLOWED_NETWORKS"),
            allow_http: env
                .get("WEBHOOK_ALLOW_HTTP")
                .map(|raw| match raw.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => Ok(true),
                    "false" | "0" | "no" => Ok(false),
                    _ => Err(ConfigError::new(
                        "WEBHOOK_ALLOW_HTTP",
                        format!("must be true or false (got {raw:?})"),
                    )),
                })
                .transpose()?,
        })
    }
}
