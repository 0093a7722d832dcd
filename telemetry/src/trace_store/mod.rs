//! The local trace store: `revops serve` keeps its own spans and log lines in the data
//! directory (`<data>/traces/spans.jsonl` and `logs.jsonl`), one JSON object per line, so
//! `revops trace` can show a request with no collector. Each file is cut at
//! [`FILE_LIMIT_BYTES`] and [`KEPT_FILES`] older ones are kept: both kinds together stay
//! under 128 MiB. Writing is off the request path: spans on the batch processor's
//! thread, log lines on a writer thread; a full queue drops rather than waits.

mod logs;
pub mod read;
mod spans;

pub use logs::StoreLogLayer;
pub use read::{StoredLog, StoredSpan, request_telemetry};
pub use spans::SpanFileExporter;

use file_rotate::{ContentLimit, FileRotate, compression::Compression, suffix::AppendCount};
use std::path::{Path, PathBuf};

/// The folder, under the data directory.
pub const FOLDER: &str = "traces";
/// The spans file.
pub const SPANS_FILE: &str = "spans.jsonl";
/// The log lines file.
pub const LOGS_FILE: &str = "logs.jsonl";
/// Where a file is cut: after the write that takes it past 16 MiB.
pub const FILE_LIMIT_BYTES: usize = 16 * 1024 * 1024;
/// How many cut files of each kind are kept (`spans.jsonl.1` is the newest).
pub const KEPT_FILES: usize = 3;

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStoreSettings {
    /// The store's folder (`<data>/traces`).
    pub dir: PathBuf,
}

impl TraceStoreSettings {
    /// The store of the data directory `data_dir`.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join(FOLDER),
        }
    }
}

/// A file of the store, cut by size, whole writes never split.
fn rotating(dir: &Path, name: &str) -> std::io::Result<FileRotate<AppendCount>> {
    std::fs::create_dir_all(dir)?;
    Ok(FileRotate::new(
        dir.join(name),
        AppendCount::new(KEPT_FILES),
        ContentLimit::BytesSurpassed(FILE_LIMIT_BYTES),
        Compression::None,
        None,
    ))
}

/// The files of one kind, oldest first.
fn files_oldest_first(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = (1..=KEPT_FILES)
        .rev()
        .map(|n| dir.join(format!("{name}.{n}")))
        .collect();
    files.push(dir.join(name));
    files.retain(|path| path.exists());
    files
}
