//! One SQLite database (WAL, `synchronous=FULL`) owned by one writer thread that commits
//! in groups: every job waiting when a transaction starts joins it, each inside its own
//! savepoint, and each caller hears back only once the whole group is on disk. One fsync
//! then serves many requests, and a `202` never precedes its commit. Reads that need no
//! transaction go to a pool of read-only connections instead, which WAL lets run beside
//! the writer, on the caller's thread; they see every commit a caller has already heard
//! of.

mod readers;

use readers::Readers;
use rusqlite::Connection;
use std::{path::Path, sync::Arc, thread};
use tokio::sync::{mpsc, oneshot};

/// The most jobs one transaction takes.
const MAX_GROUP: usize = 256;

/// Jobs waiting for the writer, at most.
const QUEUE_DEPTH: usize = 4096;

/// The writer's page cache, in KiB (as SQLite's negative `cache_size` means): the pages
/// of the tables' random-keyed indexes stay in memory instead of being read again.
const WRITER_CACHE_KIB: i64 = -65_536;

/// How much of the database file the writer maps into memory, so that a page read is a
/// memory access rather than a `read` call.
const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// Prepared statements each connection keeps compiled. Every statement the queue and the
/// store run fits, so none is compiled twice.
pub(crate) const STATEMENT_CACHE: usize = 64;

/// The database failed, or is closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// SQLite reported an error.
    #[error("sqlite: {0}")]
    Sqlite(String),
    /// The writer thread has stopped.
    #[error("the database is closed")]
    Closed,
}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        DbError::Sqlite(error.to_string())
    }
}

/// What a job hands back to run once its group's commit is known.
type Finish = Box<dyn FnOnce(Result<(), DbError>) + Send>;
/// A job: runs inside the group's transaction.
type Job = Box<dyn FnOnce(&Connection) -> Finish + Send>;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Database {
    jobs: mpsc::Sender<Job>,
    readers: Arc<Readers>,
}

impl Database {
    /// Opens (creating if needed) the database at `path`, applies `schema`, and starts
    /// its writer thread.
    pub fn open(path: &Path, schema: &str) -> Result<Self, DbError> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        connection.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(schema)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let readers = Arc::new(Readers::new(path));
        let (jobs, receiver) = mpsc::channel(QUEUE_DEPTH);
        thread::Builder::new()
            .name("revops-sqlite".to_owned())
            .spawn(move || writer(connection, receiver))
            .map_err(|e| DbError::Sqlite(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { jobs, readers })
    }

    /// Runs `work` on a read-only connection, beside the writer, on this thread (see
    /// [`readers`]). It sees every commit whose caller has heard back; it must not need
    /// to see a write that is still queued.
    pub async fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.readers.read(work)
    }

    /// Runs `work` in the writer's transaction; returns its result once committed. An
    /// error from `work` rolls back its own changes only.
    pub async fn call<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let result = in_savepoint(connection, work);
            Box::new(move |committed| {
                let _ = reply.send(committed.and(result));
            })
        });
        self.jobs.send(job).await.map_err(|_| DbError::Closed)?;
        answer.await.map_err(|_| DbError::Closed)?
    }
}

/// Runs `work` between `SAVEPOINT` and `RELEASE`, rolling back to the savepoint on error.
fn in_savepoint<T>(
    connection: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let run = |sql: &str| -> Result<(), DbError> {
        connection.prepare_cached(sql)?.execute([])?;
        Ok(())
    };
    run("SAVEPOINT job")?;
    match work(connection) {
        Ok(value) => {
            run("RELEASE job")?;
            Ok(value)
        }
        Err(error) => {
            run("ROLLBACK TO job")?;
            run("RELEASE job")?;
            Err(error)
        }
    }
}

/// The writer thread: takes every waiting job into one transaction, commits, answers.
fn writer(connection: Connection, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if let Err(error) = connection
            .prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut begin| begin.execute([]))
        {
            let error = DbError::from(error);
            tracing::error!(%error, "cannot begin a transaction");
            // Dropping a job unrun answers its caller with an error.
            drop(group);
            continue;
        }
        let finishes: Vec<Finish> = group.into_iter().map(|job| job(&connection)).collect();
        let committed = connection
            .prepare_cached("COMMIT")
            .and_then(|mut commit| commit.execute([]))
            .map(drop)
            .map_err(|error| {
                let error = DbError::from(error);
                tracing::error!(%error, "commit failed; rolling the group back");
                let _ = connection.execute_batch("ROLLBACK");
                error
            });
        for finish in finishes {
            finish(committed.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL);";

    #[tokio::test]
    async fn a_failing_job_rolls_back_alone_and_others_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let db = Database::open(&path, SCHEMA).unwrap();
        let insert = |k: &'static str| {
            let db = db.clone();
            async move {
                db.call(move |c| {
                    c.execute("INSERT INTO t (k, v) VALUES (?1, 1)", [k])?;
                    Ok(())
                })
                .await
            }
        };
        let (a, b, c) = tokio::join!(insert("a"), insert("a"), insert("b"));
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1);
        assert!(c.is_ok());
        drop(db);
        let reopened = Connection::open(&path).unwrap();
        let count: i64 = reopened
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_see_every_commit_already_answered_however_many_run_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("db.sqlite"), SCHEMA).unwrap();
        let mut reads = tokio::task::JoinSet::new();
        for n in 0..100_i64 {
            let key = format!("k{n}");
            let stored = key.clone();
            db.call(move |c| {
                c.execute("INSERT INTO t (k, v) VALUES (?1, ?2)", (&stored, n))?;
                Ok(())
            })
            .await
            .unwrap();
            let db = db.clone();
            reads.spawn(async move {
                db.read(move |c| {
                    Ok(c.query_row("SELECT v FROM t WHERE k = ?1", [&key], |r| {
                        r.get::<_, i64>(0)
                    })?)
                })
                .await
                .map(|v| (n, v))
            });
        }
        while let Some(read) = reads.join_next().await {
            let (n, v) = read.unwrap().unwrap();
            assert_eq!(n, v);
        }
        let refused = db
            .read(|c| Ok(c.execute("DELETE FROM t", [])?))
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
    }
}
