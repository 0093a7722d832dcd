//! The deliverer port: send one signed webhook attempt to a target.

use crate::{TrackingId, retry::RetryDecision};
use async_trait::async_trait;
use std::time::Duration;

/// A successful attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The receiver's HTTP status (2xx), or 0 where the target is not HTTP.
    pub status: u16,
}

/// What went wrong with an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryErrorKind {
    /// No connection could be made.
    Connect,
    /// No answer within the attempt's time limit.
    Timeout,
    /// The receiver answered with a status that is not 2xx.
    Status {
        /// The status code.
        code: u16,
        /// Its `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// The target is refused before anything is sent (address guard, bad URL).
    Refused,
    /// Any other failure while sending or writing.
    Other,
}

/// A failed attempt, with a message fit for the status timeline (no secrets in it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// What kind of failure.
    pub kind: DeliveryErrorKind,
    /// What happened, for people.
    pub message: String,
}

impl DeliveryError {
    /// A failure of `kind`, described by `message`.
    pub fn new(kind: DeliveryErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The contract's retry rules: connection errors, timeouts, 408, 425, 429 and 5xx
    /// are retried (honouring `Retry-After`); everything else fails at once.
    pub fn retry_decision(&self) -> RetryDecision {
        match &self.kind {
            DeliveryErrorKind::Connect | DeliveryErrorKind::Timeout | DeliveryErrorKind::Other => {
                RetryDecision::Retry { after: None }
            }
            DeliveryErrorKind::Status { code, retry_after }
                if matches!(code, 408 | 425 | 429) || (500..600).contains(code) =>
            {
                RetryDecision::Retry {
                    after: *retry_after,
                }
            }
            DeliveryErrorKind::Status { .. } | DeliveryErrorKind::Refused => RetryDecision::Stop,
        }
    }

    /// Whether a later attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self.retry_decision(), RetryDecision::Retry { .. })
    }
}

/// Sends webhooks.
#[async_trait]
pub trait Deliverer: Send + Sync + 'static {
    /// Sends `body` to `target` as attempt `attempt` of webhook `webhook_id`.
    async fn deliver(
        &self,
        target: &str,
        webhook_id: &TrackingId,
        attempt: u32,
        body: &[u8],
    ) -> Result<Delivered, DeliveryError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> DeliveryError {
        DeliveryError::new(
            DeliveryErrorKind::Status {
                code,
                retry_after: None,
            },
            "x",
        )
    }

    #[test]
    fn the_contract_retry_rules() {
        for code in [408, 425, 429, 500, 502, 503, 599] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for code in [301, 400, 401, 404, 410, 422] {
            assert!(!status(code).is_retryable(), "{code}");
        }
        assert!(DeliveryError::new(DeliveryErrorKind::Connect, "x").is_retryable());
        assert!(DeliveryError::new(DeliveryErrorKind::Timeout, "x").is_retryable());
        assert!(!DeliveryError::new(DeliveryErrorKind::Refused, "x").is_retryable());
    }
}
