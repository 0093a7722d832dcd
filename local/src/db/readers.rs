//! The read-only connections: opened on first need and kept for reuse, at most
//! [`MAX_READERS`] of them, each reading a committed snapshot beside the writer (WAL).
//! Reads beyond that wait for a connection rather than open and close one each. They do
//! not map the file: a reader remaps it whenever the file has grown, and under load that
//! `munmap` cost more than the `read` calls it saves.

use super::{DbError, STATEMENT_CACHE};
use rusqlite::{Connection, OpenFlags};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::Semaphore;

/// Reads running at once, at most; each holds one connection. Reads are served from the
/// OS page cache and use CPU, not I/O, so a few more than the cores is plenty.
const MAX_READERS: usize = 8;

/// A pool of read-only connections to one database file.
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// One permit per connection that may be in use.
    permits: Arc<Semaphore>,
}

impl Readers {
    /// A pool on the database at `path`, with no connection open yet.
    pub(super) fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(MAX_READERS)),
        }
    }

    /// Waits for a permit, then runs `work` on a blocking thread with a connection.
    pub(super) async fn read<T, F>(self: Arc<Self>, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| DbError::Closed)?;
        // The permit goes with the blocking work, so it holds even if this future is
        // dropped while the read runs.
        tokio::task::spawn_blocking(move || {
            let result = self.with(work);
            drop(permit);
            result
        })
        .await
        .map_err(|_| DbError::Closed)?
    }

    /// Runs `work` on an idle connection, or a new one; blocks.
    fn with<T>(&self, work: impl FnOnce(&Connection) -> Result<T, DbError>) -> Result<T, DbError> {
        let reused = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let connection = match reused {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = work(&connection);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
        result
    }

    fn open(&self) -> Result<Connection, DbError> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(connection)
    }
}
