//! The conversation archive on disk: each finished conversation as one line of JSON,
//! appended to the day's file in the same date partition S3 would use
//! (`conversations/year=…/month=…/day=…/conversations.jsonl`). A file per conversation
//! would cost an inode, a create and a rename for every request; one open file per day
//! costs one `write`, made on the caller's thread. A conversation exported twice appears
//! twice; the last line wins.

use async_trait::async_trait;
use revops_core::ports::{ArchiveError, ConversationArchive, ConversationRecord};
use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
    sync::Mutex,
};

/// The name of each day's file inside its partition.
pub const DAY_FILE: &str = "conversations.jsonl";

/// Archives conversations below a directory.
pub struct FileArchive {
    root: PathBuf,
    /// The day's file last written to, kept open.
    open: Mutex<Option<(PathBuf, File)>>,
}

impl FileArchive {
    /// An archive below `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
            open: Mutex::default(),
        }
    }

    /// The file a conversation is (or would be) appended to.
    pub fn path_of(&self, conversation: &ConversationRecord) -> PathBuf {
        self.root.join(conversation.partition()).join(DAY_FILE)
    }
}

/// Appends `line` to `path`, reusing the open file when it is the same day's.
fn append(open: &Mutex<Option<(PathBuf, File)>>, path: &Path, line: &[u8]) -> std::io::Result<()> {
    let mut open = open
        .lock()
        .map_err(|_| std::io::Error::other("an earlier append panicked"))?;
    let file = match &mut *open {
        Some((current, file)) if current == path => file,
        stale => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let file = OpenOptions::new().create(true).append(true).open(path)?;
            &mut stale.insert((path.to_owned(), file)).1
        }
    };
    file.write_all(line)
}

#[async_trait]
impl ConversationArchive for FileArchive {
    async fn export(&self, conversation: &ConversationRecord) -> Result<(), ArchiveError> {
        let path = self.path_of(conversation);
        let mut line =
            serde_json::to_vec(conversation).map_err(|error| ArchiveError(error.to_string()))?;
        line.push(b'\n');
        // One `write` into the page cache, with no sync, takes microseconds: it runs
        // here rather than paying for a hop to a blocking thread and back.
        append(&self.open, &path, &line)
            .map_err(|error| ArchiveError(format!("{}: {error}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use revops_core::Status;

    fn conversation(day: u32) -> ConversationRecord {
        let queued_at = Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap();
        ConversationRecord {
            response: Some("a".into()),
            attempts: 1,
            ..revops_testkit::archive::conversation(queued_at, Status::Delivered)
        }
    }

    #[tokio::test]
    async fn appends_one_line_per_conversation_to_its_days_file() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FileArchive::new(dir.path());
        let (first, second, next_day) = (conversation(21), conversation(21), conversation(22));
        for record in [&first, &second, &next_day] {
            archive.export(record).await.unwrap();
        }
        let day = dir
            .path()
            .join("conversations/year=2026/month=11/day=21")
            .join(DAY_FILE);
        assert_eq!(archive.path_of(&first), day);
        let lines: Vec<ConversationRecord> = std::fs::read_to_string(&day)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines, vec![first, second]);
        let next: ConversationRecord = serde_json::from_str(
            std::fs::read_to_string(archive.path_of(&next_day))
                .unwrap()
                .trim_end(),
        )
        .unwrap();
        assert_eq!(next, next_day);
    }
}
