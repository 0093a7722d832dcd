//! Delays: SQS holds a message back for at most 15 minutes (`DelaySeconds` ≤ 900). A
//! longer delay is sent as 900 s plus the due time in the [`NOT_BEFORE_ATTRIBUTE`]
//! attribute; a host that receives the message before then sends it back for the rest
//! ([`not_due_yet`] says for how long), so delays chain until the message is due.

use chrono::{DateTime, SecondsFormat, Utc};
use revops_core::ports::{QueueMessage, Received};
use std::time::Duration;

/// The longest delay SQS takes on a send.
pub const MAX_SQS_DELAY: Duration = Duration::from_secs(900);

/// The message attribute that holds when a message delayed beyond [`MAX_SQS_DELAY`] is
/// due, in RFC 3339.
pub const NOT_BEFORE_ATTRIBUTE: &str = "revops_not_before";

/// How long a received message must still wait, if it carries a due time that has not
/// come yet (`None` when it is due, or carries no due time). The host sends such a
/// message back with `requeue(receipt, wait)` instead of handling it.
pub fn not_due_yet(received: &Received, now: DateTime<Utc>) -> Option<Duration> {
    let text = received.message.attributes.get(NOT_BEFORE_ATTRIBUTE)?;
    let due = match DateTime::parse_from_rfc3339(text) {
        Ok(due) => due.with_timezone(&Utc),
        Err(error) => {
            tracing::warn!(message_id = %received.message_id, %error, "unreadable due time; handling the message now");
            return None;
        }
    };
    (due - now).to_std().ok().filter(|wait| !wait.is_zero())
}

/// The `DelaySeconds` for a send of `delay`, rounded up to whole seconds, and the
/// message as sent: with the due time when the delay is longer than SQS allows, without
/// a stale one otherwise.
pub(crate) fn schedule(
    mut message: QueueMessage,
    delay: Duration,
    now: DateTime<Utc>,
) -> (i32, QueueMessage) {
    if delay > MAX_SQS_DELAY {
        let due = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        message.attributes.insert(
            NOT_BEFORE_ATTRIBUTE.to_owned(),
            due.to_rfc3339_opts(SecondsFormat::Millis, true),
        );
        return (whole_seconds(MAX_SQS_DELAY), message);
    }
    message.attributes.remove(NOT_BEFORE_ATTRIBUTE);
    (whole_seconds(delay), message)
}

/// `duration` in whole seconds, rounded up (a delay is never shortened), as SQS's `i32`.
pub(crate) fn whole_seconds(duration: Duration) -> i32 {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i32::try_from(seconds).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use revops_core::ports::Receipt;

    fn received(message: QueueMessage) -> Received {
        Received {
            message_id: "m".into(),
            receipt: Receipt("r".into()),
            message,
            receive_count: 1,
            sent_at: Utc::now(),
        }
    }

    #[test]
    fn short_delays_are_sent_as_they_are_and_drop_a_stale_due_time() {
        let mut message = QueueMessage::default();
        message
            .attributes
            .insert(NOT_BEFORE_ATTRIBUTE.into(), "2020-01-01T00:00:00Z".into());
        let (seconds, sent) = schedule(message, Duration::from_millis(4_200), Utc::now());
        assert_eq!(seconds, 5);
        assert!(!sent.attributes.contains_key(NOT_BEFORE_ATTRIBUTE));
        let (seconds, _) = schedule(QueueMessage::default(), MAX_SQS_DELAY, Utc::now());
        assert_eq!(seconds, 900);
    }

    #[test]
    fn long_delays_chain_through_the_due_time() {
        let now = Utc::now();
        let (seconds, sent) = schedule(QueueMessage::default(), Duration::from_secs(3_600), now);
        assert_eq!(seconds, 900);
        let early = received(sent);
        let wait = not_due_yet(&early, now + chrono::Duration::seconds(900)).unwrap();
        assert!(wait <= Duration::from_secs(2_700) && wait > Duration::from_secs(2_699));
        assert_eq!(
            not_due_yet(&early, now + chrono::Duration::seconds(3_600)),
            None
        );
        assert_eq!(not_due_yet(&received(QueueMessage::default()), now), None);
    }
}
