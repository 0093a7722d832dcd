//! `revops doctor`'s checks of the local host: the data directory there (with its
//! database), the queue's backlog and oldest message, and the disk space left where the
//! data directory lives.

use super::{
    doctor::{Check, State},
    operator::HostPorts,
};
use bytesize::ByteSize;
use revops_core::config::Env;
use revops_local::{
    SqliteQueue,
    disk_space::{free_bytes, min_free_disk},
};
use std::{path::Path, sync::Arc};

/// Below this much free space (or twice serve's floor, if more) the disk is a warning;
/// below the floor it fails.
const DISK_WARN_BYTES: u64 = 1024 * 1024 * 1024;
/// The age of the oldest message that is a warning: the latency objective.
const OLDEST_WARN_SECONDS: i64 = 300;
/// The age that fails: the queue alarm's threshold.
const OLDEST_FAIL_SECONDS: i64 = 600;

/// The local host's ports and queue, when `data_dir` holds a database; otherwise a
/// warning is pushed and there is nothing more to check.
pub fn open(data_dir: &Path, checks: &mut Vec<Check>) -> Option<(HostPorts, SqliteQueue)> {
    match revops_local::operator::open_existing(data_dir) {
        Ok(Some(handles)) => {
            checks.push(Check::new(
                "data directory",
                State::Ok,
                format!("{} holds the database", data_dir.display()),
            ));
            let queue = handles.queue.clone();
            Some((
                HostPorts::over(Arc::new(handles.store), Arc::new(handles.queue)),
                queue,
            ))
        }
        Ok(None) => {
            checks.push(Check::new(
                "data directory",
                State::Warn,
                format!(
                    "no database in {} yet: `revops serve --data-dir {}` makes it",
                    data_dir.display(),
                    data_dir.display()
                ),
            ));
            None
        }
        Err(error) => {
            checks.push(Check::new(
                "data directory",
                State::Fail,
                format!("{error:#}"),
            ));
            None
        }
    }
}

/// The queue's backlog and oldest message, and the disk.
pub async fn checks(data_dir: &Path, queue: &SqliteQueue) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.push(match queue.depth().await {
        Ok(depth) => {
            let age = depth
                .oldest_sent_at
                .map(|at| (chrono::Utc::now() - at).num_seconds().max(0));
            let state = match age {
                Some(age) if age >= OLDEST_FAIL_SECONDS => State::Fail,
                Some(age) if age >= OLDEST_WARN_SECONDS => State::Warn,
                _ => State::Ok,
            };
            let oldest = age.map_or_else(
                || "empty".to_owned(),
                |age| format!("the oldest message sent {age} s ago"),
            );
            let advice = if state == State::Ok {
                ""
            } else {
                "; the workers are not keeping up (is `revops serve` running? raise REVOPS_WORKERS)"
            };
            Check::new(
                "queue",
                state,
                format!(
                    "{} waiting, {} in flight, {oldest}{advice}",
                    depth.waiting, depth.in_flight
                ),
            )
        }
        Err(error) => Check::new("queue", State::Fail, error.to_string()),
    });
    checks.push(disk(data_dir));
    checks
}

/// The free space where `data_dir` lives, against the floor below which `revops serve`
/// refuses new requests (`REVOPS_MIN_FREE_DISK`, read as serve reads it).
fn disk(data_dir: &Path) -> Check {
    let floor = match min_free_disk(&Env::process()) {
        Ok(floor) => floor,
        Err(error) => return Check::new("disk", State::Fail, error.to_string()),
    };
    let free = match free_bytes(data_dir) {
        Ok(free) => free,
        Err(error) => {
            return Check::new(
                "disk",
                State::Warn,
                format!(
                    "cannot read the free space of {}: {error}",
                    data_dir.display()
                ),
            );
        }
    };
    let shown = |bytes: u64| ByteSize(bytes).display().iec().to_string();
    let detail = format!("{} free for {}", shown(free), data_dir.display());
    if free < floor {
        Check::new(
            "disk",
            State::Fail,
            format!(
                "{detail}, under REVOPS_MIN_FREE_DISK ({}): serve refuses new requests; free some, or move the data directory",
                shown(floor)
            ),
        )
    } else if free < DISK_WARN_BYTES.max(floor.saturating_mul(2)) {
        Check::new(
            "disk",
            State::Warn,
            format!(
                "{detail}; serve refuses new requests under {} (REVOPS_MIN_FREE_DISK): free some, or move the data directory",
                shown(floor)
            ),
        )
    } else {
        Check::new("disk", State::Ok, detail)
    }
}
