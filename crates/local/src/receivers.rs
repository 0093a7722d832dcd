//! The receivers' health on SQLite, beside the tracking store: one row per receiver
//! origin's circuit and one per disabled URL. Each change is one job of the database's
//! writer, so two workers never count the same failure twice or both take one probe.

use crate::{
    SqliteStore,
    db::DbError,
    time::{duration_micros, from_micros, to_micros},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use revops_core::ports::{
    BreakerPolicy, Circuit, CircuitState, DisabledUrl, FailureRecorded, ReceiverRegistry,
    StoreError,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::time::Duration;

/// The circuit of `origin`, if one was recorded.
fn read_circuit(c: &Connection, origin: &str) -> Result<Option<Circuit>, DbError> {
    c.prepare_cached(
        "SELECT origin, state, failures, last_error, changed_at, retry_at
         FROM receiver_circuits WHERE origin = ?1",
    )?
    .query_row([origin], circuit_row)
    .optional()?
    .transpose()
}

/// A circuit from its row.
fn circuit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Circuit, DbError>> {
    let state: String = row.get(1)?;
    let circuit = Circuit {
        origin: row.get(0)?,
        state: CircuitState::Closed,
        failures: row.get(2)?,
        last_error: row.get(3)?,
        changed_at: from_micros(row.get(4)?),
        retry_at: row.get::<_, Option<i64>>(5)?.map(from_micros),
    };
    Ok(match CircuitState::parse(&state) {
        Some(state) => Ok(Circuit { state, ..circuit }),
        None => Err(DbError::Sqlite(format!(
            "stored circuit state does not parse: {state}"
        ))),
    })
}

fn disabled_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DisabledUrl> {
    Ok(DisabledUrl {
        url: row.get(0)?,
        at: from_micros(row.get(1)?),
        reason: row.get(2)?,
    })
}

/// `now` plus `wait`, as stored.
fn after(now: DateTime<Utc>, wait: Duration) -> i64 {
    to_micros(now).saturating_add(duration_micros(wait))
}

#[async_trait]
impl ReceiverRegistry for SqliteStore {
    async fn circuit(&self, origin: &str) -> Result<Option<Circuit>, StoreError> {
        let origin = origin.to_owned();
        Ok(self.db.read(move |c| read_circuit(c, &origin)).await?)
    }

    async fn record_failure(
        &self,
        origin: &str,
        error: &str,
        now: DateTime<Utc>,
        policy: &BreakerPolicy,
    ) -> Result<FailureRecorded, StoreError> {
        let (origin, error, policy) = (origin.to_owned(), error.to_owned(), *policy);
        Ok(self
            .db
            .call(move |c| {
                c.prepare_cached(
                    "INSERT INTO receiver_circuits (origin, state, failures, last_error, changed_at)
                     VALUES (?1, 'closed', 1, ?2, ?3)
                     ON CONFLICT (origin) DO UPDATE
                       SET failures = failures + 1, last_error = excluded.last_error",
                )?
                .execute(params![origin, error, to_micros(now)])?;
                let circuit = read_circuit(c, &origin)?
                    .ok_or_else(|| DbError::Sqlite("the circuit just written is gone".into()))?;
                if !circuit.opens_on_failure(&policy) {
                    return Ok(FailureRecorded {
                        circuit,
                        opened: false,
                    });
                }
                c.prepare_cached(
                    "UPDATE receiver_circuits SET state = 'open', retry_at = ?2, changed_at = ?3
                     WHERE origin = ?1",
                )?
                .execute(params![
                    origin,
                    after(now, policy.cooldown),
                    to_micros(now)
                ])?;
                Ok(FailureRecorded {
                    circuit: circuit.opened(now, policy.cooldown),
                    opened: true,
                })
            })
            .await?)
    }

    async fn record_success(&self, origin: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let origin = origin.to_owned();
        Ok(self
            .db
            .call(move |c| {
                let was_open = c
                    .prepare_cached(
                        "UPDATE receiver_circuits
                         SET state = 'closed', retry_at = NULL, changed_at = ?2, failures = 0
                         WHERE origin = ?1 AND state != 'closed'",
                    )?
                    .execute(params![origin, to_micros(now)])?
                    == 1;
                if !was_open {
                    c.prepare_cached(
                        "UPDATE receiver_circuits SET failures = 0
                         WHERE origin = ?1 AND failures != 0",
                    )?
                    .execute([&origin])?;
                }
                Ok(was_open)
            })
            .await?)
    }

    async fn take_probe(
        &self,
        origin: &str,
        seen_retry_at: DateTime<Utc>,
        now: DateTime<Utc>,
        cooldown: Duration,
    ) -> Result<bool, StoreError> {
        let origin = origin.to_owned();
        Ok(self
            .db
            .call(move |c| {
                Ok(c.prepare_cached(
                    "UPDATE receiver_circuits
                     SET state = 'half_open', retry_at = ?3, changed_at = ?4
                     WHERE origin = ?1 AND state != 'closed' AND retry_at = ?2",
                )?
                .execute(params![
                    origin,
                    to_micros(seen_retry_at),
                    after(now, cooldown),
                    to_micros(now)
                ])? == 1)
            })
            .await?)
    }

    async fn disable(&self, url: &str, reason: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (url, reason) = (url.to_owned(), reason.to_owned());
        self.db
            .call(move |c| {
                c.prepare_cached(
                    "INSERT OR REPLACE INTO disabled_urls (url, at, reason) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![url, to_micros(now), reason])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn disabled(&self, url: &str) -> Result<Option<DisabledUrl>, StoreError> {
        let url = url.to_owned();
        Ok(self
            .db
            .read(move |c| {
                Ok(
                    c.prepare_cached("SELECT url, at, reason FROM disabled_urls WHERE url = ?1")?
                        .query_row([&url], disabled_row)
                        .optional()?,
                )
            })
            .await?)
    }

    async fn enable(&self, url: &str) -> Result<bool, StoreError> {
        let url = url.to_owned();
        Ok(self
            .db
            .call(move |c| {
                Ok(
                    c.prepare_cached("DELETE FROM disabled_urls WHERE url = ?1")?
                        .execute([&url])?
                        == 1,
                )
            })
            .await?)
    }

    async fn list(&self) -> Result<(Vec<Circuit>, Vec<DisabledUrl>), StoreError> {
        Ok(self
            .db
            .read(|c| {
                let circuits = c
                    .prepare_cached(
                        "SELECT origin, state, failures, last_error, changed_at, retry_at
                         FROM receiver_circuits ORDER BY origin",
                    )?
                    .query_map([], circuit_row)?
                    .map(|row| row?)
                    .collect::<Result<Vec<_>, DbError>>()?;
                let disabled = c
                    .prepare_cached("SELECT url, at, reason FROM disabled_urls ORDER BY url")?
                    .query_map([], disabled_row)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((circuits, disabled))
            })
            .await?)
    }
}
