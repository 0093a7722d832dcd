//! Where EMF lines go: standard output in Lambda (CloudWatch Logs extracts the metrics),
//! a JSON Lines file locally (rolled over daily), memory in tests.

use crate::daily_file::DailyFile;
use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::Mutex,
};

/// A destination for EMF lines.
pub trait MetricSink: Send + Sync + 'static {
    /// Writes one line. Metrics are best effort: a failure is logged, never raised.
    fn write_line(&self, line: &str);
}

/// Standard output, one line at a time.
#[derive(Debug, Default)]
pub struct StdoutSink;

impl MetricSink for StdoutSink {
    fn write_line(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        if let Err(error) = writeln!(out, "{line}") {
            tracing::debug!(%error, "cannot write an EMF line to stdout");
        }
    }
}

/// A JSON Lines file, appended to, one write a line; it rolls over daily.
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    file: Mutex<DailyFile>,
}

impl FileSink {
    /// Opens (creating) `path` for appending; a file left from an earlier day rolls over
    /// first.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let mut file = DailyFile::new(path);
        file.append(b"", chrono::Utc::now())?;
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl MetricSink for FileSink {
    fn write_line(&self, line: &str) {
        let Ok(mut file) = self.file.lock() else {
            return;
        };
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        if let Err(error) = file.append(&bytes, chrono::Utc::now()) {
            tracing::warn!(%error, path = %self.path.display(), "cannot write an EMF line");
        }
    }
}

/// Lines kept in memory, for tests.
#[derive(Debug, Default)]
pub struct MemorySink {
    lines: Mutex<Vec<String>>,
}

impl MemorySink {
    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl MetricSink for MemorySink {
    fn write_line(&self, line: &str) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(line.to_owned());
        }
    }
}

/// Discards every line.
#[derive(Debug, Default)]
pub struct NullSink;

impl MetricSink for NullSink {
    fn write_line(&self, _line: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn every_line_from_every_thread_reaches_the_file_whole_and_in_its_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.emf.jsonl");
        let sink = Arc::new(FileSink::open(&path).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let sink = Arc::clone(&sink);
                std::thread::spawn(move || {
                    for n in 0..2_000 {
                        sink.write_line(&format!(
                            r#"{{"thread":{t},"n":{n},"pad":"{}"}}"#,
                            "x".repeat(n % 300)
                        ));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(sink);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut next = [0_u64; 4];
        for line in text.lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let thread = value["thread"].as_u64().unwrap() as usize;
            assert_eq!(
                value["n"].as_u64().unwrap(),
                next[thread],
                "lines of one thread keep their order"
            );
            next[thread] += 1;
        }
        assert_eq!(next, [2_000; 4], "every line was written");
    }
}
