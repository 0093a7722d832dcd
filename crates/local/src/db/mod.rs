//! One SQLite database (WAL, `synchronous=FULL`) owned by one writer thread that commits
//! in groups: every job waiting when a transaction starts joins it, each inside its own
//! savepoint, and each caller hears back only once the whole group is on disk. One fsync
//! then serves many requests, and a `202` never precedes its commit. Reads that need no
//! transaction go to a pool of read-only connections instead, which WAL lets run beside
//! the writer, on the caller's thread; they see every commit a caller has already heard
//! of.
//!
//! Jobs that an HTTP caller is waiting on ([`Database::call_first`]: accepting a request)
//! go ahead of the workers' jobs ([`Database::call`]). While any wait, a group takes them
//! all and at most `BACKGROUND_BESIDE_FIRST` of the others, so a `202` waits for a short
//! group rather than behind hundreds of state changes; the workers still get that many
//! jobs into every group, so they are never starved.
//!
//! The WAL is copied back into the database file by SQLite's automatic checkpoint, on
//! the writer thread, every `CHECKPOINT_PAGES` pages. A checkpoint thread of its own was
//! tried: under steady commits the WAL then never starts over, since SQLite restarts it
//! only when a write begins with every frame already copied, and it grew past 1 GB in
//! 20 s (see `BENCHMARKS.md`).

mod readers;
mod schema;

use readers::Readers;
use rusqlite::Connection;
pub use schema::{AddedColumn, Schema};
use std::{collections::VecDeque, path::Path, sync::Arc, thread};
use tokio::sync::{mpsc, oneshot};

/// The most jobs of one kind one transaction takes.
const MAX_GROUP: usize = 256;

/// The most background jobs a transaction takes beside jobs a caller is waiting on.
const BACKGROUND_BESIDE_FIRST: usize = 64;

/// Jobs waiting for the writer, at most.
const QUEUE_DEPTH: usize = 4096;

/// The writer's page cache, in KiB (as SQLite's negative `cache_size` means): the pages
/// of the tables' random-keyed indexes stay in memory instead of being read again. The
/// writer's cache is not emptied between its own commits, and the pages it changed live
/// in the WAL, which is read with a `read` call per page, not through the map below.
/// 8 MiB was tried: trimming the cache at each commit got cheaper, but deliveries were
/// no faster in paired runs (see `BENCHMARKS.md`).
const WRITER_CACHE_KIB: i64 = -65_536;

/// How much of the database file the writer maps into memory, so that a page read is a
/// memory access rather than a `read` call.
const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// WAL pages after which a commit copies the WAL into the database file (SQLite's
/// default is 1000). A checkpoint copies each page once, however often it changed since
/// the last one, and the same index pages change in every group; so a longer interval
/// copies fewer pages per commit. The WAL file then takes up to about 40 MiB.
const CHECKPOINT_PAGES: i64 = 10_000;

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

/// Which jobs the writer takes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// Someone is waiting on an HTTP answer for it.
    First,
    /// The workers' state changes.
    Background,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Database {
    jobs: mpsc::Sender<(Priority, Job)>,
    readers: Arc<Readers>,
}

impl Database {
    /// Opens (creating if needed) the database at `path`, applies `schema`, and starts
    /// its writer thread.
    pub fn open(path: &Path, schema: &Schema) -> Result<Self, DbError> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        connection.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        connection.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        schema.apply(&connection)?;
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
    /// the `readers` module). It sees every commit whose caller has heard back; it must not need
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
        self.submit(Priority::Background, work).await
    }

    /// [`call`](Self::call), for work an HTTP caller waits on: it goes ahead of the
    /// background jobs.
    pub async fn call_first<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        self.submit(Priority::First, work).await
    }

    async fn submit<T, F>(&self, priority: Priority, work: F) -> Result<T, DbError>
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
        self.jobs
            .send((priority, job))
            .await
            .map_err(|_| DbError::Closed)?;
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

/// Jobs taken off the channel, by priority, waiting for a group.
#[derive(Default)]
struct Waiting {
    first: VecDeque<Job>,
    background: VecDeque<Job>,
}

impl Waiting {
    fn len(&self) -> usize {
        self.first.len() + self.background.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&mut self, (priority, job): (Priority, Job)) {
        match priority {
            Priority::First => self.first.push_back(job),
            Priority::Background => self.background.push_back(job),
        }
    }

    /// The next group: the first jobs, then background jobs up to their share.
    fn next_group(&mut self) -> Vec<Job> {
        let first = self.first.len().min(MAX_GROUP);
        let background_share = if first > 0 {
            BACKGROUND_BESIDE_FIRST
        } else {
            MAX_GROUP
        };
        let background = self.background.len().min(background_share);
        let mut group = Vec::with_capacity(first + background);
        group.extend(self.first.drain(..first));
        group.extend(self.background.drain(..background));
        group
    }
}

/// The writer thread: takes the waiting jobs into one transaction, first jobs first,
/// commits, answers.
fn writer(connection: Connection, mut receiver: mpsc::Receiver<(Priority, Job)>) {
    let mut waiting = Waiting::default();
    loop {
        if waiting.is_empty() {
            match receiver.blocking_recv() {
                Some(job) => waiting.push(job),
                None => break,
            }
        }
        // The channel stays the bound on what waits: jobs are taken off it only while
        // fewer than its depth are held here.
        while waiting.len() < QUEUE_DEPTH {
            match receiver.try_recv() {
                Ok(job) => waiting.push(job),
                Err(_) => break,
            }
        }
        let group = waiting.next_group();
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

    const SCHEMA: Schema =
        Schema::new("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL);");

    /// A job that records `label` when run.
    fn labelled(label: &'static str, ran: &Arc<std::sync::Mutex<Vec<&'static str>>>) -> Job {
        let ran = Arc::clone(ran);
        Box::new(move |_| {
            ran.lock().unwrap().push(label);
            Box::new(|_| {})
        })
    }

    #[test]
    fn callers_jobs_go_first_and_background_jobs_keep_a_share_of_every_group() {
        let ran = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Waiting::default();
        for _ in 0..100 {
            waiting.push((Priority::Background, labelled("background", &ran)));
        }
        for _ in 0..MAX_GROUP + 10 {
            waiting.push((Priority::First, labelled("first", &ran)));
        }
        let connection = Connection::open_in_memory().unwrap();
        let run = |group: Vec<Job>| {
            ran.lock().unwrap().clear();
            for job in group {
                job(&connection)(Ok(()));
            }
            let labels = ran.lock().unwrap().clone();
            (
                labels.iter().filter(|l| **l == "first").count(),
                labels.iter().filter(|l| **l == "background").count(),
                labels.iter().position(|l| *l == "background"),
            )
        };
        assert_eq!(
            run(waiting.next_group()),
            (MAX_GROUP, BACKGROUND_BESIDE_FIRST, Some(MAX_GROUP)),
            "first jobs first, then a share of the background"
        );
        assert_eq!(
            run(waiting.next_group()),
            (10, 100 - BACKGROUND_BESIDE_FIRST, Some(10))
        );
        assert!(waiting.is_empty());
        for _ in 0..MAX_GROUP + 1 {
            waiting.push((Priority::Background, labelled("background", &ran)));
        }
        assert_eq!(
            run(waiting.next_group()),
            (0, MAX_GROUP, Some(0)),
            "with nobody waiting, background jobs fill the group"
        );
    }

    #[tokio::test]
    async fn a_failing_job_rolls_back_alone_and_others_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let db = Database::open(&path, &SCHEMA).unwrap();
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

    #[tokio::test]
    async fn the_wal_starts_over_instead_of_growing_while_commits_keep_coming() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let db = Database::open(&path, &SCHEMA).unwrap();
        let wal = dir.path().join("db.sqlite-wal");
        let threshold = u64::try_from(CHECKPOINT_PAGES).unwrap() * 4096;
        let mut largest = 0;
        // Each commit adds ten 2 KB rows, so the commits write well over twice the
        // checkpoint threshold to the WAL in all.
        for n in 0..4000_i64 {
            db.call(move |c| {
                for row in 0..10 {
                    c.execute(
                        "INSERT INTO t (k, v) VALUES (?1, ?2)",
                        (format!("{n}-{row}-{}", "k".repeat(2000)), n),
                    )?;
                }
                Ok(())
            })
            .await
            .unwrap();
            largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        }
        assert!(
            largest < threshold + threshold / 4,
            "the WAL grew to {largest} bytes; its checkpoint threshold is {threshold}"
        );
        assert!(
            largest > threshold / 2,
            "the WAL stayed at {largest} bytes: this test no longer reaches the threshold"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_see_every_commit_already_answered_however_many_run_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("db.sqlite"), &SCHEMA).unwrap();
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
