//! Where EMF lines go: standard output in Lambda (CloudWatch Logs extracts the metrics),
//! a JSON Lines file locally, memory in tests.

use std::{
    fs::{File, OpenOptions},
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    sync::Mutex,
};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};

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

/// A JSON Lines file, appended to by a writer thread of its own: the thread that emits a
/// line only queues it, and the writer makes one `write` call for all the lines queued
/// meanwhile. Nothing is dropped: a full queue makes the emitting thread wait. A line
/// reaches the file shortly after it is emitted, and every queued line is written when
/// the sink is dropped.
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    queue: NonBlocking,
    _writer: WorkerGuard,
}

impl FileSink {
    /// Opens (creating) `path` for appending, and starts its writer thread.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let file = WarnOnFailure {
            path: path.to_owned(),
            out: BufWriter::with_capacity(WRITE_BUFFER_BYTES, file),
        };
        let (queue, writer) = NonBlockingBuilder::default()
            .lossy(false)
            .thread_name("revops-emf")
            .finish(file);
        Ok(Self {
            path: path.to_owned(),
            queue,
            _writer: writer,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl MetricSink for FileSink {
    fn write_line(&self, line: &str) {
        let mut entry = String::with_capacity(line.len() + 1);
        entry.push_str(line);
        entry.push('\n');
        // One `write` is one queued entry, so the line and its newline stay together.
        if let Err(error) = self.queue.clone().write_all(entry.as_bytes()) {
            tracing::warn!(%error, path = %self.path.display(), "cannot queue an EMF line");
        }
    }
}

/// What the writer thread gathers before a `write` call, at most. It flushes whenever
/// it has written every line queued.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// The file as the writer thread sees it: a failure to write is logged with the file's
/// path (the writer thread itself would drop it silently).
#[derive(Debug)]
struct WarnOnFailure {
    path: PathBuf,
    out: BufWriter<File>,
}

impl WarnOnFailure {
    fn warn<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(error) = &result {
            tracing::warn!(%error, path = %self.path.display(), "cannot write EMF lines");
        }
        result
    }
}

impl Write for WarnOnFailure {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(buf);
        self.warn(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = self.out.flush();
        self.warn(flushed)
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
    fn every_line_from_every_thread_is_in_the_file_whole_once_the_sink_is_dropped() {
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
