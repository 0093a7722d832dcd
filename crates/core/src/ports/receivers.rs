//! The receivers' health, shared by every worker and, on AWS, every Lambda instance: a
//! circuit breaker per receiver origin (`scheme://host:port`), and the URLs disabled by a
//! `410 Gone` until an operator enables them again. Kept in the tracking store's
//! database or table, so it survives restarts.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// A circuit's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Deliveries go through.
    Closed,
    /// Deliveries wait (no attempt made) until `retry_at`, when one probe may go.
    Open,
    /// One probe is on its way; the others wait until it tells, or until `retry_at`
    /// should it never come back.
    HalfOpen,
}

impl CircuitState {
    /// The wire name (`closed`, `open`, `half_open`).
    pub fn as_str(self) -> &'static str {
        match self {
            CircuitState::Closed => "closed",
            CircuitState::Open => "open",
            CircuitState::HalfOpen => "half_open",
        }
    }

    /// The state named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "closed" => Some(CircuitState::Closed),
            "open" => Some(CircuitState::Open),
            "half_open" => Some(CircuitState::HalfOpen),
            _ => None,
        }
    }
}

/// One receiver origin's circuit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circuit {
    /// The origin: `scheme://host:port`.
    pub origin: String,
    /// Its state.
    pub state: CircuitState,
    /// Failed attempts in a row.
    pub failures: u32,
    /// The last failure's error.
    pub last_error: Option<String>,
    /// When the state last changed.
    pub changed_at: DateTime<Utc>,
    /// Open: when a probe may go. Half-open: when the probe counts as lost.
    pub retry_at: Option<DateTime<Utc>>,
}

impl Circuit {
    /// A closed circuit with no failures, as an origin never seen has.
    pub fn closed(origin: &str, at: DateTime<Utc>) -> Self {
        Self {
            origin: origin.to_owned(),
            state: CircuitState::Closed,
            failures: 0,
            last_error: None,
            changed_at: at,
            retry_at: None,
        }
    }

    /// Whether the failure just counted (`failures` includes it) opens this circuit: a
    /// closed one at the policy's count, a half-open one at once (its probe failed); an
    /// open one stays as it is (the failure was an attempt in flight when it opened).
    pub fn opens_on_failure(&self, policy: &BreakerPolicy) -> bool {
        match self.state {
            CircuitState::Closed => self.failures >= policy.failures_to_open,
            CircuitState::HalfOpen => true,
            CircuitState::Open => false,
        }
    }

    /// This circuit as opening it at `now` leaves it, as the stores keep times (to the
    /// microsecond): open until the cooldown ends.
    pub fn opened(self, now: DateTime<Utc>, cooldown: Duration) -> Self {
        use chrono::SubsecRound as _;
        let now = now.trunc_subsecs(6);
        Self {
            state: CircuitState::Open,
            changed_at: now,
            retry_at: Some(
                now + chrono::Duration::from_std(cooldown).unwrap_or(chrono::Duration::MAX),
            ),
            ..self
        }
    }
}

/// A URL disabled by a `410 Gone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledUrl {
    /// The URL.
    pub url: String,
    /// When it answered `410`.
    pub at: DateTime<Utc>,
    /// Why (the receiver's answer).
    pub reason: String,
}

/// When a circuit opens, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Failed attempts in a row that open the circuit (`RECEIVER_BREAKER_FAILURES`).
    pub failures_to_open: u32,
    /// How long it stays open before a probe (`RECEIVER_BREAKER_COOLDOWN`).
    pub cooldown: Duration,
}

/// Twenty failures in a row: a receiver that is down reaches it within seconds under
/// any load, while one that fails half its requests at random reaches it about once in a
/// million attempts (a success anywhere resets the count, across every worker).
impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failures_to_open: 20,
            cooldown: Duration::from_secs(30),
        }
    }
}

/// What a failed attempt did to its circuit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRecorded {
    /// The circuit after it.
    pub circuit: Circuit,
    /// Whether this failure opened it (closed or half-open before).
    pub opened: bool,
}

/// The receivers' health.
#[async_trait]
pub trait ReceiverRegistry: Send + Sync + 'static {
    /// The circuit of `origin`; `None` when no failure was ever recorded for it.
    async fn circuit(&self, origin: &str) -> Result<Option<Circuit>, StoreError>;

    /// Records a failed attempt to `origin`: one more failure in a row, and the circuit
    /// opens until `now` plus the cooldown when they reach the policy's count, or at
    /// once when it was half-open (the probe failed).
    async fn record_failure(
        &self,
        origin: &str,
        error: &str,
        now: DateTime<Utc>,
        policy: &BreakerPolicy,
    ) -> Result<FailureRecorded, StoreError>;

    /// Records a delivered attempt to `origin`: the circuit closes and its failures go
    /// back to none. Whether it was not closed before (the success closed it).
    async fn record_success(&self, origin: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Takes the one probe of an open circuit whose `retry_at` has passed (or of a
    /// half-open one whose probe was lost): the circuit goes half-open until `now` plus
    /// `cooldown`. Of callers that saw the same `retry_at`, one wins (`true`).
    async fn take_probe(
        &self,
        origin: &str,
        seen_retry_at: DateTime<Utc>,
        now: DateTime<Utc>,
        cooldown: Duration,
    ) -> Result<bool, StoreError>;

    /// Disables `url` (it answered `410 Gone`), for every worker, until enabled.
    async fn disable(&self, url: &str, reason: &str, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// The disable of `url`, if it is disabled.
    async fn disabled(&self, url: &str) -> Result<Option<DisabledUrl>, StoreError>;

    /// Lifts the disable of `url`; whether it was disabled.
    async fn enable(&self, url: &str) -> Result<bool, StoreError>;

    /// Every circuit recorded, and every disabled URL.
    async fn list(&self) -> Result<(Vec<Circuit>, Vec<DisabledUrl>), StoreError>;
}

/// The origin (`scheme://host:port`, the port always written) of `url`, which circuits
/// are kept by; `url` itself when it does not parse.
pub fn origin_of(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    match (parsed.host_str(), parsed.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", parsed.scheme()),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_name_scheme_host_and_port_and_drop_the_rest() {
        assert_eq!(
            origin_of("https://Hooks.Example.com/a/b?c=1"),
            "https://hooks.example.com:443"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/hook"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("http://user:pw@host/x"), "http://host:80");
        assert_eq!(origin_of("http://[::1]:9000/x"), "http://[::1]:9000");
        assert_eq!(origin_of("not a url"), "not a url");
    }

    #[test]
    fn states_round_trip_their_names() {
        for state in [
            CircuitState::Closed,
            CircuitState::Open,
            CircuitState::HalfOpen,
        ] {
            assert_eq!(CircuitState::parse(state.as_str()), Some(state));
        }
        assert_eq!(CircuitState::parse("ajar"), None);
    }
}
