//! X-Ray's segment documents as the spans `revops trace` shows. X-Ray keeps a trace as
//! segments (one per function invocation, from the spans its daemon received) with
//! subsegments nested inside; each becomes one [`StoredSpan`], its parent the enclosing
//! (sub)segment, or the segment's `parent_id` across functions. The fields follow the
//! segment document's schema (<https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html>):
//! times in epoch seconds, `fault`/`error` with a `cause`, `annotations` (indexed, keys
//! without dots: `revops_tracking_id`) and `metadata` by namespace, whose `default`
//! namespace holds the span's other attributes.

use chrono::{DateTime, Utc};
use revops_telemetry::trace_store::StoredSpan;
use serde_json::{Map, Value};

/// The annotation X-Ray indexes the tracking id under.
const TRACKING_ID_ANNOTATION: &str = "revops_tracking_id";
/// The attribute the spans carry it in.
const TRACKING_ID_ATTRIBUTE: &str = "revops.tracking_id";

/// The X-Ray form of a 32-hex-digit trace id: `1-` + 8 digits (the start's epoch
/// seconds) + `-` + 24 digits; `None` when `trace_id` is not 32 hex digits.
pub fn xray_trace_id(trace_id: &str) -> Option<String> {
    (trace_id.len() == 32 && trace_id.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("1-{}-{}", &trace_id[..8], &trace_id[8..]))
}

/// The spans of one segment document (its subsegments included), or an error naming
/// what the document lacks.
pub fn spans_of(document: &str) -> Result<Vec<StoredSpan>, String> {
    let segment: Value =
        serde_json::from_str(document).map_err(|error| format!("not JSON: {error}"))?;
    let service = text(&segment, "name").ok_or("a segment without a name")?;
    let xray_id = text(&segment, "trace_id").ok_or("a segment without a trace_id")?;
    let trace_id = xray_id
        .strip_prefix("1-")
        .unwrap_or(&xray_id)
        .replace('-', "");
    let parent = text(&segment, "parent_id").unwrap_or_default();
    let mut spans = Vec::new();
    walk(
        &segment,
        &Walk {
            trace_id: &trace_id,
            service: &service,
            parent: &parent,
            top: true,
        },
        &mut spans,
    )?;
    Ok(spans)
}

/// Where in the document a (sub)segment sits.
struct Walk<'a> {
    trace_id: &'a str,
    service: &'a str,
    parent: &'a str,
    top: bool,
}

/// Appends the span of `node` and those of its subsegments.
fn walk(node: &Value, at: &Walk<'_>, spans: &mut Vec<StoredSpan>) -> Result<(), String> {
    let span_id = text(node, "id").ok_or("a (sub)segment without an id")?;
    let start_seconds = node["start_time"]
        .as_f64()
        .ok_or_else(|| format!("(sub)segment {span_id} without a start_time"))?;
    let start = from_epoch_seconds(start_seconds)
        .ok_or_else(|| format!("(sub)segment {span_id}: start_time {start_seconds} is no time"))?;
    // A segment still in progress has no end yet.
    let duration_ms = node["end_time"]
        .as_f64()
        .map_or(0.0, |end| ((end - start_seconds) * 1000.0).max(0.0));
    let attributes = attributes_of(node);
    let failed = node["fault"].as_bool() == Some(true) || node["error"].as_bool() == Some(true);
    let tracking_id = [
        &node["annotations"][TRACKING_ID_ANNOTATION],
        &attributes
            .get(TRACKING_ID_ATTRIBUTE)
            .cloned()
            .unwrap_or(Value::Null),
    ]
    .into_iter()
    .find_map(|value| value.as_str().map(str::to_owned));
    spans.push(StoredSpan {
        trace_id: at.trace_id.to_owned(),
        span_id: span_id.clone(),
        parent_span_id: at.parent.to_owned(),
        name: text(node, "name").unwrap_or_default(),
        kind: kind_of(node, &attributes, at.top),
        service: at.service.to_owned(),
        start,
        duration_ms,
        status: if failed { "error" } else { "unset" }.to_owned(),
        status_message: failed.then(|| cause_of(node)).flatten(),
        tracking_id,
        attributes,
    });
    for child in node["subsegments"].as_array().into_iter().flatten() {
        walk(
            child,
            &Walk {
                parent: &span_id,
                top: false,
                ..*at
            },
            spans,
        )?;
    }
    Ok(())
}

/// A string field of a (sub)segment.
fn text(node: &Value, field: &str) -> Option<String> {
    node[field].as_str().map(str::to_owned)
}

/// An epoch time in (fractional) seconds.
fn from_epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    // Whole microseconds: X-Ray keeps times to the microsecond.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "finite, non-negative, far below i64::MAX µs"
    )]
    let micros = (seconds * 1e6).round() as i64;
    DateTime::from_timestamp_micros(micros)
}

/// The span's attributes: its annotations, and its metadata (the `default` namespace's
/// keys as they are, any other's under `namespace.`).
fn attributes_of(node: &Value) -> Map<String, Value> {
    let mut attributes = Map::new();
    if let Some(annotations) = node["annotations"].as_object() {
        attributes.extend(annotations.clone());
    }
    for (namespace, entries) in node["metadata"].as_object().into_iter().flatten() {
        for (key, value) in entries.as_object().into_iter().flatten() {
            let key = if namespace == "default" {
                key.clone()
            } else {
                format!("{namespace}.{key}")
            };
            attributes.insert(key, value.clone());
        }
    }
    attributes
}

/// The span's kind: as recorded (`aws.span.kind` or `span.kind`) when it is, else what
/// the document's shape says: a segment serves a request, a subsegment in the `remote`
/// or `aws` namespace calls out, any other does work inside.
fn kind_of(node: &Value, attributes: &Map<String, Value>, top: bool) -> String {
    let recorded = ["aws.span.kind", "span.kind"]
        .iter()
        .find_map(|key| attributes.get(*key).and_then(Value::as_str))
        .map(str::to_lowercase);
    let known = ["server", "client", "producer", "consumer", "internal"];
    match recorded {
        Some(kind) if known.contains(&kind.as_str()) => kind,
        _ if top => "server".to_owned(),
        _ if matches!(node["namespace"].as_str(), Some("remote" | "aws")) => "client".to_owned(),
        _ => "internal".to_owned(),
    }
}

/// What a failed (sub)segment gives as its cause: the first exception's message, else
/// the cause's own message.
fn cause_of(node: &Value) -> Option<String> {
    let cause = &node["cause"];
    cause["exceptions"][0]["message"]
        .as_str()
        .or_else(|| cause["message"].as_str())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> String {
        json!({
            "name": "revops-webhook",
            "id": "70de5b6f19ff9a0a",
            "trace_id": "1-581cf771-a006649127e371903a2de979",
            "parent_id": "53995c3f42cd8ad8",
            "start_time": 1_478_293_361.271,
            "end_time": 1_478_293_361.449,
            "origin": "AWS::Lambda::Function",
            "annotations": {"revops_tracking_id": "e7aeb7e9-1f6b-4c8e-9e0e-0a6b1c2d3e4f"},
            "metadata": {"default": {"messaging.system": "aws_sqs"}},
            "subsegments": [{
                "id": "0f910026178b71eb",
                "name": "POST receiver",
                "namespace": "remote",
                "start_time": 1_478_293_361.3,
                "end_time": 1_478_293_361.4,
                "fault": true,
                "cause": {"exceptions": [{"message": "HTTP 500"}]},
                "subsegments": [{
                    "id": "1f910026178b71eb",
                    "name": "sign",
                    "start_time": 1_478_293_361.3,
                    "in_progress": true,
                    "metadata": {"revops": {"key_id": "k1"}}
                }]
            }]
        })
        .to_string()
    }

    #[test]
    fn a_segment_and_its_subsegments_become_one_tree_of_spans() {
        let spans = spans_of(&document()).unwrap();
        assert_eq!(spans.len(), 3);
        let [segment, call, inner] = [&spans[0], &spans[1], &spans[2]];
        assert_eq!(segment.trace_id, "581cf771a006649127e371903a2de979");
        assert_eq!(segment.parent_span_id, "53995c3f42cd8ad8");
        assert_eq!(segment.kind, "server");
        assert_eq!(segment.service, "revops-webhook");
        assert_eq!(
            segment.tracking_id.as_deref(),
            Some("e7aeb7e9-1f6b-4c8e-9e0e-0a6b1c2d3e4f")
        );
        assert_eq!(segment.attributes["messaging.system"], "aws_sqs");
        assert!((segment.duration_ms - 178.0).abs() < 0.01);
        assert_eq!(call.parent_span_id, segment.span_id);
        assert_eq!(call.kind, "client");
        assert_eq!(call.status, "error");
        assert_eq!(call.status_message.as_deref(), Some("HTTP 500"));
        assert_eq!(call.service, "revops-webhook");
        assert_eq!(inner.parent_span_id, call.span_id);
        assert_eq!(inner.kind, "internal");
        assert!(
            inner.duration_ms.abs() < f64::EPSILON,
            "in progress: no end yet"
        );
        assert_eq!(inner.attributes["revops.key_id"], "k1");
    }

    #[test]
    fn a_document_without_what_a_span_needs_is_refused_naming_it() {
        assert!(spans_of("{").unwrap_err().contains("not JSON"));
        let no_start = json!({"name": "x", "id": "a", "trace_id": "1-a-b"}).to_string();
        assert!(spans_of(&no_start).unwrap_err().contains("start_time"));
    }

    #[test]
    fn trace_ids_take_x_rays_form() {
        assert_eq!(
            xray_trace_id("581cf771a006649127e371903a2de979").as_deref(),
            Some("1-581cf771-a006649127e371903a2de979")
        );
        assert_eq!(xray_trace_id("not-a-trace"), None);
    }
}
