//! Archived conversations for tests: one queued at a given time that ended in a given
//! status, with nothing else known; a test sets what it needs on top.

use chrono::{DateTime, Utc};
use revops_core::{Status, TrackingId, ports::ConversationRecord};

/// A conversation from `crm`/`renewals` queued at `queued_at` and ended there in `status`:
/// a fresh id, the question `q`, no answer, no attempts, no timeline.
pub fn conversation(queued_at: DateTime<Utc>, status: Status) -> ConversationRecord {
    ConversationRecord {
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
