//! What the store holds (the span lines are written by `spans`, from the same fields),
//! and reading one request's part of it back: its spans (every
//! span of the traces that carry its tracking id) and its log lines (those naming the
//! tracking id or one of those traces), oldest file first.

use super::{LOGS_FILE, SPANS_FILE, files_oldest_first};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Map;
use std::{
    collections::HashSet,
    io::{BufRead, BufReader},
    path::Path,
};

/// One span, as a line of `spans.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSpan {
    /// The trace id, 32 lower-case hex digits.
    pub trace_id: String,
    /// The span id, 16 hex digits.
    pub span_id: String,
    /// The parent's span id; empty for a root span.
    pub parent_span_id: String,
    /// The span's name (`POST /webhook`, `send requests`, …).
    pub name: String,
    /// `server`, `client`, `producer`, `consumer` or `internal`.
    pub kind: String,
    /// The `service.name` of the process.
    pub service: String,
    /// When it started.
    pub start: DateTime<Utc>,
    /// How long it took.
    pub duration_ms: f64,
    /// `unset`, `ok` or `error`.
    pub status: String,
    /// The error's description, for `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// The `revops.tracking_id` attribute, when the span has one.
    pub tracking_id: Option<String>,
    /// Every attribute.
    pub attributes: Map<String, serde_json::Value>,
}

/// One log line, as a line of `logs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredLog {
    /// When it was logged.
    pub at: DateTime<Utc>,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    /// The message.
    pub message: String,
    /// The tracking id, from the line or the span it was logged in.
    pub tracking_id: Option<String>,
    /// The trace id of the span it was logged in, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The module that logged it.
    pub target: String,
    /// The line's other fields.
    #[serde(flatten)]
    pub fields: Map<String, serde_json::Value>,
}

/// The spans and log lines of the request `tracking_id` in the store at `dir`, each in
/// the order written. Unreadable lines are skipped; a store that does not exist yet
/// holds nothing.
pub fn request_telemetry(
    dir: &Path,
    tracking_id: &str,
) -> std::io::Result<(Vec<StoredSpan>, Vec<StoredLog>)> {
    let mut traces = HashSet::new();
    for_each_line::<StoredSpan>(dir, SPANS_FILE, &[tracking_id], |span| {
        if span.tracking_id.as_deref() == Some(tracking_id) {
            traces.insert(span.trace_id);
        }
    })?;
    let needles: Vec<&str> = traces.iter().map(String::as_str).collect();
    let mut spans = Vec::new();
    for_each_line::<StoredSpan>(dir, SPANS_FILE, &needles, |span| {
        if traces.contains(&span.trace_id) {
            spans.push(span);
        }
    })?;
    let mut needles = needles;
    needles.push(tracking_id);
    let mut logs = Vec::new();
    for_each_line::<StoredLog>(dir, LOGS_FILE, &needles, |line| {
        let ours = line.tracking_id.as_deref() == Some(tracking_id)
            || line.trace_id.as_ref().is_some_and(|t| traces.contains(t));
        if ours {
            logs.push(line);
        }
    })?;
    Ok((spans, logs))
}

/// Calls `each` with every line of the files `name` that contains one of `needles` and
/// parses as `T`.
fn for_each_line<T: for<'de> Deserialize<'de>>(
    dir: &Path,
    name: &str,
    needles: &[&str],
    mut each: impl FnMut(T),
) -> std::io::Result<()> {
    if needles.is_empty() {
        return Ok(());
    }
    for path in files_oldest_first(dir, name) {
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        };
        for line in BufReader::new(file).lines() {
            let line = line?;
            if needles.iter().any(|needle| line.contains(needle))
                && let Ok(parsed) = serde_json::from_str(&line)
            {
                each(parsed);
            }
        }
    }
    Ok(())
}
