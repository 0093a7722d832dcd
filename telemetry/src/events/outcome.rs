//! How things ended, as types: each outcome's text is the `Outcome` dimension of its
//! metrics and the value of its span attribute, so a dashboard or alarm that names one
//! names a value the code can emit.

/// How an agent call (with its retries) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentOutcome {
    /// The agent answered.
    Success,
    /// No answer yet; the message comes back later.
    Retrying,
    /// No answer, for good.
    Failed,
}

impl AgentOutcome {
    /// The outcome's text.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentOutcome::Success => "success",
            AgentOutcome::Retrying => "retrying",
            AgentOutcome::Failed => "failed",
        }
    }
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered 2xx.
    Success,
    /// It failed; another attempt follows.
    Retrying,
    /// It failed, and no attempt follows (a permanent failure).
    Failed,
    /// It failed, the retries ran out, and the delivery is dead-lettered.
    DeadLettered,
}

impl AttemptOutcome {
    /// The outcome's text.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Success => "success",
            AttemptOutcome::Retrying => "retrying",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::DeadLettered => "dead_lettered",
        }
    }
}

/// How a delivery reached its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// A receiver answered 2xx.
    Delivered,
    /// It failed for good.
    Failed,
    /// Its retries ran out; it is in the dead-letter queue.
    DeadLettered,
}

impl DeliveryOutcome {
    /// The outcome's text.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Failed => "failed",
            DeliveryOutcome::DeadLettered => "dead_lettered",
        }
    }
}
