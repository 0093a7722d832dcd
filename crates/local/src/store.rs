//! The tracking store on SQLite: one row per request and one per timeline event.

use crate::{
    db::{Database, DbError},
    time::{duration_micros, from_micros, to_micros},
};
use async_trait::async_trait;
use chrono::{DateTime, SubsecRound as _, Utc};
use revops_core::{
    DeliveryAttempt, InboundRequest, Status, TrackingId,
    ports::{
        AgentAnswer, IDEMPOTENCY_WINDOW, IdempotencyClaim, NewRecord, RequestKeyClaim, StatusEvent,
        StatusUpdate, StoreError, TrackingRecord, TrackingStore,
    },
};
use rusqlite::{Connection, OptionalExtension, params};

/// The store.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) db: Database,
}

impl SqliteStore {
    /// A store on `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Drops every lease: their holders belonged to a process that is gone. Only the
    /// process that owns the data directory may call this, at start. Returns how many.
    pub async fn release_all_leases(&self) -> Result<usize, StoreError> {
        Ok(self
            .db
            .call(|c| {
                Ok(c.prepare_cached(
                    "UPDATE tracking SET lease_owner = NULL, lease_until = NULL
                     WHERE lease_owner IS NOT NULL",
                )?
                .execute([])?)
            })
            .await?)
    }
}

impl From<DbError> for StoreError {
    fn from(error: DbError) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> DbError {
    DbError::Sqlite(format!("stored {what} does not parse: {detail}"))
}

#[async_trait]
impl TrackingStore for SqliteStore {
    async fn create(&self, record: NewRecord) -> Result<(), StoreError> {
        let row = NewRow::from(record);
        self.db.call_first(move |c| row.insert(c)).await?;
        Ok(())
    }

    async fn get(&self, id: &TrackingId) -> Result<Option<TrackingRecord>, StoreError> {
        let tracking_id = *id;
        Ok(self.db.read(move |c| read_record(c, tracking_id)).await?)
    }

    async fn update(&self, id: &TrackingId, update: StatusUpdate) -> Result<(), StoreError> {
        let tracking_id = *id;
        let key = id.to_string();
        let updated = self
            .db
            .call(move |c| change_status(c, &key, &update))
            .await?;
        if !updated {
            return Err(StoreError::NotFound(tracking_id));
        }
        Ok(())
    }

    async fn claim(
        &self,
        id: &TrackingId,
        owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        entering: Option<StatusUpdate>,
        steps_seen: Option<usize>,
    ) -> Result<bool, StoreError> {
        let key = id.to_string();
        let owner = owner.to_owned();
        let steps_seen = steps_seen.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        let outcome = self
            .db
            .call(move |c| {
                let claimed = claim_lease(c, &key, &owner, until, now, steps_seen)?;
                if let (Some(true), Some(update)) = (claimed, &entering) {
                    change_status(c, &key, update)?;
                }
                Ok(claimed)
            })
            .await?;
        outcome.ok_or(StoreError::NotFound(*id))
    }

    async fn reopen(
        &self,
        id: &TrackingId,
        update: StatusUpdate,
        steps_seen: usize,
    ) -> Result<bool, StoreError> {
        let key = id.to_string();
        let steps_seen = i64::try_from(steps_seen).unwrap_or(i64::MAX);
        let outcome = self
            .db
            .call(move |c| {
                let freed = c
                    .prepare_cached(
                        "UPDATE tracking SET lease_owner = NULL, lease_until = NULL
                         WHERE tracking_id = ?1
                           AND (SELECT COUNT(*) FROM tracking_events WHERE tracking_id = ?1) = ?2",
                    )?
                    .execute(params![key, steps_seen])?
                    == 1;
                if freed {
                    change_status(c, &key, &update)?;
                    return Ok(Some(true));
                }
                let exists = c
                    .prepare_cached("SELECT 1 FROM tracking WHERE tracking_id = ?1")?
                    .query_row([&key], |_| Ok(()))
                    .optional()?
                    .is_some();
                Ok(exists.then_some(false))
            })
            .await?;
        outcome.ok_or(StoreError::NotFound(*id))
    }

    async fn in_status(&self, status: Status) -> Result<Vec<TrackingRecord>, StoreError> {
        // The partial index serves the two statuses a replay takes; its condition is
        // repeated so that SQLite sees it applies.
        let select = if matches!(status, Status::DeadLettered | Status::Failed) {
            "SELECT tracking_id FROM tracking
             WHERE status = ?1 AND status IN ('dead_lettered', 'failed') ORDER BY queued_at"
        } else {
            "SELECT tracking_id FROM tracking WHERE status = ?1 ORDER BY queued_at"
        };
        Ok(self
            .db
            .read(move |c| {
                let ids = c
                    .prepare_cached(select)?
                    .query_map([status.as_str()], |row| row.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut records = Vec::with_capacity(ids.len());
                for id in ids {
                    let tracking_id = id.parse().map_err(|e| corrupt("tracking id", e))?;
                    records.extend(read_record(c, tracking_id)?);
                }
                Ok(records)
            })
            .await?)
    }

    async fn release(&self, id: &TrackingId, owner: &str) -> Result<(), StoreError> {
        let key = id.to_string();
        let owner = owner.to_owned();
        self.db
            .call(move |c| {
                c.prepare_cached(
                    "UPDATE tracking SET lease_owner = NULL, lease_until = NULL
                     WHERE tracking_id = ?1 AND lease_owner = ?2",
                )?
                .execute(params![key, owner])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError> {
        let (scope, key, id) = (scope.to_owned(), key.to_owned(), tracking_id.to_string());
        let now = to_micros(now);
        let expires = now.saturating_add(duration_micros(IDEMPOTENCY_WINDOW));
        let holder: Option<String> = self
            .db
            .call_first(move |c| {
                let claimed = c
                    .prepare_cached(
                        "INSERT INTO idempotency_keys (scope, key, tracking_id, expires_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (scope, key) DO UPDATE
                       SET tracking_id = excluded.tracking_id, expires_at = excluded.expires_at
                       WHERE idempotency_keys.expires_at < ?5",
                    )?
                    .execute(params![scope, key, id, expires, now])?;
                if claimed == 1 {
                    return Ok(None);
                }
                Ok(Some(
                    c.prepare_cached(
                        "SELECT tracking_id FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
                    )?
                    .query_row(params![scope, key], |row| row.get(0))?,
                ))
            })
            .await?;
        match holder {
            None => Ok(IdempotencyClaim::New),
            Some(text) => parse_holder(&text).map(IdempotencyClaim::Existing),
        }
    }

    /// The claim and the takeover in one writer job: a key whose request was never
    /// recorded is overwritten by the same statement that claims a free one.
    async fn claim_request_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<RequestKeyClaim, StoreError> {
        let (scope, key, id) = (scope.to_owned(), key.to_owned(), tracking_id.to_string());
        let now = to_micros(now);
        let expires = now.saturating_add(duration_micros(IDEMPOTENCY_WINDOW));
        let holder: Option<(String, i64)> = self
            .db
            .call_first(move |c| {
                let claimed = c
                    .prepare_cached(
                        "INSERT INTO idempotency_keys (scope, key, tracking_id, expires_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (scope, key) DO UPDATE
                       SET tracking_id = excluded.tracking_id, expires_at = excluded.expires_at
                       WHERE idempotency_keys.expires_at < ?5
                          OR NOT EXISTS (SELECT 1 FROM tracking
                                         WHERE tracking.tracking_id = idempotency_keys.tracking_id)",
                    )?
                    .execute(params![scope, key, id, expires, now])?;
                if claimed == 1 {
                    return Ok(None);
                }
                Ok(Some(
                    c.prepare_cached(
                        "SELECT k.tracking_id, t.queued_at FROM idempotency_keys k
                         JOIN tracking t ON t.tracking_id = k.tracking_id
                         WHERE k.scope = ?1 AND k.key = ?2",
                    )?
                    .query_row(params![scope, key], |row| Ok((row.get(0)?, row.get(1)?)))?,
                ))
            })
            .await?;
        match holder {
            None => Ok(RequestKeyClaim::New),
            Some((text, queued_at)) => Ok(RequestKeyClaim::Existing {
                tracking_id: parse_holder(&text)?,
                queued_at: from_micros(queued_at),
            }),
        }
    }

    async fn release_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
    ) -> Result<(), StoreError> {
        let (scope, key, id) = (scope.to_owned(), key.to_owned(), tracking_id.to_string());
        self.db
            .call_first(move |c| {
                c.prepare_cached("DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND tracking_id = ?3")?.execute(params![scope, key, id])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.db
            .call_first(|c| Ok(c.prepare_cached("SELECT 1")?.query_row([], |_| Ok(()))?))
            .await?;
        Ok(())
    }
}

/// The tracking id an idempotency key names.
fn parse_holder(text: &str) -> Result<TrackingId, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Unavailable(format!("stored tracking id does not parse: {e}")))
}

/// The record of `tracking_id`, if there is one.
fn read_record(c: &Connection, tracking_id: TrackingId) -> Result<Option<TrackingRecord>, DbError> {
    let key = tracking_id.to_string();
    let row = c
        .prepare_cached(
            "SELECT status, source_system, source_process, queued_at, attempts,
                    last_error, answer, trace_id, category, agent_calls,
                    (SELECT request FROM tracking_requests r WHERE r.tracking_id = ?1),
                    next_attempt_at
             FROM tracking WHERE tracking_id = ?1",
        )?
        .query_row([&key], |row| {
            Ok((
                (
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, i64>(4)?,
                ),
                (
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, Option<String>>(6)?,
                    row.get::<_, Option<String>>(7)?,
                    row.get::<_, Option<String>>(8)?,
                    row.get::<_, i64>(9)?,
                    row.get::<_, Option<String>>(10)?,
                    row.get::<_, Option<i64>>(11)?,
                ),
            ))
        })
        .optional()?;
    let Some((
        (status, source_system, source_process, queued_at, attempts),
        (last_error, answer, trace_id, category, agent_calls, request, next_attempt_at),
    )) = row
    else {
        return Ok(None);
    };
    let mut select = c.prepare_cached(
        "SELECT status, at, detail, attempts FROM tracking_events
         WHERE tracking_id = ?1 ORDER BY seq",
    )?;
    let mut delivery_attempts = Vec::new();
    let events = select
        .query_map([&key], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?
        .map(|row| {
            let (status, at, detail, attempts) = row?;
            if let Some(attempts) = attempts {
                let attempts: Vec<DeliveryAttempt> =
                    serde_json::from_str(&attempts).map_err(|e| corrupt("delivery attempts", e))?;
                delivery_attempts.extend(attempts);
            }
            Ok(StatusEvent {
                status: status.parse().map_err(|e| corrupt("status", e))?,
                at: from_micros(at),
                detail,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let answer: Option<AgentAnswer> = answer
        .map(|text| serde_json::from_str(&text).map_err(|e| corrupt("answer", e)))
        .transpose()?;
    let request: Option<InboundRequest> = request
        .map(|text| serde_json::from_str(&text).map_err(|e| corrupt("request", e)))
        .transpose()?;
    Ok(Some(TrackingRecord {
        tracking_id,
        status: status.parse().map_err(|e| corrupt("status", e))?,
        source_system,
        source_process,
        queued_at: from_micros(queued_at),
        trace_id,
        events,
        attempts: u32::try_from(attempts).unwrap_or(0),
        last_error,
        answer,
        category: category
            .map(|text| text.parse().map_err(|e| corrupt("category", e)))
            .transpose()?,
        agent_calls: u32::try_from(agent_calls).unwrap_or(0),
        request,
        delivery_attempts,
        next_attempt_at: next_attempt_at.map(from_micros),
    }))
}

/// A new request's record as its row: what can be made before the writer takes it is
/// made here, off the writer's thread.
pub(crate) struct NewRow {
    id: String,
    record: NewRecord,
}

impl From<NewRecord> for NewRow {
    fn from(record: NewRecord) -> Self {
        Self {
            id: record.tracking_id.to_string(),
            record,
        }
    }
}

impl NewRow {
    /// Writes the record and its `queued` step, unless its id exists already.
    pub(crate) fn insert(&self, c: &Connection) -> Result<(), DbError> {
        let queued_at = to_micros(self.record.queued_at);
        let inserted = c
            .prepare_cached(
                "INSERT OR IGNORE INTO tracking
                   (tracking_id, status, source_system, source_process, queued_at, trace_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                self.id,
                Status::Queued.as_str(),
                self.record.source_system,
                self.record.source_process,
                queued_at,
                self.record.trace_id
            ])?;
        if inserted == 1 {
            c.prepare_cached(
                "INSERT INTO tracking_events (tracking_id, status, at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![self.id, Status::Queued.as_str(), queued_at])?;
        }
        Ok(())
    }
}

/// Applies `update` to the request `key` and appends its timeline entries; false when
/// there is no such request.
fn change_status(c: &Connection, key: &str, update: &StatusUpdate) -> Result<bool, DbError> {
    let answer = update
        .answer
        .as_ref()
        .map(|answer| serde_json::to_string(answer).expect("an answer always serialises"));
    let changed = c
        .prepare_cached(
            "UPDATE tracking SET status = ?2,
                answer = COALESCE(?3, answer),
                attempts = COALESCE(?4, attempts),
                last_error = CASE WHEN ?5 THEN ?6 ELSE last_error END,
                category = COALESCE(?7, category),
                agent_calls = COALESCE(?8, agent_calls),
                next_attempt_at = CASE WHEN ?9 THEN ?10 ELSE next_attempt_at END
             WHERE tracking_id = ?1",
        )?
        .execute(params![
            key,
            update.status.as_str(),
            answer,
            update.attempts,
            update.last_error.is_some(),
            update.last_error.clone().flatten(),
            update.category.map(|category| category.as_str()),
            update.agent_calls,
            update.next_attempt_at.is_some(),
            update.next_attempt_at.flatten().map(to_micros)
        ])?;
    if changed == 0 {
        return Ok(false);
    }
    let mut append = c.prepare_cached(
        "INSERT INTO tracking_events (tracking_id, status, at, detail, attempts)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    // The attempts ride on the update's own step, the last one written.
    let attempts = (!update.delivery_attempts.is_empty()).then(|| {
        let stored: Vec<DeliveryAttempt> = update
            .delivery_attempts
            .iter()
            .map(|attempt| DeliveryAttempt {
                at: attempt.at.trunc_subsecs(6),
                ..attempt.clone()
            })
            .collect();
        serde_json::to_string(&stored).expect("attempts always serialise")
    });
    let steps = update.events().count();
    for (n, event) in update.events().enumerate() {
        append.execute(params![
            key,
            event.status.as_str(),
            to_micros(event.at),
            event.detail,
            if n + 1 == steps {
                attempts.as_deref()
            } else {
                None
            }
        ])?;
    }
    if let Some(request) = &update.request {
        let json = serde_json::to_string(request).expect("a request always serialises");
        c.prepare_cached(
            "INSERT OR REPLACE INTO tracking_requests (tracking_id, request) VALUES (?1, ?2)",
        )?
        .execute(params![key, json])?;
    }
    Ok(true)
}

/// Takes the lease on the request `key` for `owner` (see [`TrackingStore::claim`]):
/// whether it was granted, or `None` when there is no such request.
fn claim_lease(
    c: &Connection,
    key: &str,
    owner: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    steps_seen: Option<i64>,
) -> Result<Option<bool>, DbError> {
    let claimed =
        c.prepare_cached(
            "UPDATE tracking SET lease_owner = ?2, lease_until = ?3
             WHERE tracking_id = ?1
               AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until < ?4)
               AND (?5 IS NULL
                    OR (SELECT COUNT(*) FROM tracking_events WHERE tracking_id = ?1) = ?5)",
        )?
        .execute(params![
            key,
            owner,
            to_micros(until),
            to_micros(now),
            steps_seen
        ])? == 1;
    let exists = claimed
        || c.prepare_cached("SELECT 1 FROM tracking WHERE tracking_id = ?1")?
            .query_row([key], |_| Ok(()))
            .optional()?
            .is_some();
    Ok(exists.then_some(claimed))
}
