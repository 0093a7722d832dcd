//! The agent port: ask the RevOps Manager Agent one question, get markdown back.

use crate::{TrackingId, retry::RetryDecision};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One question for the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentQuestion {
    /// The request it answers.
    pub tracking_id: TrackingId,
    /// The question.
    pub query: String,
    /// The conversation to continue, if the caller named one.
    pub session_id: Option<String>,
}

/// The agent's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentAnswer {
    /// The answer, in markdown.
    pub response: String,
    /// The conversation it belongs to.
    pub session_id: String,
    /// When the agent answered.
    pub answered_at: DateTime<Utc>,
    /// The agents that took part, the orchestrator first (the seeds' `agents_used`);
    /// empty when the agent did not say.
    #[serde(default)]
    pub agents_used: Vec<String>,
    /// The tokens its models read and wrote, when it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
}

/// Tokens read and written by the agent's models for one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Tokens read.
    pub input_tokens: u64,
    /// Tokens written.
    pub output_tokens: u64,
}

/// Why the agent gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    /// Too many requests; come back later.
    #[error("agent throttled the request")]
    Throttled {
        /// When to come back, if it said.
        retry_after: Option<Duration>,
    },
    /// The agent or the way to it failed in a way that may pass.
    #[error("agent unavailable: {0}")]
    Unavailable(String),
    /// No answer in time.
    #[error("agent did not answer within {0:?}")]
    Timeout(Duration),
    /// The agent refused the question for good (bad input, access denied, …).
    #[error("agent refused the request: {0}")]
    Rejected(String),
}

impl AgentError {
    /// Whether asking again may help.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, AgentError::Rejected(_))
    }

    /// The retry loop's reading of this error.
    pub fn retry_decision(&self) -> RetryDecision {
        match self {
            AgentError::Throttled { retry_after } => RetryDecision::Retry {
                after: *retry_after,
            },
            AgentError::Unavailable(_) | AgentError::Timeout(_) => {
                RetryDecision::Retry { after: None }
            }
            AgentError::Rejected(_) => RetryDecision::Stop,
        }
    }
}

/// The agent.
#[async_trait]
pub trait Agent: Send + Sync + 'static {
    /// Asks one question.
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError>;
}
