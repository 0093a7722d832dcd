//! `revops trace --aws`: a request's spans and log lines on the AWS host. The spans come
//! from X-Ray (`BatchGetTraces` on the record's trace id), the log lines from the three
//! functions' log groups in CloudWatch Logs (`FilterLogEvents` for the tracking id and
//! for the trace id, over the request's lifetime). A source that cannot be read gives a
//! note saying why, not a failed command: the record's timeline is still worth showing.

mod log_events;
mod segments;

use chrono::{DateTime, Duration, Utc};
use revops_aws::{AwsClients, describe_error};
use revops_core::ports::TrackingRecord;
use revops_telemetry::trace_store::{StoredLog, StoredSpan};
use std::collections::HashSet;

/// How long after a request's last step its log lines are still looked for: a line
/// logged as a step is written comes after it, by a little.
const LOGS_AFTER_LAST_STEP: Duration = Duration::minutes(5);
/// How long before its `queued_at` (the gateway logs before it writes the record).
const LOGS_BEFORE_QUEUED: Duration = Duration::minutes(1);

/// What the AWS host holds of a request besides its record.
#[derive(Debug, Default)]
pub struct AwsTelemetry {
    /// Its spans, by start.
    pub spans: Vec<StoredSpan>,
    /// Its log lines, by time.
    pub logs: Vec<StoredLog>,
    /// What could not be read, and why.
    pub notes: Vec<String>,
}

/// The spans and log lines of `record` on the AWS host whose functions are `functions`.
pub async fn read(
    clients: &AwsClients,
    functions: &[String],
    record: &TrackingRecord,
) -> AwsTelemetry {
    let mut telemetry = AwsTelemetry::default();
    match record.trace_id.as_deref() {
        Some(trace_id) => match spans(clients, trace_id).await {
            Ok(spans) if spans.is_empty() => telemetry.notes.push(format!(
                "X-Ray has no trace {trace_id}: it was not sampled, or is older than X-Ray keeps traces (30 days)"
            )),
            Ok(spans) => telemetry.spans = spans,
            Err(why) => telemetry.notes.push(why),
        },
        None => telemetry
            .notes
            .push("the record names no trace id, so X-Ray was not asked".to_owned()),
    }
    let window = lifetime(record);
    let mut terms = vec![record.tracking_id.to_string()];
    terms.extend(record.trace_id.clone());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&clients.config);
    for function in functions {
        let group = format!("/aws/lambda/{function}");
        match log_lines(&logs, &group, &terms, window).await {
            Ok(lines) => telemetry.logs.extend(lines),
            Err(why) => telemetry.notes.push(why),
        }
    }
    telemetry.logs.sort_by_key(|line| line.at);
    telemetry
}

/// The spans of the trace `trace_id` (32 hex digits), by start.
async fn spans(clients: &AwsClients, trace_id: &str) -> Result<Vec<StoredSpan>, String> {
    let Some(xray_id) = segments::xray_trace_id(trace_id) else {
        return Err(format!(
            "the record's trace id {trace_id} is not an X-Ray trace id"
        ));
    };
    let xray = aws_sdk_xray::Client::new(&clients.config);
    let mut spans = Vec::new();
    let mut next_token = None;
    loop {
        let page = xray
            .batch_get_traces()
            .trace_ids(&xray_id)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|error| describe_error("X-Ray BatchGetTraces", &error))?;
        for segment in page.traces().iter().flat_map(|trace| trace.segments()) {
            let document = segment.document().unwrap_or_default();
            let found = segments::spans_of(document).map_err(|why| {
                format!("X-Ray gave a segment of trace {xray_id} that cannot be read: {why}")
            })?;
            spans.extend(found);
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    spans.sort_by_key(|span| span.start);
    Ok(spans)
}

/// The times between which the request's log lines were written.
fn lifetime(record: &TrackingRecord) -> (DateTime<Utc>, DateTime<Utc>) {
    let last = record
        .events
        .iter()
        .map(|event| event.at)
        .chain(record.delivery_attempts.iter().map(|attempt| attempt.at))
        .max()
        .unwrap_or(record.queued_at);
    (
        record.queued_at - LOGS_BEFORE_QUEUED,
        (last + LOGS_AFTER_LAST_STEP).min(Utc::now()),
    )
}

/// The log lines of `group` naming any of `terms`, between the two times.
async fn log_lines(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    terms: &[String],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<StoredLog>, String> {
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for term in terms {
        let mut next_token = None;
        loop {
            let page = logs
                .filter_log_events()
                .log_group_name(group)
                // A quoted term matches it whole, hyphens and all.
                .filter_pattern(format!("\"{term}\""))
                .start_time(from.timestamp_millis())
                .end_time(to.timestamp_millis())
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|error| {
                    let why = describe_error("CloudWatch Logs FilterLogEvents", &error);
                    if error
                        .as_service_error()
                        .is_some_and(|e| e.is_resource_not_found_exception())
                    {
                        format!("no log group {group} ({why}): name the function with --gateway-function, --processor-function or --agent-function")
                    } else {
                        format!("{group}: {why}")
                    }
                })?;
            for event in page.events() {
                let id = event.event_id().unwrap_or_default().to_owned();
                if !id.is_empty() && !seen.insert(id) {
                    continue;
                }
                let message = event.message().unwrap_or_default();
                let at = event.timestamp().unwrap_or_default();
                lines.extend(log_events::log_line(group, message, at));
            }
            next_token = page.next_token().map(str::to_owned);
            if next_token.is_none() {
                break;
            }
        }
    }
    Ok(lines)
}
