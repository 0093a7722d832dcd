//! The conversation archive on disk: each finished conversation as one pretty-printed
//! JSON file under `DATA_DIR/`, at the same date-partitioned key S3 would use
//! (`conversations/year=…/month=…/day=…/<tracking id>.json`), written whole or not at all.

use async_trait::async_trait;
use revops_core::ports::{ArchiveError, ConversationArchive, ConversationRecord};
use std::path::{Path, PathBuf};

/// Archives conversations below a directory.
pub struct FileArchive {
    root: PathBuf,
}

impl FileArchive {
    /// An archive below `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
        }
    }

    /// Where a conversation is (or would be) stored.
    pub fn path_of(&self, conversation: &ConversationRecord) -> PathBuf {
        self.root.join(conversation.key())
    }
}

#[async_trait]
impl ConversationArchive for FileArchive {
    async fn export(&self, conversation: &ConversationRecord) -> Result<(), ArchiveError> {
        let path = self.path_of(conversation);
        let failed = |error: std::io::Error| ArchiveError(format!("{}: {error}", path.display()));
        let json = serde_json::to_vec_pretty(conversation)
            .map_err(|error| ArchiveError(error.to_string()))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(failed)?;
        }
        let partial = path.with_extension("json.partial");
        tokio::fs::write(&partial, json).await.map_err(failed)?;
        tokio::fs::rename(&partial, &path).await.map_err(failed)?;
        Ok(())
    }
}
