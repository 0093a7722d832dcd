//! The functions' log events as the log lines `revops trace` shows. On Lambda each
//! handler writes one JSON object per line (`timestamp`, `level`, `message`, `target`,
//! the event's fields, and `span` with the fields of the span it was logged in, which
//! name the tracking id and trace id); CloudWatch Logs keeps each line as an event of
//! the function's log group. EMF lines (they carry `_aws`) are metrics, not log lines,
//! and lines that are not such objects (Lambda's own `START`/`END`/`REPORT`) are
//! skipped.

use chrono::{DateTime, Utc};
use revops_telemetry::trace_store::StoredLog;
use serde_json::{Map, Value};

/// The fields that carry a tracking id, on a line or its span.
const TRACKING_ID_FIELDS: [&str; 2] = ["revops.tracking_id", "tracking_id"];

/// The log line of one event of `log_group` (its text and its time in epoch
/// milliseconds), or `None` when the event is not one of the handlers' log lines.
pub fn log_line(log_group: &str, message: &str, timestamp_ms: i64) -> Option<StoredLog> {
    let Value::Object(mut line) = serde_json::from_str(message.trim()).ok()? else {
        return None;
    };
    if line.contains_key("_aws") {
        return None;
    }
    let level = match line.remove("level") {
        Some(Value::String(level)) => level,
        _ => return None,
    };
    let at = line
        .remove("timestamp")
        .and_then(|at| at.as_str().and_then(|at| at.parse::<DateTime<Utc>>().ok()))
        .or_else(|| DateTime::from_timestamp_millis(timestamp_ms))?;
    let message = match line.remove("message") {
        Some(Value::String(message)) => message,
        _ => String::new(),
    };
    let target = match line.remove("target") {
        Some(Value::String(target)) => target,
        _ => String::new(),
    };
    let span = line.get("span").and_then(Value::as_object).cloned();
    let tracking_id = id_in(&line, span.as_ref(), &TRACKING_ID_FIELDS);
    let trace_id = id_in(&line, span.as_ref(), &["trace_id"]);
    line.insert("log_group".to_owned(), Value::String(log_group.to_owned()));
    Some(StoredLog {
        at,
        level,
        message,
        tracking_id,
        trace_id,
        target,
        fields: line,
    })
}

/// The first of `fields` on the line, else on its span.
fn id_in(
    line: &Map<String, Value>,
    span: Option<&Map<String, Value>>,
    fields: &[&str],
) -> Option<String> {
    [Some(line), span]
        .into_iter()
        .flatten()
        .find_map(|fields_of| {
            fields
                .iter()
                .find_map(|field| fields_of.get(*field).and_then(Value::as_str))
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_handlers_line_keeps_its_level_message_ids_and_fields() {
        let message = json!({
            "timestamp": "2026-12-06T08:00:01.250Z",
            "level": "WARN",
            "message": "delivery failed; retrying",
            "target": "revops_core::flows::process",
            "http_status": 500,
            "span": {"name": "deliver", "revops.tracking_id": "t-1", "trace_id": "abc"}
        })
        .to_string();
        let line = log_line("/aws/lambda/revops-webhook", &message, 0).unwrap();
        assert_eq!(line.level, "WARN");
        assert_eq!(line.message, "delivery failed; retrying");
        assert_eq!(line.at.to_rfc3339(), "2026-12-06T08:00:01.250+00:00");
        assert_eq!(line.tracking_id.as_deref(), Some("t-1"));
        assert_eq!(line.trace_id.as_deref(), Some("abc"));
        assert_eq!(line.target, "revops_core::flows::process");
        assert_eq!(line.fields["http_status"], 500);
        assert_eq!(line.fields["log_group"], "/aws/lambda/revops-webhook");
    }

    #[test]
    fn a_line_without_its_own_time_takes_the_events() {
        let message = json!({"level": "INFO", "message": "queued", "tracking_id": "t-2"});
        let line = log_line("g", &message.to_string(), 1_765_008_000_000).unwrap();
        assert_eq!(line.at.timestamp_millis(), 1_765_008_000_000);
        assert_eq!(line.tracking_id.as_deref(), Some("t-2"));
    }

    #[test]
    fn metrics_and_lambdas_own_lines_are_not_log_lines() {
        let emf = json!({"_aws": {"Timestamp": 1}, "level": "INFO", "tracking_id": "t-1"});
        assert!(log_line("g", &emf.to_string(), 0).is_none());
        assert!(log_line("g", "START RequestId: 1 Version: $LATEST", 0).is_none());
        assert!(log_line("g", "{\"message\": \"no level\"}", 0).is_none());
    }
}
