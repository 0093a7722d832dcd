//! The line of each export format. Their keys are documented in the README and pinned
//! by tests; times take the status API's form (RFC 3339, microseconds).

use super::timeline::{delivery_attempts, step_durations};
use crate::{
    Category, Status,
    payload::{AiResponse, WebhookMetadata, WebhookPayload, format_queued_at, format_webhook_time},
    ports::{ConversationRecord, StatusEvent, TokenUsage},
    render::markdown_to_plain,
};
use serde::Serialize;

/// The longest question a `summary` line keeps, in characters.
pub const SUMMARY_QUERY_CHARS: usize = 200;
/// The longest plain answer a `summary` line keeps, in characters.
pub const SUMMARY_ANSWER_CHARS: usize = 300;

/// How long each phase took, in milliseconds; `null` for a phase never reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StepDurations {
    /// From `queued` to the first `processing`.
    pub queue_wait_ms: Option<i64>,
    /// From the first `processing` to `agent_completed`.
    pub agent_ms: Option<i64>,
    /// From `agent_completed` to the end.
    pub delivery_ms: Option<i64>,
    /// From `queued` to `delivered` (the SLA's measure).
    pub end_to_end_ms: Option<i64>,
}

/// One delivery attempt, as the timeline tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptLine {
    /// Its number, from 1.
    pub attempt: u32,
    /// When it started.
    pub at: String,
    /// `success`, `retrying`, `failed` or `interrupted`.
    pub outcome: &'static str,
    /// What went wrong, if it did.
    pub error: Option<String>,
}

/// A `metadata` line: nothing a caller wrote or the agent answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataLine {
    /// The request's id.
    pub tracking_id: String,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// How it ended.
    pub status: Status,
    /// The answer's routing category.
    pub category: Option<Category>,
    /// The agents that answered.
    pub agents_used: Vec<String>,
    /// When it was queued.
    pub queued_at: String,
    /// When it ended.
    pub finished_at: String,
    /// From `queued` to `delivered`, when delivered.
    pub end_to_end_ms: Option<i64>,
    /// Delivery attempts made.
    pub attempts: u32,
    /// Calls made to the agent.
    pub agent_calls: u32,
    /// The request's trace.
    pub trace_id: Option<String>,
    /// The receiver's origin (`https://host:port`): never its path or query, which may
    /// hold a token (the local outbox's `file:` URL is kept whole).
    pub receiver: Option<String>,
}

/// A `summary` line: compact, for reading down a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryLine {
    /// The request's id.
    pub tracking_id: String,
    /// The caller's system.
    pub source_system: String,
    /// How it ended.
    pub status: Status,
    /// The answer's routing category.
    pub category: Option<Category>,
    /// When it was queued.
    pub queued_at: String,
    /// The question on one line, cut to [`SUMMARY_QUERY_CHARS`] characters (`…` marks
    /// a cut).
    pub query: String,
    /// The answer as plain text on one line, cut to [`SUMMARY_ANSWER_CHARS`] characters.
    pub answer: Option<String>,
    /// From `queued` to `delivered`, when delivered.
    pub end_to_end_ms: Option<i64>,
}

/// An `analysis` line: the whole conversation and what its timeline says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnalysisLine {
    /// The request's id.
    pub tracking_id: String,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// The agent conversation.
    pub session_id: Option<String>,
    /// The question.
    pub query: String,
    /// The answer in markdown.
    pub response: Option<String>,
    /// The answer as plain text.
    pub response_plain: Option<String>,
    /// When the agent answered.
    pub answered_at: Option<String>,
    /// The answer's routing category.
    pub category: Option<Category>,
    /// The agents that answered, the orchestrator first.
    pub agents_used: Vec<String>,
    /// Tokens the agents' models read and wrote, when known.
    pub usage: Option<TokenUsage>,
    /// The request's trace.
    pub trace_id: Option<String>,
    /// How it ended.
    pub status: Status,
    /// When it was queued.
    pub queued_at: String,
    /// When it ended.
    pub finished_at: String,
    /// How long each phase took.
    pub steps: StepDurations,
    /// Calls made to the agent.
    pub agent_calls: u32,
    /// Calls beyond the first.
    pub agent_retries: u32,
    /// Delivery attempts made.
    pub attempts: u32,
    /// Each delivery attempt.
    pub delivery_attempts: Vec<AttemptLine>,
    /// The last error, if it did not end well.
    pub last_error: Option<String>,
    /// The receiver's origin.
    pub receiver: Option<String>,
    /// Every status it passed through.
    pub events: Vec<EventLine>,
}

/// One timeline step of an `analysis` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventLine {
    /// The status entered.
    pub status: Status,
    /// When.
    pub at: String,
    /// Why or how.
    pub detail: Option<String>,
}

impl From<&StatusEvent> for EventLine {
    fn from(event: &StatusEvent) -> Self {
        Self {
            status: event.status,
            at: format_queued_at(event.at),
            detail: event.detail.clone(),
        }
    }
}

impl From<&ConversationRecord> for MetadataLine {
    fn from(c: &ConversationRecord) -> Self {
        Self {
            tracking_id: c.tracking_id.to_string(),
            source_system: c.source_system.clone(),
            source_process: c.source_process.clone(),
            status: c.status,
            category: c.category,
            agents_used: c.agents_used.clone(),
            queued_at: format_queued_at(c.queued_at),
            finished_at: format_queued_at(c.finished_at),
            end_to_end_ms: step_durations(c).end_to_end_ms,
            attempts: c.attempts,
            agent_calls: c.agent_calls,
            trace_id: c.trace_id.clone(),
            receiver: c.webhook_url.as_deref().map(origin),
        }
    }
}

impl From<&ConversationRecord> for SummaryLine {
    fn from(c: &ConversationRecord) -> Self {
        Self {
            tracking_id: c.tracking_id.to_string(),
            source_system: c.source_system.clone(),
            status: c.status,
            category: c.category,
            queued_at: format_queued_at(c.queued_at),
            query: cut(&one_line(&c.query), SUMMARY_QUERY_CHARS),
            answer: c.response.as_deref().map(|response| {
                cut(
                    &one_line(&markdown_to_plain(response)),
                    SUMMARY_ANSWER_CHARS,
                )
            }),
            end_to_end_ms: step_durations(c).end_to_end_ms,
        }
    }
}

impl From<&ConversationRecord> for AnalysisLine {
    fn from(c: &ConversationRecord) -> Self {
        Self {
            tracking_id: c.tracking_id.to_string(),
            source_system: c.source_system.clone(),
            source_process: c.source_process.clone(),
            session_id: c.session_id.clone(),
            query: c.query.clone(),
            response: c.response.clone(),
            response_plain: c.response.as_deref().map(markdown_to_plain),
            answered_at: c.answered_at.map(format_queued_at),
            category: c.category,
            agents_used: c.agents_used.clone(),
            usage: c.usage,
            trace_id: c.trace_id.clone(),
            status: c.status,
            queued_at: format_queued_at(c.queued_at),
            finished_at: format_queued_at(c.finished_at),
            steps: step_durations(c),
            agent_calls: c.agent_calls,
            agent_retries: c.agent_calls.saturating_sub(1),
            attempts: c.attempts,
            delivery_attempts: delivery_attempts(c),
            last_error: c.last_error.clone(),
            receiver: c.webhook_url.as_deref().map(origin),
            events: c.events.iter().map(EventLine::from).collect(),
        }
    }
}

/// The body the receiver got (seed 001's keys), for a delivered conversation: sent at the
/// start of the attempt that succeeded.
pub(super) fn webhook_payload(c: &ConversationRecord) -> Option<WebhookPayload> {
    if c.status != Status::Delivered {
        return None;
    }
    let response = c.response.as_ref()?;
    let webhook_url = c.webhook_url.as_ref()?;
    let delivered = c
        .events
        .iter()
        .position(|event| event.status == Status::Delivered)?;
    let sent_at = c.events[..delivered]
        .iter()
        .rev()
        .find(|event| event.status == Status::Delivering)
        .map_or(c.events[delivered].at, |event| event.at);
    let answered_at = c.answered_at.or_else(|| {
        c.events
            .iter()
            .find(|event| event.status == Status::AgentCompleted)
            .map(|event| event.at)
    })?;
    Some(WebhookPayload {
        tracking_id: c.tracking_id,
        source_system: c.source_system.clone(),
        source_process: c.source_process.clone(),
        original_query: c.query.clone(),
        ai_response: AiResponse {
            response: response.clone(),
            response_plain: markdown_to_plain(response),
            session_id: c.session_id.clone().unwrap_or_default(),
            timestamp: format_webhook_time(answered_at),
        },
        webhook_metadata: WebhookMetadata {
            delivered_at: format_webhook_time(sent_at),
            webhook_url: webhook_url.clone(),
        },
    })
}

/// `text` on one line: every run of white space (line breaks included) one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to `max` characters, `…` marking a cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}

/// A URL's origin (`scheme://host[:port]`), without user info, path, query or fragment.
/// A `file:` URL (the local outbox) is a path on this machine, kept whole.
fn origin(url: &str) -> String {
    if url.starts_with("file:") {
        return url.to_owned();
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if scheme.is_empty() {
        host.to_owned()
    } else {
        format!("{scheme}://{host}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receivers_origin_keeps_no_path_query_or_credentials() {
        assert_eq!(
            origin("https://user:pw@hooks.example.com:8443/T000/B000/XXXX?token=abc#x"),
            "https://hooks.example.com:8443"
        );
        assert_eq!(origin("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
    }

    #[test]
    fn the_local_outbox_is_named_whole() {
        assert_eq!(
            origin("file:///srv/revops/outbox.jsonl"),
            "file:///srv/revops/outbox.jsonl"
        );
    }

    #[test]
    fn a_summary_is_on_one_line() {
        assert_eq!(one_line("**A**\n\n- b\t c  "), "**A** - b c");
    }

    #[test]
    fn cuts_are_on_characters_and_marked() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("ééééé", 3), "ééé…");
        assert_eq!(cut("two words", 4), "two…");
    }
}
