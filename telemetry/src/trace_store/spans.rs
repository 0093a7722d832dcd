//! Spans into the store: an `opentelemetry_sdk` span exporter that appends each batch to
//! `spans.jsonl` as [`StoredSpan`] lines, in one write so a cut never splits a line.

use super::{SPANS_FILE, StoredSpan, rotating};
use file_rotate::{FileRotate, suffix::AppendCount};
use opentelemetry_sdk::{
    Resource,
    error::{OTelSdkError, OTelSdkResult},
    trace::{SpanData, SpanExporter},
};
use std::{io::Write, path::Path, sync::Mutex};

/// The exporter.
pub struct SpanFileExporter {
    file: Mutex<FileRotate<AppendCount>>,
    service: String,
}

impl std::fmt::Debug for SpanFileExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanFileExporter")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl SpanFileExporter {
    /// An exporter appending to the store in `dir` (made if missing).
    pub fn new(dir: &Path) -> std::io::Result<Self> {
        Ok(Self {
            file: Mutex::new(rotating(dir, SPANS_FILE)?),
            service: String::new(),
        })
    }
}

impl SpanExporter for SpanFileExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut lines = Vec::with_capacity(batch.len() * 512);
        for span in &batch {
            let stored = StoredSpan::from_span(span, &self.service);
            if serde_json::to_writer(&mut lines, &stored).is_ok() {
                lines.push(b'\n');
            }
        }
        let mut file = self.file.lock().map_err(|_| {
            OTelSdkError::InternalFailure("the span file's lock is poisoned".into())
        })?;
        file.write_all(&lines)
            .and_then(|()| file.flush())
            .map_err(|e| OTelSdkError::InternalFailure(format!("cannot write the span file: {e}")))
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.service = resource
            .get(&opentelemetry::Key::from_static_str("service.name"))
            .map(|value| value.to_string())
            .unwrap_or_default();
    }
}
