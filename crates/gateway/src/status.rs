//! `GET /webhook/{tracking_id}`'s body: a request's status and its whole timeline.

use revops_core::{
    DeliveryAttempt,
    payload::format_queued_at,
    ports::{StatusEvent, TrackingRecord},
};
use serde::{Deserialize, Serialize};

/// A request's status, as the contract shapes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    /// The request's id.
    pub tracking_id: String,
    /// Its current status.
    pub status: String,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// When it was queued.
    pub queued_at: String,
    /// The request's trace (32 lower-case hex digits, the W3C form of its X-Ray id);
    /// `null` when it had none.
    pub trace_id: Option<String>,
    /// The answer's routing category (`deal_analysis`, `data_analysis`, `lead_analysis`
    /// or `general`); `null` before the agent answers.
    pub category: Option<String>,
    /// The agents that took part in the answer, the orchestrator first; empty before the
    /// agent answers.
    pub agents_used: Vec<String>,
    /// Every status it passed through, oldest first.
    pub events: Vec<EventResponse>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The last error, if the last step failed.
    pub last_error: Option<String>,
    /// When the next delivery attempt is due; `null` when none is.
    pub next_attempt_at: Option<String>,
    /// Every delivery attempt, oldest first.
    pub delivery_attempts: Vec<AttemptResponse>,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptResponse {
    /// Its number within its round.
    pub attempt: u32,
    /// When it started.
    pub at: String,
    /// `success`, `retrying` (another attempt follows) or `failed` (none does).
    pub outcome: String,
    /// The receiver's HTTP status; `null` when no response came.
    pub http_status: Option<u16>,
    /// How long it took.
    pub duration_ms: u64,
    /// What went wrong; `null` on success.
    pub error: Option<String>,
}

impl From<&DeliveryAttempt> for AttemptResponse {
    fn from(attempt: &DeliveryAttempt) -> Self {
        Self {
            attempt: attempt.attempt,
            at: format_queued_at(attempt.at),
            outcome: attempt.outcome.as_str().to_owned(),
            http_status: attempt.http_status,
            duration_ms: attempt.duration_ms,
            error: attempt.error.clone(),
        }
    }
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventResponse {
    /// The status entered.
    pub status: String,
    /// When.
    pub at: String,
    /// Why or how.
    pub detail: Option<String>,
}

impl From<&StatusEvent> for EventResponse {
    fn from(event: &StatusEvent) -> Self {
        Self {
            status: event.status.to_string(),
            at: format_queued_at(event.at),
            detail: event.detail.clone(),
        }
    }
}

impl From<&TrackingRecord> for StatusResponse {
    fn from(record: &TrackingRecord) -> Self {
        Self {
            tracking_id: record.tracking_id.to_string(),
            status: record.status.to_string(),
            source_system: record.source_system.clone(),
            source_process: record.source_process.clone(),
            queued_at: format_queued_at(record.queued_at),
            trace_id: record.trace_id.clone(),
            category: record.category.map(|category| category.as_str().to_owned()),
            agents_used: record
                .answer
                .as_ref()
                .map(|answer| answer.agents_used.clone())
                .unwrap_or_default(),
            events: record.events.iter().map(EventResponse::from).collect(),
            attempts: record.attempts,
            last_error: record.last_error.clone(),
            next_attempt_at: record.next_attempt_at.map(format_queued_at),
            delivery_attempts: record
                .delivery_attempts
                .iter()
                .map(AttemptResponse::from)
                .collect(),
        }
    }
}
