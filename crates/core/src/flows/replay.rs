//! Replay: a request that reached a bad end put back in line, as a step of its
//! lifecycle. `revops dlq replay` takes `dead_lettered` requests and `revops redeliver`
//! `failed` ones; a message moved back from the dead-letter queue by other means (a
//! console redrive) is taken up by the processor's lease step the same way.
//!
//! One replay: the record goes back to `queued` (the detail names who replayed it; the
//! delivery attempts start over and the last error is cleared) only if nothing was
//! written to it since it was read, and its lease is freed; then its message is sent
//! anew from the request kept with its bad end, under the same tracking id (so `webhook-id` stays the
//! same and receivers deduplicate) and in the trace its `POST` began. Should the send
//! fail, the record is put back as it was. The processor then finds a stored answer and
//! delivers it without asking the agent again, or asks the agent when there is none.
//! Two replays of one request, or a replay racing a worker, cannot both win the
//! conditional write, so a request is delivered at most once at a time.

use crate::{
    Clock, Status, TrackingId,
    flows::message::{REPLAYED_BY_ATTRIBUTE, RequestMessage},
    ports::{
        DeadLetterCopies, QueueError, QueueSender, StatusUpdate, StoreError, TrackingRecord,
        TrackingStore,
    },
};
use chrono::{DateTime, Utc};
use revops_telemetry::propagation;
use std::{sync::Arc, time::Duration};

/// Who a redrive of the dead-letter queue is put down to, in the timeline.
pub const REDRIVE: &str = "a redrive of the dead-letter queue";

/// Which requests a command replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayFrom {
    /// The dead-lettered ones (`revops dlq replay`).
    DeadLetters,
    /// The failed ones (`revops redeliver`).
    Failed,
}

impl ReplayFrom {
    /// The status the requests must be in.
    pub fn status(self) -> Status {
        match self {
            ReplayFrom::DeadLetters => Status::DeadLettered,
            ReplayFrom::Failed => Status::Failed,
        }
    }

    /// The command that replays them, for people.
    pub fn command(self) -> &'static str {
        match self {
            ReplayFrom::DeadLetters => "revops dlq replay",
            ReplayFrom::Failed => "revops redeliver",
        }
    }
}

/// The requests a command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These, each of which must be in the command's status.
    Ids(Vec<TrackingId>),
    /// Every request in the command's status that reached it within the window.
    All {
        /// At or after.
        since: Option<DateTime<Utc>>,
        /// Before.
        until: Option<DateTime<Utc>>,
    },
}

/// The named requests cannot all be replayed; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// No such request.
    #[error("no request has tracking id {0}")]
    Unknown(TrackingId),
    /// The request is not in the command's status.
    #[error("request {id} is {status}; {command} takes only {wanted} requests")]
    NotReplayable {
        /// The request.
        id: TrackingId,
        /// Its status.
        status: Status,
        /// The status the command takes.
        wanted: Status,
        /// The command.
        command: &'static str,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What became of one request's replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayResult {
    /// Back on the queue.
    Replayed,
    /// Left as it was, for this reason.
    Skipped(String),
}

/// The `queued` step that puts a request back in line, replayed by `by`: the delivery
/// attempts start over and the last error is cleared.
pub fn reopening(at: DateTime<Utc>, by: &str) -> StatusUpdate {
    StatusUpdate::new(Status::Queued, at)
        .detail(format!("replayed by {by}"))
        .attempts(0)
        .last_error(None)
        .next_attempt_at(None)
}

/// When `record`'s request reached its current status: its last step's time.
pub fn reached_at(record: &TrackingRecord) -> DateTime<Utc> {
    record
        .events
        .last()
        .map_or(record.queued_at, |event| event.at)
}

/// Replays requests through a store and the request queue.
#[derive(Clone)]
pub struct Replayer {
    store: Arc<dyn TrackingStore>,
    queue: Arc<dyn QueueSender>,
    copies: Arc<dyn DeadLetterCopies>,
    clock: Arc<dyn Clock>,
}

impl Replayer {
    /// A replayer over these adapters.
    pub fn new(
        store: Arc<dyn TrackingStore>,
        queue: Arc<dyn QueueSender>,
        copies: Arc<dyn DeadLetterCopies>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            queue,
            copies,
            clock,
        }
    }

    /// The records `selection` names for `from`, oldest end first; an unknown id or one
    /// in another status is refused, naming it, before anything is changed.
    pub async fn select(
        &self,
        from: ReplayFrom,
        selection: &Selection,
    ) -> Result<Vec<TrackingRecord>, SelectionError> {
        let wanted = from.status();
        let mut records = match selection {
            Selection::Ids(ids) => {
                let mut records = Vec::with_capacity(ids.len());
                for id in ids {
                    let record = self
                        .store
                        .get(id)
                        .await?
                        .ok_or(SelectionError::Unknown(*id))?;
                    if record.status != wanted {
                        return Err(SelectionError::NotReplayable {
                            id: *id,
                            status: record.status,
                            wanted,
                            command: from.command(),
                        });
                    }
                    if !records
                        .iter()
                        .any(|r: &TrackingRecord| r.tracking_id == *id)
                    {
                        records.push(record);
                    }
                }
                records
            }
            Selection::All { since, until } => self
                .store
                .in_status(wanted)
                .await?
                .into_iter()
                .filter(|record| {
                    let at = reached_at(record);
                    since.is_none_or(|since| at >= since) && until.is_none_or(|until| at < until)
                })
                .collect(),
        };
        records.sort_by_key(reached_at);
        Ok(records)
    }

    /// Puts `record`'s request back in line, replayed by `by` (see the module).
    pub async fn replay(&self, record: &TrackingRecord, by: &str) -> ReplayResult {
        let Some(message) = RequestMessage::from_record(record) else {
            return ReplayResult::Skipped(
                "its request was not kept (it ended before requests were kept, or SQS moved its message without the processor); redrive its dead-letter message instead".into(),
            );
        };
        let id = record.tracking_id;
        match self
            .store
            .reopen(&id, reopening(self.clock.now(), by), record.events.len())
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                return ReplayResult::Skipped(
                    "it changed since it was read (replayed by someone else, or being worked on)"
                        .into(),
                );
            }
            Err(error) => return ReplayResult::Skipped(format!("the store failed: {error}")),
        }
        let mut outgoing = message.encode();
        if let Some(trace) = record
            .trace_id
            .as_deref()
            .and_then(|trace| propagation::resume_trace(trace, &id.to_string()))
        {
            outgoing.attributes.extend(trace);
        }
        outgoing
            .attributes
            .insert(REPLAYED_BY_ATTRIBUTE.to_owned(), by.to_owned());
        match self.queue.send(outgoing, Duration::ZERO).await {
            Ok(_) => ReplayResult::Replayed,
            Err(error) => {
                let restored = StatusUpdate::new(record.status, self.clock.now())
                    .detail(format!("replay not sent ({error}); left {}", record.status))
                    .attempts(record.attempts)
                    .last_error(record.last_error.clone());
                if let Err(store_error) = self.store.update(&id, restored).await {
                    tracing::error!(tracking_id = %id, error = %store_error, "a replay that was not sent left its request queued with no message; replay it again");
                }
                ReplayResult::Skipped(format!("the queue refused it: {error}"))
            }
        }
    }

    /// Removes the dead-letter queue's copies of `ids`' messages (see
    /// [`DeadLetterCopies`]); how many went.
    pub async fn discard_copies(&self, ids: &[TrackingId]) -> Result<usize, QueueError> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.copies.discard(ids).await
    }
}
