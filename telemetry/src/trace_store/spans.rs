//! Spans into the store: an `opentelemetry_sdk` span exporter that appends each batch to
//! `spans.jsonl`, one [`StoredSpan`](super::StoredSpan) line per span, in one write so a
//! cut never splits a line. Each line is written straight from the span's data, with
//! no copy of its attributes: the exporter runs for every span `revops serve` makes.

use super::{SPANS_FILE, rotating};
use chrono::{DateTime, SecondsFormat, Utc};
use file_rotate::{FileRotate, suffix::AppendCount};
use opentelemetry::{
    KeyValue, Value,
    trace::{SpanId, SpanKind, Status},
};
use opentelemetry_sdk::{
    Resource,
    error::{OTelSdkError, OTelSdkResult},
    trace::{SpanData, SpanExporter},
};
use serde::{Serialize, Serializer, ser::SerializeMap};
use std::{io::Write, path::Path, sync::Mutex};

/// The attribute copied to the line's `tracking_id`.
const TRACKING_ID_ATTRIBUTE: &str = "revops.tracking_id";

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
            if serde_json::to_writer(&mut lines, &SpanLine::new(span, &self.service)).is_ok() {
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

/// One span as its line: the fields of [`StoredSpan`](super::StoredSpan), borrowed.
#[derive(Serialize)]
struct SpanLine<'a> {
    #[serde(serialize_with = "as_text")]
    trace_id: opentelemetry::trace::TraceId,
    #[serde(serialize_with = "as_text")]
    span_id: SpanId,
    #[serde(serialize_with = "parent_as_text")]
    parent_span_id: SpanId,
    name: &'a str,
    kind: &'static str,
    service: &'a str,
    #[serde(serialize_with = "as_rfc3339")]
    start: DateTime<Utc>,
    duration_ms: f64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_message: Option<&'a str>,
    tracking_id: Option<&'a str>,
    attributes: Attributes<'a>,
}

impl<'a> SpanLine<'a> {
    fn new(span: &'a SpanData, service: &'a str) -> Self {
        let (status, status_message) = match &span.status {
            Status::Unset => ("unset", None),
            Status::Ok => ("ok", None),
            Status::Error { description } => ("error", Some(description.as_ref())),
        };
        let duration = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default();
        Self {
            trace_id: span.span_context.trace_id(),
            span_id: span.span_context.span_id(),
            parent_span_id: span.parent_span_id,
            name: &span.name,
            kind: kind_name(&span.span_kind),
            service,
            start: DateTime::<Utc>::from(span.start_time),
            duration_ms: duration.as_secs_f64() * 1000.0,
            status,
            status_message,
            tracking_id: span
                .attributes
                .iter()
                .find_map(|kv| match (kv.key.as_str(), &kv.value) {
                    (TRACKING_ID_ATTRIBUTE, Value::String(id)) => Some(id.as_str()),
                    _ => None,
                }),
            attributes: Attributes(&span.attributes),
        }
    }
}

fn kind_name(kind: &SpanKind) -> &'static str {
    match kind {
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
        SpanKind::Internal => "internal",
    }
}

fn as_text<T: std::fmt::Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// A root span's parent is empty, not sixteen zeros.
fn parent_as_text<S: Serializer>(parent: &SpanId, serializer: S) -> Result<S::Ok, S::Error> {
    if *parent == SpanId::INVALID {
        serializer.serialize_str("")
    } else {
        serializer.collect_str(parent)
    }
}

fn as_rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&at.to_rfc3339_opts(SecondsFormat::Nanos, true))
}

/// A span's attributes as one JSON object: numbers and booleans as themselves, anything
/// else as text.
struct Attributes<'a>(&'a [KeyValue]);

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for kv in self.0 {
            match &kv.value {
                Value::Bool(b) => map.serialize_entry(kv.key.as_str(), b)?,
                Value::I64(i) => map.serialize_entry(kv.key.as_str(), i)?,
                Value::F64(f) => map.serialize_entry(kv.key.as_str(), f)?,
                Value::String(s) => map.serialize_entry(kv.key.as_str(), s.as_str())?,
                other => map.serialize_entry(kv.key.as_str(), &other.to_string())?,
            }
        }
        map.end()
    }
}
