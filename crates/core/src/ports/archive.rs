//! The conversation archive port: once a request reaches its end, the whole conversation
//! (question, answer, outcome, timeline) is exported as one JSON document (the seeds'
//! "conversation export"), under a date-partitioned key.

use crate::{Category, Status, TrackingId, ports::StatusEvent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One finished conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRecord {
    /// The request's id.
    pub tracking_id: TrackingId,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// The question.
    pub query: String,
    /// The agent's answer in markdown, if it answered.
    pub response: Option<String>,
    /// The agent conversation.
    pub session_id: Option<String>,
    /// When the agent answered, if it did.
    #[serde(default)]
    pub answered_at: Option<DateTime<Utc>>,
    /// The agents that took part in the answer, the orchestrator first.
    #[serde(default)]
    pub agents_used: Vec<String>,
    /// The tokens the agents' models read and wrote, when the agent said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::ports::TokenUsage>,
    /// The answer's routing category, once the agent answered.
    #[serde(default)]
    pub category: Option<Category>,
    /// Calls made to the agent over the request's life (its retries are one fewer).
    #[serde(default)]
    pub agent_calls: u32,
    /// The request's trace id, when it had one.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// How it ended.
    pub status: Status,
    /// Delivery attempts made.
    pub attempts: u32,
    /// The last error, if it did not end well.
    pub last_error: Option<String>,
    /// Where the webhook went, if anywhere.
    pub webhook_url: Option<String>,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Every status it passed through.
    pub events: Vec<StatusEvent>,
}

impl ConversationRecord {
    /// The archive key: `conversations/year=YYYY/month=MM/day=DD/<tracking id>.json`,
    /// partitioned by the day it was queued.
    pub fn key(&self) -> String {
        format!("{}/{}.json", self.partition(), self.tracking_id)
    }

    /// The day's partition the key lies in: `conversations/year=YYYY/month=MM/day=DD`.
    pub fn partition(&self) -> String {
        format!(
            "conversations/{}",
            self.queued_at.format("year=%Y/month=%m/day=%d")
        )
    }
}

/// The archive failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("conversation archive unavailable: {0}")]
pub struct ArchiveError(pub String);

/// The conversation archive.
#[async_trait]
pub trait ConversationArchive: Send + Sync + 'static {
    /// Stores one conversation under its key, replacing an earlier copy.
    async fn export(&self, conversation: &ConversationRecord) -> Result<(), ArchiveError>;
}

/// An archive that keeps nothing: for a host with no archive configured (a processor
/// with no `CONVERSATION_BUCKET`).
pub struct NoArchive;

#[async_trait]
impl ConversationArchive for NoArchive {
    async fn export(&self, _conversation: &ConversationRecord) -> Result<(), ArchiveError> {
        Ok(())
    }
}

#[cfg(test)]
impl ConversationRecord {
    /// For this crate's tests: a conversation queued at `queued_at` and ended there in
    /// `status`, with a fresh id and nothing else known (the other crates' tests have
    /// `revops_testkit::archive::conversation`).
    pub(crate) fn bare(queued_at: DateTime<Utc>, status: Status) -> Self {
        Self {
            tracking_id: TrackingId::new(),
            source_system: "crm".into(),
            source_process: "renewals".into(),
            query: "q".into(),
            response: None,
            session_id: None,
            answered_at: None,
            agents_used: Vec::new(),
            usage: None,
            category: None,
            agent_calls: 0,
            trace_id: None,
            status,
            attempts: 0,
            last_error: None,
            webhook_url: None,
            queued_at,
            finished_at: queued_at,
            events: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn keys_are_partitioned_by_the_day_queued() {
        let id = TrackingId::new();
        let record = ConversationRecord {
            tracking_id: id,
            ..ConversationRecord::bare(
                Utc.with_ymd_and_hms(2025, 8, 4, 23, 59, 0).unwrap(),
                Status::Failed,
            )
        };
        assert_eq!(
            record.key(),
            format!("conversations/year=2025/month=08/day=04/{id}.json")
        );
        assert_eq!(
            record.partition(),
            "conversations/year=2025/month=08/day=04"
        );
    }
}
