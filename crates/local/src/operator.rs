//! A data directory opened by an operator's command (`revops dlq`, `revops redeliver`),
//! whether or not a `revops serve` is running on it. The command takes no lock and
//! resets nothing the server owns (leases, messages in flight); SQLite's own locking,
//! with the database's busy timeout, keeps the two processes' writes apart; and a
//! message the command sends reaches the server's workers at their next poll of the
//! queue, within a second, with no restart.

use crate::{Database, SqliteQueue, SqliteStore, host::DATABASE_FILE, schema::SCHEMA};
use anyhow::Context;
use revops_core::SystemClock;
use std::{path::Path, sync::Arc};

/// The store and the queue of a data directory, for a command.
pub struct OperatorHandles {
    /// The tracking store.
    pub store: SqliteStore,
    /// The request queue, with its dead letters.
    pub queue: SqliteQueue,
}

/// The store and queue in `data_dir`, which must hold a database already (a command
/// never makes one); `None` when it does not.
pub fn open_existing(data_dir: &Path) -> anyhow::Result<Option<OperatorHandles>> {
    let path = data_dir.join(DATABASE_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let db = Database::open(&path, &SCHEMA)
        .with_context(|| format!("cannot open the database in {}", data_dir.display()))?;
    // The receive limit is the server's business; a command only sends.
    let queue = SqliteQueue::new(db.clone(), Arc::new(SystemClock), 1);
    Ok(Some(OperatorHandles {
        store: SqliteStore::new(db),
        queue,
    }))
}
