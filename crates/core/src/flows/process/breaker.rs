//! The receiver's health around each delivery attempt. Before it: a URL disabled by a
//! `410 Gone` fails the request at once; a receiver whose circuit is open makes the
//! delivery wait in the queue until a probe may go (no attempt made, none counted, the
//! receive count started over), and of the deliveries that find the probe due, one
//! takes it. After it: a failure the schedule retries (no answer, a timeout, 408, 425,
//! 429, 5xx) counts towards opening the circuit; anything else the receiver answered
//! closes it; a `410` disables the URL. The state is the registry's (shared by every
//! worker and instance); this processor reads it at most once a second per URL, and
//! writes only when something changes, so a healthy receiver costs no write.

use super::Processor;
use crate::ports::{
    Circuit, CircuitState, Delivered, DeliveryError, DeliveryErrorKind, DisabledUrl, StoreError,
    origin_of,
};
use chrono::{DateTime, Utc};
use revops_telemetry::events::{CircuitChange, CircuitChanged};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long a read of a receiver's health is trusted.
const HEALTH_TTL: Duration = Duration::from_secs(1);
/// How long a delivery waits while another worker's probe is on its way.
const PROBE_RECHECK: Duration = Duration::from_secs(2);

/// What this processor last read of each receiver's health, by URL.
#[derive(Default)]
pub(super) struct HealthCache {
    read: Mutex<HashMap<String, (Instant, Health)>>,
}

/// A receiver's health, as read.
#[derive(Debug, Clone)]
struct Health {
    disabled: Option<DisabledUrl>,
    circuit: Option<Circuit>,
}

impl HealthCache {
    fn get(&self, url: &str) -> Option<Health> {
        let read = self.read.lock().ok()?;
        read.get(url)
            .filter(|(at, _)| at.elapsed() < HEALTH_TTL)
            .map(|(_, health)| health.clone())
    }

    fn put(&self, url: &str, health: Health) {
        if let Ok(mut read) = self.read.lock() {
            read.insert(url.to_owned(), (Instant::now(), health));
        }
    }

    fn forget(&self, url: &str) {
        if let Ok(mut read) = self.read.lock() {
            read.remove(url);
        }
    }
}

/// Whether a delivery may make its attempt now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Gate {
    /// Yes (as a closed circuit's delivery, or as an open one's single probe).
    Go,
    /// Not before `until`: the receiver's circuit is open.
    Wait {
        /// When to come back.
        until: DateTime<Utc>,
        /// Why, for the timeline.
        why: String,
    },
    /// Never: the URL is disabled.
    Disabled(DisabledUrl),
}

impl Processor {
    /// Whether a delivery to `target` may make its attempt now.
    pub(super) async fn gate(&self, target: &str) -> Result<Gate, StoreError> {
        let health = self.health_of(target).await?;
        if let Some(disabled) = health.disabled {
            return Ok(Gate::Disabled(disabled));
        }
        let Some(circuit) = health.circuit else {
            return Ok(Gate::Go);
        };
        let now = self.clock.now();
        match (circuit.state, circuit.retry_at) {
            (CircuitState::Closed, _) | (_, None) => Ok(Gate::Go),
            (CircuitState::Open, Some(retry_at)) if now < retry_at => Ok(Gate::Wait {
                until: retry_at,
                why: format!(
                    "not attempted: the circuit of {} is open after {} failures in a row; the next probe at {}",
                    circuit.origin,
                    circuit.failures,
                    retry_at.to_rfc3339()
                ),
            }),
            (CircuitState::HalfOpen, Some(retry_at)) if now < retry_at => Ok(Gate::Wait {
                until: retry_at.min(now + PROBE_RECHECK),
                why: format!("not attempted: a probe of {} is on its way", circuit.origin),
            }),
            (_, Some(retry_at)) => {
                let won = self
                    .receivers
                    .take_probe(&circuit.origin, retry_at, now, self.config.breaker.cooldown)
                    .await?;
                self.health.forget(target);
                if won {
                    tracing::info!(origin = %circuit.origin, "probing a receiver whose circuit is open");
                    Ok(Gate::Go)
                } else {
                    Ok(Gate::Wait {
                        until: now + PROBE_RECHECK,
                        why: format!("not attempted: another worker probes {}", circuit.origin),
                    })
                }
            }
        }
    }

    /// Notes what `target` answered `result`: the circuit's count of failures, its
    /// closing, a `410`'s disable. A failure to note it is logged; the delivery goes on.
    pub(super) async fn note_attempt(
        &self,
        target: &str,
        result: &Result<Delivered, DeliveryError>,
    ) {
        if let Err(error) = self.try_note_attempt(target, result).await {
            tracing::warn!(target, %error, "the receiver's health was not updated");
        }
    }

    async fn try_note_attempt(
        &self,
        target: &str,
        result: &Result<Delivered, DeliveryError>,
    ) -> Result<(), StoreError> {
        let origin = origin_of(target);
        let now = self.clock.now();
        if let Err(error) = result {
            if matches!(error.kind, DeliveryErrorKind::Status { code: 410, .. }) {
                tracing::warn!(
                    target,
                    "the receiver answered 410 Gone; its URL is disabled until `revops receivers enable`"
                );
                self.receivers.disable(target, &error.message, now).await?;
                self.health.forget(target);
            } else if error.is_retryable() {
                let recorded = self
                    .receivers
                    .record_failure(&origin, &error.message, now, &self.config.breaker)
                    .await?;
                if recorded.opened {
                    self.telemetry.emit(&CircuitChanged {
                        origin: &origin,
                        change: CircuitChange::Opened,
                        failures: recorded.circuit.failures,
                        error: Some(&error.message),
                    });
                }
                self.health.put(
                    target,
                    Health {
                        disabled: None,
                        circuit: Some(recorded.circuit),
                    },
                );
                return Ok(());
            }
        }
        // The receiver answered: its circuit closes, written only when it was not closed
        // with no failures already.
        let healthy = self.health.get(target).is_some_and(|health| {
            health
                .circuit
                .is_none_or(|c| c.state == CircuitState::Closed && c.failures == 0)
        });
        if healthy {
            return Ok(());
        }
        if self.receivers.record_success(&origin, now).await? {
            self.telemetry.emit(&CircuitChanged {
                origin: &origin,
                change: CircuitChange::Closed,
                failures: 0,
                error: None,
            });
        }
        self.health.forget(target);
        Ok(())
    }

    /// `target`'s health, read at most once per [`HEALTH_TTL`].
    async fn health_of(&self, target: &str) -> Result<Health, StoreError> {
        if let Some(health) = self.health.get(target) {
            return Ok(health);
        }
        let origin = origin_of(target);
        let (disabled, circuit) = tokio::join!(
            self.receivers.disabled(target),
            self.receivers.circuit(&origin)
        );
        let health = Health {
            disabled: disabled?,
            circuit: circuit?,
        };
        self.health.put(target, health.clone());
        Ok(health)
    }
}
