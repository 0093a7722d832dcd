//! The lifecycle of a request, as `GET /webhook/{tracking_id}` reports it.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a request is in its life.
///
/// ```text
/// queued → processing → agent_completed → delivering → delivered
///                 │                          │   ↑
///                 ↓                          ↓   │
///               failed            retry_scheduled┘ → dead_lettered
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Accepted and durably queued.
    Queued,
    /// A worker took it and is asking the agent.
    Processing,
    /// The agent answered; the answer is stored.
    AgentCompleted,
    /// A delivery attempt is under way.
    Delivering,
    /// The receiver answered 2xx.
    Delivered,
    /// The last attempt failed in a way worth retrying; the next one is scheduled.
    RetryScheduled,
    /// It failed for good (a permanent error); it will not be retried.
    Failed,
    /// Retries ran out; it sits in the dead-letter queue and can be replayed.
    DeadLettered,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 8] = [
        Status::Queued,
        Status::Processing,
        Status::AgentCompleted,
        Status::Delivering,
        Status::Delivered,
        Status::RetryScheduled,
        Status::Failed,
        Status::DeadLettered,
    ];

    /// The wire name (`agent_completed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::AgentCompleted => "agent_completed",
            Status::Delivering => "delivering",
            Status::Delivered => "delivered",
            Status::RetryScheduled => "retry_scheduled",
            Status::Failed => "failed",
            Status::DeadLettered => "dead_lettered",
        }
    }

    /// Whether nothing more will happen to the request without an operator.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Delivered | Status::Failed | Status::DeadLettered
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().unwrap(), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert!("done".parse::<Status>().is_err());
    }
}
