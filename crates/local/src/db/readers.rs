//! The read-only connections: opened on first need and kept for reuse, each reading a
//! committed snapshot beside the writer (WAL). A read runs on the calling thread. It is
//! served from the OS page cache in microseconds, while handing it to a blocking thread
//! and back cost more than the read itself (see `BENCHMARKS.md`). In WAL mode a reader
//! does not wait for the writer, so the async worker it runs on is not held up. There is
//! at most one connection per thread that reads at once. The readers do not map the
//! file: a reader remaps it whenever the file has grown, and under load that `munmap`
//! cost more than the `read` calls it saves.

use super::{DbError, STATEMENT_CACHE};
use rusqlite::{Connection, OpenFlags};
use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

/// A pool of read-only connections to one database file.
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// A pool on the database at `path`, with no connection open yet.
    pub(super) fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `work` on an idle connection, or a new one, on this thread.
    pub(super) fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
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
