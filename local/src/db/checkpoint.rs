//! The WAL checkpoint, on a thread of its own. SQLite's automatic checkpoint runs inside
//! the commit that crosses its threshold, on the writer thread, so every caller in that
//! group waited for pages to be copied into the database file and for its `fsync`. The
//! writer turns it off, and this thread checkpoints instead, beside the writer: a
//! `PASSIVE` checkpoint copies what no reader still needs and never blocks a commit.
//! It looks every [`PAUSE`]: often enough that the WAL stays near SQLite's own
//! threshold of 1000 pages under load. The thread stops when its [`Checkpointer`] is
//! dropped.

use super::DbError;
use rusqlite::Connection;
use std::{
    path::Path,
    sync::mpsc::{self, RecvTimeoutError, SyncSender},
    thread,
    time::Duration,
};

/// The time between two checkpoints.
const PAUSE: Duration = Duration::from_millis(50);

/// What the WAL file is cut back to after a checkpoint that emptied it.
const WAL_SIZE_LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// Keeps the checkpoint thread running; it stops when this is dropped.
#[derive(Debug)]
pub(super) struct Checkpointer {
    _running: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread on its own connection to the database at `path`.
    pub(super) fn start(path: &Path) -> Result<Self, DbError> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT_BYTES)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        let (running, stopped) = mpsc::sync_channel::<()>(0);
        thread::Builder::new()
            .name("revops-checkpoint".to_owned())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(PAUSE) {
                    checkpoint(&connection);
                }
            })
            .map_err(|e| DbError::Sqlite(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self { _running: running })
    }
}

/// One passive checkpoint. A failure is logged; the next round tries again, and the
/// commits do not depend on it.
fn checkpoint(connection: &Connection) {
    let result = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    if let Err(error) = result {
        tracing::warn!(error = %DbError::from(error), "WAL checkpoint failed; retrying");
    }
}
