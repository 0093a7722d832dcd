//! What an archived conversation's timeline says once read: how long each phase took and
//! what each delivery attempt got.
//!
//! Phases: the queue wait runs from `queued` to the first `processing`; the agent phase
//! from there to `agent_completed` (its retries and the waits between rounds included);
//! the delivery phase from `agent_completed` to the end (`delivered`, `failed` or
//! `dead_lettered`). A phase the request never reached has no duration.
//!
//! Attempts: each `delivering` step opens one; the step after it closes it: `delivered`
//! (success), `retry_scheduled` (retrying, with its error), `failed` or `dead_lettered`
//! (failed, with the conversation's last error). An attempt that nothing closed (the
//! worker stopped mid-attempt) is `interrupted`.

use super::lines::{AttemptLine, StepDurations};
use crate::{
    Status,
    payload::format_queued_at,
    ports::{ConversationRecord, StatusEvent},
};
use chrono::{DateTime, Utc};

/// How long each phase of `conversation` took.
pub fn step_durations(conversation: &ConversationRecord) -> StepDurations {
    phases(conversation.queued_at, &conversation.events)
}

/// How long each phase of a request queued at `queued_at` with timeline `events` took
/// (an archived conversation's, or a live record's).
pub fn phases(queued_at: DateTime<Utc>, events: &[StatusEvent]) -> StepDurations {
    let first = |status: Status| first_at(events, status);
    let processing = first(Status::Processing);
    let answered = first(Status::AgentCompleted);
    let ended = events
        .iter()
        .rev()
        .find(|event| event.status.is_terminal())
        .map(|event| event.at);
    let delivered = first(Status::Delivered);
    StepDurations {
        queue_wait_ms: processing.map(|at| ms(queued_at, at)),
        agent_ms: processing.zip(answered).map(|(from, to)| ms(from, to)),
        delivery_ms: answered.zip(ended).map(|(from, to)| ms(from, to)),
        end_to_end_ms: delivered.map(|at| ms(queued_at, at)),
    }
}

/// Every delivery attempt of `conversation`, oldest first.
pub fn delivery_attempts(conversation: &ConversationRecord) -> Vec<AttemptLine> {
    let events = &conversation.events;
    let mut attempts = Vec::new();
    for (index, event) in events.iter().enumerate() {
        if event.status != Status::Delivering {
            continue;
        }
        let (outcome, error) = match events.get(index + 1).map(|next| next.status) {
            Some(Status::Delivered) => ("success", None),
            Some(Status::RetryScheduled) => (
                "retrying",
                events[index + 1]
                    .detail
                    .as_deref()
                    .map(|detail| detail.split_once(": ").map_or(detail, |(_, e)| e))
                    .map(str::to_owned),
            ),
            Some(Status::Failed | Status::DeadLettered) => {
                ("failed", conversation.last_error.clone())
            }
            _ => ("interrupted", None),
        };
        attempts.push(AttemptLine {
            attempt: u32::try_from(attempts.len() + 1).unwrap_or(u32::MAX),
            at: format_queued_at(event.at),
            outcome,
            error,
        });
    }
    attempts
}

fn first_at(events: &[StatusEvent], status: Status) -> Option<DateTime<Utc>> {
    events
        .iter()
        .find(|event| event.status == status)
        .map(|event| event.at)
}

fn ms(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_milliseconds().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn conversation(steps: &[(Status, i64, Option<&str>)]) -> ConversationRecord {
        let queued_at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        ConversationRecord {
            last_error: Some("HTTP 400 from the receiver".into()),
            events: steps
                .iter()
                .map(|&(status, ms, detail)| StatusEvent {
                    status,
                    at: queued_at + Duration::milliseconds(ms),
                    detail: detail.map(str::to_owned),
                })
                .collect(),
            ..ConversationRecord::bare(queued_at, steps.last().map_or(Status::Queued, |s| s.0))
        }
    }

    #[test]
    fn phases_and_attempts_of_a_delivery_that_retried() {
        let record = conversation(&[
            (Status::Queued, 0, None),
            (Status::Processing, 40, None),
            (Status::AgentCompleted, 1_540, None),
            (Status::Delivering, 1_541, None),
            (
                Status::RetryScheduled,
                1_600,
                Some("attempt 1 failed: HTTP 500"),
            ),
            (Status::Delivering, 2_600, None),
            (Status::Delivered, 2_650, None),
        ]);
        assert_eq!(
            step_durations(&record),
            StepDurations {
                queue_wait_ms: Some(40),
                agent_ms: Some(1_500),
                delivery_ms: Some(1_110),
                end_to_end_ms: Some(2_650),
            }
        );
        let attempts = delivery_attempts(&record);
        let outcomes: Vec<_> = attempts
            .iter()
            .map(|a| (a.attempt, a.outcome, a.error.as_deref()))
            .collect();
        assert_eq!(
            outcomes,
            [(1, "retrying", Some("HTTP 500")), (2, "success", None)]
        );
    }

    #[test]
    fn a_failed_delivery_and_an_unreached_phase() {
        let failed = conversation(&[
            (Status::Queued, 0, None),
            (Status::Processing, 5, None),
            (Status::AgentCompleted, 10, None),
            (Status::Delivering, 11, None),
            (Status::Failed, 20, None),
        ]);
        let attempts = delivery_attempts(&failed);
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].outcome, "failed");
        assert_eq!(
            attempts[0].error.as_deref(),
            Some("HTTP 400 from the receiver")
        );
        assert_eq!(step_durations(&failed).end_to_end_ms, None);

        let refused = conversation(&[
            (Status::Queued, 0, None),
            (Status::Processing, 5, None),
            (Status::Failed, 9, None),
        ]);
        let steps = step_durations(&refused);
        assert_eq!((steps.queue_wait_ms, steps.agent_ms), (Some(5), None));
        assert!(delivery_attempts(&refused).is_empty());
    }
}
