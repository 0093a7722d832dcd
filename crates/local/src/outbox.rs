//! The outbox: where `revops serve` delivers when no `WEBHOOK_URL` is set. Each webhook
//! body is appended to `DATA_DIR/outbox.jsonl` as one line, and a delivery counts only
//! once its line is synced to disk. One thread owns the file and syncs in groups, the way
//! the database commits: it writes every line waiting, syncs once, and then answers each
//! caller. Deliveries that arrive together wait for one sync rather than one each, and no
//! caller holds a lock or a blocking thread meanwhile.

use async_trait::async_trait;
use revops_core::{
    TrackingId,
    ports::{Delivered, Deliverer, DeliveryError, DeliveryErrorKind},
};
use revops_telemetry::daily_file::DailyFile;
use std::{
    path::{Path, PathBuf},
    thread,
};
use tokio::sync::{mpsc, oneshot};

/// The outbox file's name inside the data directory.
pub const OUTBOX_FILE: &str = "outbox.jsonl";

/// The most lines one sync covers.
const MAX_GROUP: usize = 256;

/// Lines waiting for the writer thread, at most.
const QUEUE_DEPTH: usize = 4096;

/// One line to append, and who to tell once it is on disk.
struct Append {
    line: Vec<u8>,
    done: oneshot::Sender<Result<(), String>>,
}

/// Appends webhooks to a JSON Lines file.
pub struct OutboxDeliverer {
    path: PathBuf,
    appends: mpsc::Sender<Append>,
}

impl OutboxDeliverer {
    /// An outbox writing to `path` (opened on the first delivery), with its writer thread.
    pub fn new(path: &Path) -> Self {
        let (appends, receiver) = mpsc::channel(QUEUE_DEPTH);
        let target = path.to_owned();
        // Without its thread the outbox answers every delivery with an error, which the
        // processor retries; it never loses a line it said was written.
        if let Err(error) = thread::Builder::new()
            .name("revops-outbox".to_owned())
            .spawn(move || writer(&target, receiver))
        {
            tracing::error!(%error, "cannot start the outbox's writer thread");
        }
        Self {
            path: path.to_owned(),
            appends,
        }
    }

    /// The `file://` URL of the outbox, the target webhooks name.
    pub fn url(&self) -> String {
        format!("file://{}", self.path.display())
    }

    async fn append(&self, body: &[u8]) -> Result<(), String> {
        let mut line = Vec::with_capacity(body.len() + 1);
        line.extend_from_slice(body);
        line.push(b'\n');
        let (done, written) = oneshot::channel();
        let stopped = || "the outbox's writer has stopped".to_owned();
        self.appends
            .send(Append { line, done })
            .await
            .map_err(|_| stopped())?;
        written.await.map_err(|_| stopped())?
    }
}

/// The writer thread: takes every waiting line, writes them with one call, syncs once,
/// and answers each.
fn writer(path: &Path, mut appends: mpsc::Receiver<Append>) {
    let mut file = DailyFile::new(path);
    while let Some(first) = appends.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match appends.try_recv() {
                Ok(append) => group.push(append),
                Err(_) => break,
            }
        }
        let lines = group
            .iter()
            .map(|append| append.line.as_slice())
            .collect::<Vec<_>>()
            .concat();
        let written = file
            .append(&lines, chrono::Utc::now())
            .and_then(|()| file.sync_data())
            .map_err(|error| error.to_string());
        if written.is_err() {
            // Reopen next time: a line may have been half written, and the next write
            // starts on a fresh handle at the end of the file.
            file.reopen();
        }
        for append in group {
            let _ = append.done.send(written.clone());
        }
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
                format!("cannot append to {}: {error}", self.path.display()),
            )
        })?;
        tracing::debug!(tracking_id = %webhook_id, attempt, path = %self.path.display(), "webhook written to the outbox");
        Ok(Delivered { status: 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_line_that_cannot_be_written_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join(OUTBOX_FILE);
        let outbox = OutboxDeliverer::new(&path);
        let error = outbox
            .deliver(&outbox.url(), &TrackingId::new(), 1, b"{}")
            .await
            .unwrap_err();
        assert!(
            error.message.contains(&path.display().to_string()),
            "{error:?}"
        );
        std::fs::create_dir(path.parent().unwrap()).unwrap();
        outbox
            .deliver(&outbox.url(), &TrackingId::new(), 2, b"{}")
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
    }

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
