//! The outbox: where `revops serve` delivers when no `WEBHOOK_URL` is set. Each webhook
//! body is appended to `DATA_DIR/outbox.jsonl` as one line, and a delivery counts only
//! once its line is synced to disk. Syncs are shared the way the database shares its
//! commits: one `fsync` covers every line written before it started, so deliveries that
//! arrive together wait for one sync rather than queueing for one each.

use async_trait::async_trait;
use revops_core::{
    TrackingId,
    ports::{Delivered, Deliverer, DeliveryError, DeliveryErrorKind},
};
use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

/// The outbox file's name inside the data directory.
pub const OUTBOX_FILE: &str = "outbox.jsonl";

/// The open file and how many lines were written to it.
#[derive(Default)]
struct Written {
    file: Option<Arc<File>>,
    lines: u64,
}

/// The outbox's state, shared with the blocking threads that write and sync.
struct Shared {
    path: PathBuf,
    written: Mutex<Written>,
    /// Lines known to be on disk; held while a sync runs.
    synced: Mutex<u64>,
}

/// Appends webhooks to a JSON Lines file.
pub struct OutboxDeliverer {
    shared: Arc<Shared>,
}

fn poisoned<T>(_: T) -> std::io::Error {
    std::io::Error::other("an earlier write to the outbox panicked")
}

impl Shared {
    /// Writes `line`, then returns once it is on disk, syncing unless a sync that started
    /// after the write already covered it.
    fn append(&self, line: &[u8]) -> std::io::Result<()> {
        let (file, number) = {
            let mut written = self.written.lock().map_err(poisoned)?;
            let file = match &written.file {
                Some(file) => Arc::clone(file),
                None => {
                    let file = OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&self.path)?;
                    Arc::clone(written.file.insert(Arc::new(file)))
                }
            };
            (&*file).write_all(line)?;
            written.lines += 1;
            (file, written.lines)
        };
        let mut synced = self.synced.lock().map_err(poisoned)?;
        if *synced >= number {
            return Ok(());
        }
        let covered = self.written.lock().map_err(poisoned)?.lines;
        file.sync_data()?;
        *synced = covered;
        Ok(())
    }
}

impl OutboxDeliverer {
    /// An outbox writing to `path`.
    pub fn new(path: &Path) -> Self {
        Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                written: Mutex::default(),
                synced: Mutex::new(0),
            }),
        }
    }

    /// The `file://` URL of the outbox, the target webhooks name.
    pub fn url(&self) -> String {
        format!("file://{}", self.shared.path.display())
    }

    async fn append(&self, body: &[u8]) -> std::io::Result<()> {
        let mut line = Vec::with_capacity(body.len() + 1);
        line.extend_from_slice(body);
        line.push(b'\n');
        let shared = Arc::clone(&self.shared);
        tokio::task::spawn_blocking(move || shared.append(&line))
            .await
            .map_err(std::io::Error::other)?
    }
}

#[async_trait]
impl Deliverer for OutboxDeliverer {
    async fn deliver(
        &self,
        _target: &str,
        webhook_id: &TrackingId,
        attempt: u32,
        body: &[u8],
    ) -> Result<Delivered, DeliveryError> {
        self.append(body).await.map_err(|error| {
            DeliveryError::new(
                DeliveryErrorKind::Other,
                format!("cannot append to {}: {error}", self.shared.path.display()),
            )
        })?;
        tracing::debug!(tracking_id = %webhook_id, attempt, path = %self.shared.path.display(), "webhook written to the outbox");
        Ok(Delivered { status: 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn appends_one_line_per_webhook() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(OUTBOX_FILE);
        let outbox = OutboxDeliverer::new(&path);
        let id = TrackingId::new();
        outbox
            .deliver(&outbox.url(), &id, 1, br#"{"a":1}"#)
            .await
            .unwrap();
        outbox
            .deliver(&outbox.url(), &id, 2, br#"{"b":2}"#)
            .await
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"b\":2}\n");
        assert!(outbox.url().starts_with("file:///"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_deliveries_each_land_whole_on_their_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(OUTBOX_FILE);
        let outbox = Arc::new(OutboxDeliverer::new(&path));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..200 {
            let outbox = Arc::clone(&outbox);
            tasks.spawn(async move {
                let body = format!(r#"{{"n":{n},"pad":"{}"}}"#, "x".repeat(n * 7));
                outbox
                    .deliver(&outbox.url(), &TrackingId::new(), 1, body.as_bytes())
                    .await
                    .unwrap();
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        let mut seen: Vec<u64> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).unwrap();
                value["n"].as_u64().unwrap()
            })
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
    }
}
