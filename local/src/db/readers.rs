//! The read-only connections: opened on first need and kept for reuse, at most
//! [`MAX_READERS`] of them, each reading a committed snapshot beside the writer (WAL).
//! Reads beyond that wait for a connection rather than open and close one each. They do
//! not map the file: a reader remaps it whenever the file has grown, and under load that
//! `munmap` cost more than the `read` calls it saves.

use super::{DbError, STATEMENT_CACHE};
use rusqlite::{Connection, OpenFlags};
use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::Duration,
};

/// Reads running at once, at most; each holds one connection. Reads are served from the
/// OS page cache and use CPU, not I/O, so a few more than the cores is plenty.
pub(super) const MAX_READERS: usize = 8;

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

    /// Runs `work` on an idle connection, or a new one; blocks, so call it off the
    /// async workers, and no more than [`MAX_READERS`] at once.
    pub(super) fn with<T>(
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
