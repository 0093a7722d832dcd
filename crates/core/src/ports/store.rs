//! The tracking store port: each request's status, timeline, attempts and the agent's
//! stored answer (so a failed delivery never asks the agent again).

use super::AgentAnswer;
use crate::{Category, DeliveryAttempt, InboundRequest, Status, TrackingId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One step of a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// The status entered.
    pub status: Status,
    /// When.
    pub at: DateTime<Utc>,
    /// Why or how, if there is more to say.
    pub detail: Option<String>,
}

/// What the gateway records when it accepts a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// The new request's id.
    pub tracking_id: TrackingId,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// The request's trace id (32 lower-case hex digits, the W3C form of its X-Ray id),
    /// when the gateway's span had one.
    pub trace_id: Option<String>,
}

/// Everything known about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingRecord {
    /// The request's id.
    pub tracking_id: TrackingId,
    /// Its current status.
    pub status: Status,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// The request's trace id, when it has one.
    pub trace_id: Option<String>,
    /// Every status it passed through, oldest first.
    pub events: Vec<StatusEvent>,
    /// Delivery attempts made so far.
    pub attempts: u32,
    /// The last error, if the last step failed.
    pub last_error: Option<String>,
    /// The agent's answer, once there is one.
    pub answer: Option<AgentAnswer>,
    /// The answer's routing category, once the agent answered.
    pub category: Option<Category>,
    /// Calls made to the agent so far, over every round (one more than its retries
    /// once it answered).
    pub agent_calls: u32,
    /// The request as accepted, kept when it reached a bad end (`failed`,
    /// `dead_lettered`) so that it can be replayed after its queue message is gone; `None`
    /// before, or for a record written before requests were kept.
    pub request: Option<InboundRequest>,
    /// Every delivery attempt, oldest first, over every round.
    pub delivery_attempts: Vec<DeliveryAttempt>,
    /// When the next delivery attempt is due, while one is scheduled.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl TrackingRecord {
    /// The record as [`TrackingStore::create`] writes it for `new`: `queued`, with that
    /// one step, no attempts, no error and no answer. Like the stores, it keeps the times
    /// to the microsecond.
    pub fn created(new: &NewRecord) -> Self {
        let queued_at = as_stored(new.queued_at);
        Self {
            tracking_id: new.tracking_id,
            status: Status::Queued,
            source_system: new.source_system.clone(),
            source_process: new.source_process.clone(),
            queued_at,
            trace_id: new.trace_id.clone(),
            events: vec![StatusEvent {
                status: Status::Queued,
                at: queued_at,
                detail: None,
            }],
            attempts: 0,
            last_error: None,
            answer: None,
            category: None,
            agent_calls: 0,
            request: None,
            delivery_attempts: Vec::new(),
            next_attempt_at: None,
        }
    }

    /// The record as it is once `update` is written: what every store's
    /// [`TrackingStore::update`] does, so a writer that knows the record need not read it
    /// back. Like the stores, it keeps a step's time to the microsecond.
    pub fn apply(&mut self, update: &StatusUpdate) {
        self.status = update.status;
        self.events.extend(update.events().map(|event| StatusEvent {
            at: as_stored(event.at),
            ..event
        }));
        if let Some(answer) = &update.answer {
            self.answer = Some(answer.clone());
        }
        if let Some(attempts) = update.attempts {
            self.attempts = attempts;
        }
        if let Some(category) = update.category {
            self.category = Some(category);
        }
        if let Some(agent_calls) = update.agent_calls {
            self.agent_calls = agent_calls;
        }
        if let Some(last_error) = &update.last_error {
            self.last_error.clone_from(last_error);
        }
        self.delivery_attempts
            .extend(
                update
                    .delivery_attempts
                    .iter()
                    .map(|attempt| DeliveryAttempt {
                        at: as_stored(attempt.at),
                        ..attempt.clone()
                    }),
            );
        if let Some(next) = update.next_attempt_at {
            self.next_attempt_at = next.map(as_stored);
        }
        if let Some(request) = &update.request {
            self.request = Some(request.clone());
        }
    }
}

/// `at` as every store keeps it: to the microsecond.
fn as_stored(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound as _;
    at.trunc_subsecs(6)
}

/// A change of status, with what came with it. It may carry the steps passed through on
/// the way (see [`StatusUpdate::after`]): all are written at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// Timeline entries passed through on the way to this status, oldest first: they
    /// are appended before this update's own entry, in the same write.
    pub earlier: Vec<StatusEvent>,
    /// The new status (appended to the timeline).
    pub status: Status,
    /// When.
    pub at: DateTime<Utc>,
    /// The timeline entry's detail.
    pub detail: Option<String>,
    /// The agent's answer, to store.
    pub answer: Option<AgentAnswer>,
    /// The delivery attempts so far, if changed.
    pub attempts: Option<u32>,
    /// The answer's routing category, to store with it.
    pub category: Option<Category>,
    /// The agent calls so far, if changed.
    pub agent_calls: Option<u32>,
    /// `Some(None)` clears the last error, `Some(Some(e))` sets it.
    pub last_error: Option<Option<String>>,
    /// Delivery attempts that ended, to append to the record's, oldest first.
    pub delivery_attempts: Vec<DeliveryAttempt>,
    /// `Some(None)` clears the next attempt's time, `Some(Some(t))` sets it.
    pub next_attempt_at: Option<Option<DateTime<Utc>>>,
    /// The request as accepted, to keep with a bad end, for a replay.
    pub request: Option<InboundRequest>,
}

impl StatusUpdate {
    /// A bare status change at `at`.
    pub fn new(status: Status, at: DateTime<Utc>) -> Self {
        Self {
            earlier: Vec::new(),
            status,
            at,
            detail: None,
            answer: None,
            attempts: None,
            category: None,
            agent_calls: None,
            last_error: None,
            delivery_attempts: Vec::new(),
            next_attempt_at: None,
            request: None,
        }
    }

    /// With a timeline detail.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// With the agent's answer.
    pub fn answer(mut self, answer: AgentAnswer) -> Self {
        self.answer = Some(answer);
        self
    }

    /// With the answer's routing category.
    pub fn category(mut self, category: Category) -> Self {
        self.category = Some(category);
        self
    }

    /// With the count of agent calls so far.
    pub fn agent_calls(mut self, calls: u32) -> Self {
        self.agent_calls = Some(calls);
        self
    }

    /// With the attempt count.
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = Some(attempts);
        self
    }

    /// With the last error set (`Some`) or cleared (`None`).
    pub fn last_error(mut self, error: Option<String>) -> Self {
        self.last_error = Some(error);
        self
    }

    /// With a delivery attempt that ended.
    pub fn delivery_attempt(mut self, attempt: DeliveryAttempt) -> Self {
        self.delivery_attempts.push(attempt);
        self
    }

    /// Keeping `request` with this step (a bad end), for a replay.
    pub fn keep_request(mut self, request: &InboundRequest) -> Self {
        self.request = Some(request.clone());
        self
    }

    /// With the next attempt due at `at` (`None`: none is).
    pub fn next_attempt_at(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.next_attempt_at = Some(at);
        self
    }

    /// `earlier` and then this update, as one write: the timeline gets both entries in
    /// order, and where both set a field, this update's value wins. It saves a round
    /// trip to the store where nothing has to be known in between.
    pub fn after(self, earlier: StatusUpdate) -> Self {
        let mut events = earlier.earlier;
        events.push(StatusEvent {
            status: earlier.status,
            at: earlier.at,
            detail: earlier.detail,
        });
        events.extend(self.earlier);
        let mut delivery_attempts = earlier.delivery_attempts;
        delivery_attempts.extend(self.delivery_attempts);
        Self {
            delivery_attempts,
            next_attempt_at: self.next_attempt_at.or(earlier.next_attempt_at),
            request: self.request.or(earlier.request),
            earlier: events,
            answer: self.answer.or(earlier.answer),
            attempts: self.attempts.or(earlier.attempts),
            category: self.category.or(earlier.category),
            agent_calls: self.agent_calls.or(earlier.agent_calls),
            last_error: self.last_error.or(earlier.last_error),
            ..self
        }
    }

    /// Every timeline entry this update appends, oldest first.
    pub fn events(&self) -> impl Iterator<Item = StatusEvent> + '_ {
        self.earlier
            .iter()
            .cloned()
            .chain(std::iter::once(StatusEvent {
                status: self.status,
                at: self.at,
                detail: self.detail.clone(),
            }))
    }
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key was free; it now names the given tracking id.
    New,
    /// The key was taken within the last 24 hours, by this request.
    Existing(TrackingId),
}

/// What claiming a request's `Idempotency-Key` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKeyClaim {
    /// The key was free (or its first request was never recorded, so never accepted);
    /// it now names the new request.
    New,
    /// The key names a request accepted within the last 24 hours.
    Existing {
        /// That request's tracking id.
        tracking_id: TrackingId,
        /// When it was queued.
        queued_at: DateTime<Utc>,
    },
}

/// How long an idempotency key is held.
pub const IDEMPOTENCY_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// The store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// It cannot answer now; try again later.
    #[error("tracking store unavailable: {0}")]
    Unavailable(String),
    /// No record for that id.
    #[error("no record for tracking id {0}")]
    NotFound(TrackingId),
}

impl StoreError {
    /// Whether trying again may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// The tracking store.
#[async_trait]
pub trait TrackingStore: Send + Sync + 'static {
    /// Records a newly accepted request, with its `queued` event. Creating an id that
    /// exists already changes nothing.
    async fn create(&self, record: NewRecord) -> Result<(), StoreError>;

    /// The record of `id`, if any.
    async fn get(&self, id: &TrackingId) -> Result<Option<TrackingRecord>, StoreError>;

    /// Applies a status change and appends it to the timeline.
    async fn update(&self, id: &TrackingId, update: StatusUpdate) -> Result<(), StoreError>;

    /// Takes the processing lease on `id` for `owner` until `until`. It is granted when
    /// nobody holds it, when the holder's lease ended before `now`, or when `owner` holds
    /// it already; so two copies of one message are never worked on at once. When it is
    /// granted, `entering` (if any) is applied in the same write, as by
    /// [`update`](Self::update); when it is refused, nothing changes. With `steps_seen`,
    /// it is also refused unless the record still has exactly that many steps in its
    /// timeline: every write adds one, so a caller that read the record with that many
    /// knows nothing was written to it since.
    async fn claim(
        &self,
        id: &TrackingId,
        owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        entering: Option<StatusUpdate>,
        steps_seen: Option<usize>,
    ) -> Result<bool, StoreError>;

    /// Puts a request back in line: applies `update` (a `queued` step) and frees the
    /// lease, only if the record still has exactly `steps_seen` steps in its timeline, so
    /// of two replays of one request, or a replay racing the worker that holds it, one
    /// wins. Whether it was applied; `NotFound` when there is no record.
    async fn reopen(
        &self,
        id: &TrackingId,
        update: StatusUpdate,
        steps_seen: usize,
    ) -> Result<bool, StoreError>;

    /// Every request in `status`, oldest queued first. Meant for the operator's commands,
    /// not for the flow of requests: a store without an index on the status (DynamoDB)
    /// reads all its records to answer.
    async fn in_status(&self, status: Status) -> Result<Vec<TrackingRecord>, StoreError>;

    /// Gives up `owner`'s lease on `id`, if it still holds it.
    async fn release(&self, id: &TrackingId, owner: &str) -> Result<(), StoreError>;

    /// Claims `key` within `scope` (the caller's `source_system`, say) for `tracking_id`
    /// for [`IDEMPOTENCY_WINDOW`]; one atomic write decides between two racing claims.
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError>;

    /// Claims a request's `Idempotency-Key` for the new request `tracking_id`, in one call:
    /// a key held by a request that was recorded answers with that request; a key whose
    /// request was never recorded (it died before it was accepted) is taken over. This
    /// default claims, reads the holder, and takes the key over with a release and a
    /// second claim; a store that can do it in one transaction does.
    async fn claim_request_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<RequestKeyClaim, StoreError> {
        let IdempotencyClaim::Existing(first) = self
            .claim_idempotency_key(scope, key, tracking_id, now)
            .await?
        else {
            return Ok(RequestKeyClaim::New);
        };
        if let Some(record) = self.get(&first).await? {
            return Ok(RequestKeyClaim::Existing {
                tracking_id: first,
                queued_at: record.queued_at,
            });
        }
        self.release_idempotency_key(scope, key, &first).await?;
        match self
            .claim_idempotency_key(scope, key, tracking_id, now)
            .await?
        {
            IdempotencyClaim::New => Ok(RequestKeyClaim::New),
            IdempotencyClaim::Existing(_) => Err(StoreError::Unavailable(
                "the idempotency key is being claimed by another request; try again".into(),
            )),
        }
    }

    /// Frees `key` if it still names `tracking_id` (its request was not accepted after all).
    async fn release_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
    ) -> Result<(), StoreError>;

    /// Whether the store answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_after_another_keeps_both_steps_and_the_later_values() {
        let at = Utc::now();
        let answer = AgentAnswer {
            response: "yes".into(),
            session_id: "s".into(),
            answered_at: at,
            ..Default::default()
        };
        let answered = StatusUpdate::new(Status::AgentCompleted, at)
            .detail("answered")
            .answer(answer.clone())
            .attempts(7)
            .last_error(None);
        let delivering = StatusUpdate::new(Status::Delivering, at)
            .detail("attempt 1")
            .attempts(1)
            .after(answered);
        assert_eq!(delivering.status, Status::Delivering);
        assert_eq!(
            delivering.answer,
            Some(answer),
            "kept from the earlier step"
        );
        assert_eq!(delivering.attempts, Some(1), "the later step's value wins");
        assert_eq!(
            delivering.last_error,
            Some(None),
            "kept from the earlier step"
        );
        let steps: Vec<_> = delivering.events().map(|e| (e.status, e.detail)).collect();
        assert_eq!(
            steps,
            [
                (Status::AgentCompleted, Some("answered".to_owned())),
                (Status::Delivering, Some("attempt 1".to_owned())),
            ]
        );
        let failed = StatusUpdate::new(Status::Failed, at).after(delivering);
        assert_eq!(failed.events().count(), 3, "steps chain in order");
        assert_eq!(
            failed.events().last().map(|e| e.status),
            Some(Status::Failed)
        );
    }
}
