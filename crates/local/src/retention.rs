//! Retention: what `revops serve` keeps, and for how long (`REVOPS_RETENTION`, 30 days by
//! default). A sweep, run at start and every 10 s, deletes:
//! - each finished request (`delivered`, `failed`, `dead_lettered`) queued longer ago
//!   than the retention, with its timeline and its request as accepted; a request not
//!   yet finished is never deleted, however old;
//! - dead letters and idempotency keys past it;
//! - the rolled-over daily files (`outbox.jsonl.<day>`, `metrics.emf.jsonl.<day>`) and the
//!   archive's day files last written before it (never the live files, nor today's
//!   archive partition, which a writer may hold open);
//! - the spans and log lines of the trace store's cut files (`traces/spans.jsonl.N`,
//!   `traces/logs.jsonl.N`) last written before it: each is emptied, not removed, since
//!   the store's rotation renames the cut files it knows and expects each to exist. The
//!   live trace files are cut by size (16 MiB), so lines past the retention stay in them
//!   until they are cut.
//!
//! The database goes in batches of [`BATCH`] rows, each its own transaction queued
//! behind the intake's writes (the writer takes those first), so a sweep never holds up
//! accepting requests, and paced (it rests three times as long as each batch took), so
//! the workers' commits go between its batches. A sweep that deleted rows then checkpoints the write-ahead log
//! (passively, from a connection of its own: it waits on no one), so the freed pages are
//! in the database file; SQLite reuses them for new rows, so at a steady load the file
//! stops growing once it holds a retention's worth.

use crate::{Database, DbError, host::DATABASE_FILE, outbox::OUTBOX_FILE, time::to_micros};
use chrono::{DateTime, Utc};
use revops_telemetry::trace_store;
use rusqlite::params;
use std::{
    path::Path,
    time::{Duration, SystemTime},
};

/// How often `revops serve` sweeps: often, so that each sweep is small (at 1000
/// requests/s, a minute's sweep was 60 000 requests and lifted the p99 of deliveries to
/// about 2 s once a minute; see BENCHMARKS.md, "Soak").
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// After each batch the sweep rests this many times as long as the batch took, so it
/// takes at most a quarter of the writer's time and the workers' commits go between.
const REST_PER_WORK: u32 = 3;
/// Rows one transaction deletes at most.
pub const BATCH: usize = 200;
/// The live files that roll over daily, by name in the data directory.
const DAILY_FILES: [&str; 2] = [OUTBOX_FILE, crate::host::METRICS_FILE];
/// The statuses after which nothing more happens to a request without an operator.
const FINISHED: &str = "'delivered', 'failed', 'dead_lettered'";

/// What one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Finished requests deleted, with their timelines.
    pub requests: usize,
    /// Dead letters and idempotency keys deleted.
    pub other_rows: usize,
    /// Files removed.
    pub files: usize,
}

/// Sweeps the database and the data directory of what is older than `retention` at
/// `now`.
pub async fn sweep(
    db: &Database,
    data_dir: &Path,
    retention: Duration,
    now: DateTime<Utc>,
) -> Result<Swept, DbError> {
    let cutoff = now - chrono::Duration::from_std(retention).unwrap_or(chrono::TimeDelta::MAX);
    let mut swept = Swept {
        requests: sweep_requests(db, to_micros(cutoff)).await?,
        ..Swept::default()
    };
    for (table, column, limit) in [
        ("dead_letters", "dead_lettered_at", to_micros(cutoff)),
        ("idempotency_keys", "expires_at", to_micros(now)),
    ] {
        swept.other_rows += delete_in_batches(db, table, column, limit).await?;
    }
    if swept.requests + swept.other_rows > 0 {
        checkpoint(data_dir.join(DATABASE_FILE)).await?;
    }
    swept.files = remove_old_files(data_dir, cutoff.into(), now);
    Ok(swept)
}

/// Deletes the finished requests queued before `cutoff` (µs), oldest first, a batch a
/// transaction. It walks the table in insertion order, which is the order of
/// `queued_at`, and stops at the first request queued after the cutoff, so it needs no
/// index the intake would have to keep.
async fn sweep_requests(db: &Database, cutoff: i64) -> Result<usize, DbError> {
    let mut after_rowid = 0_i64;
    let mut deleted = 0;
    loop {
        let started = std::time::Instant::now();
        let (next, count, done) = db
            .call(move |connection| {
                let mut rows = connection.prepare_cached(&format!(
                    "SELECT rowid, tracking_id, queued_at < ?2 AND status IN ({FINISHED}), queued_at >= ?2
                     FROM tracking WHERE rowid > ?1 ORDER BY rowid LIMIT ?3"
                ))?;
                let batch = rows
                    .query_map(params![after_rowid, cutoff, BATCH as i64], |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, bool>(2)?,
                            row.get::<_, bool>(3)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut count = 0;
                let mut last = after_rowid;
                let mut done = batch.len() < BATCH;
                for (rowid, tracking_id, expired, too_young) in batch {
                    if too_young {
                        done = true;
                        break;
                    }
                    last = rowid;
                    if expired {
                        for table in ["tracking_events", "tracking_requests", "tracking"] {
                            connection
                                .prepare_cached(&format!(
                                    "DELETE FROM {table} WHERE tracking_id = ?1"
                                ))?
                                .execute([&tracking_id])?;
                        }
                        count += 1;
                    }
                }
                Ok((last, count, done))
            })
            .await?;
        deleted += count;
        after_rowid = next;
        if done {
            return Ok(deleted);
        }
        rest_after(started).await;
    }
}

/// Rests [`REST_PER_WORK`] times as long as the batch begun at `started` took.
async fn rest_after(started: std::time::Instant) {
    tokio::time::sleep(started.elapsed() * REST_PER_WORK).await;
}

/// Copies the write-ahead log's pages into the database file as far as no reader needs
/// them, without waiting on anyone.
async fn checkpoint(database: std::path::PathBuf) -> Result<(), DbError> {
    tokio::task::spawn_blocking(move || {
        let connection = rusqlite::Connection::open(&database)?;
        connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    })
    .await
    .map_err(|error| DbError::Sqlite(format!("the checkpoint panicked: {error}")))?
}

/// Deletes the rows of `table` whose `column` is below `limit`, a batch a transaction.
async fn delete_in_batches(
    db: &Database,
    table: &'static str,
    column: &'static str,
    limit: i64,
) -> Result<usize, DbError> {
    let mut deleted = 0;
    loop {
        let started = std::time::Instant::now();
        let count = db
            .call(move |connection| {
                Ok(connection
                    .prepare_cached(&format!(
                        "DELETE FROM {table} WHERE rowid IN
                         (SELECT rowid FROM {table} WHERE {column} < ?1 LIMIT ?2)"
                    ))?
                    .execute(params![limit, BATCH as i64])?)
            })
            .await?;
        deleted += count;
        if count < BATCH {
            return Ok(deleted);
        }
        rest_after(started).await;
    }
}

/// Removes the rolled-over daily files and the archive's day files last written before
/// `cutoff`, except today's archive partition; returns how many. A file that cannot be
/// read or removed is left for the next sweep.
fn remove_old_files(data_dir: &Path, cutoff: SystemTime, now: DateTime<Utc>) -> usize {
    let old = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|metadata| metadata.modified())
            .is_ok_and(|modified| modified < cutoff)
    };
    let remove = |path: &Path| usize::from(old(path) && std::fs::remove_file(path).is_ok());
    let mut removed = 0;
    for entry in std::fs::read_dir(data_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rolled = DAILY_FILES
            .iter()
            .any(|live| name.len() > live.len() + 1 && name.starts_with(&format!("{live}.")));
        if rolled {
            removed += remove(&entry.path());
        }
    }
    let traces = data_dir.join(trace_store::FOLDER);
    for entry in std::fs::read_dir(&traces).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let cut = [trace_store::SPANS_FILE, trace_store::LOGS_FILE]
            .iter()
            .any(|live| name.len() > live.len() + 1 && name.starts_with(&format!("{live}.")));
        let emptied = cut
            && old(&entry.path())
            && std::fs::metadata(entry.path()).is_ok_and(|metadata| metadata.len() > 0)
            && std::fs::File::options()
                .write(true)
                .open(entry.path())
                .and_then(|file| file.set_len(0))
                .is_ok();
        if emptied {
            removed += 1;
        }
    }
    let today = now.format("year=%Y/month=%m/day=%d").to_string();
    let archive = data_dir.join("conversations");
    for year in std::fs::read_dir(&archive).into_iter().flatten().flatten() {
        for month in std::fs::read_dir(year.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            for day in std::fs::read_dir(month.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if day.path().ends_with(&today) {
                    continue;
                }
                for file in std::fs::read_dir(day.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    removed += remove(&file.path());
                }
                // Gone once empty; left while anything is in it.
                let _ = std::fs::remove_dir(day.path());
            }
            let _ = std::fs::remove_dir(month.path());
        }
        let _ = std::fs::remove_dir(year.path());
    }
    removed
}
