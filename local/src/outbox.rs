//! The outbox: where `revops serve` delivers when no `WEBHOOK_URL` is set. Each webhook
//! body is appended to `DATA_DIR/outbox.jsonl` as one line and synced to disk.

use async_trait::async_trait;
use revops_core::{
    TrackingId,
    ports::{Delivered, Deliverer, DeliveryError, DeliveryErrorKind},
};
use std::path::{Path, PathBuf};
use tokio::{fs::OpenOptions, io::AsyncWriteExt, sync::Mutex};

/// The outbox file's name inside the data directory.
pub const OUTBOX_FILE: &str = "outbox.jsonl";

/// Appends webhooks to a JSON Lines file.
pub struct OutboxDeliverer {
    path: PathBuf,
    file: Mutex<Option<tokio::fs::File>>,
}

impl OutboxDeliverer {
    /// An outbox writing to `path`.
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            file: Mutex::new(None),
        }
    }

    /// The `file://` URL of the outbox, the target webhooks name.
    pub fn url(&self) -> String {
        format!("file://{}", self.path.display())
    }

    async fn append(&self, body: &[u8]) -> std::io::Result<()> {
        let mut file = self.file.lock().await;
        if file.is_none() {
            *file = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)
                    .await?,
            );
        }
        let Some(file) = file.as_mut() else {
            return Ok(());
        };
        let mut line = Vec::with_capacity(body.len() + 1);
        line.extend_from_slice(body);
        line.push(b'\n');
        file.write_all(&line).await?;
        file.sync_data().await
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
}
