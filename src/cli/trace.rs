//! `revops trace <tracking_id>`: one request's whole story, from its `POST` to its last
//! delivery attempt: the timeline as a waterfall (each step's time, the gap before it,
//! the failed steps and the slowest marked, each phase's share of the 5-minute
//! objective), every delivery attempt, the spans as a tree and the request's log lines.
//! The record comes from the host's store (`--data-dir` or `--aws`); the spans and log
//! lines from the local host's trace store (`DATA_DIR/traces`). On AWS they are in X-Ray
//! and CloudWatch Logs: the command prints the X-Ray console link of the trace. An
//! unknown id exits 1, naming it.

use super::{
    common::runtime,
    operator::{HostArgs, OutputFormat},
    trace_text,
};
use anyhow::Context;
use clap::Args;
use revops_core::{TrackingId, ports::TrackingRecord};
use revops_telemetry::trace_store::{self, StoredLog, StoredSpan, TraceStoreSettings};
use serde_json::{Value, json};
use std::io::Write;

/// `revops trace`'s flags.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The request's tracking id.
    tracking_id: TrackingId,
    #[command(flatten)]
    host: HostArgs,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: OutputFormat,
}

/// One request's story, as the command tells it.
pub struct Story {
    /// Its record.
    pub record: TrackingRecord,
    /// Its spans, in the order written.
    pub spans: Vec<StoredSpan>,
    /// Its log lines, in the order written.
    pub logs: Vec<StoredLog>,
    /// Where else to look, when the spans and logs are not here (the AWS host).
    pub elsewhere: Option<String>,
}

/// Runs `revops trace`.
pub fn run(args: TraceArgs) -> anyhow::Result<()> {
    let story = runtime()?.block_on(async {
        let ports = args.host.open().await?;
        let record = ports
            .store
            .get(&args.tracking_id)
            .await?
            .with_context(|| format!("no request has tracking id {}", args.tracking_id))?;
        anyhow::Ok(record)
    })?;
    let story = match args.host.data_dir() {
        Some(data_dir) => {
            let store = TraceStoreSettings::in_data_dir(data_dir);
            let (spans, logs) =
                trace_store::request_telemetry(&store.dir, &story.tracking_id.to_string())
                    .with_context(|| format!("cannot read {}", store.dir.display()))?;
            Story {
                record: story,
                spans,
                logs,
                elsewhere: None,
            }
        }
        None => Story {
            elsewhere: Some(args.host.xray_link(story.trace_id.as_deref())),
            record: story,
            spans: Vec::new(),
            logs: Vec::new(),
        },
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{}", as_json(&story))?,
        OutputFormat::Text => trace_text::write(&mut out, &story)?,
    }
    Ok(())
}

/// The story as the contract's JSON.
fn as_json(story: &Story) -> Value {
    let record = &story.record;
    let status = revops_gateway::StatusResponse::from(record);
    json!({
        "tracking_id": status.tracking_id,
        "status": status.status,
        "trace_id": status.trace_id,
        "category": status.category,
        "events": status.events,
        "attempts": status.delivery_attempts,
        "next_attempt_at": status.next_attempt_at,
        "last_error": status.last_error,
        "spans": story.spans.iter().map(|span| json!({
            "name": span.name,
            "span_id": span.span_id,
            "parent_span_id": span.parent_span_id,
            "kind": span.kind,
            "service": span.service,
            "start": span.start.to_rfc3339(),
            "duration_ms": span.duration_ms,
            "status": span.status,
            "attributes": span.attributes,
        })).collect::<Vec<_>>(),
        "logs": story.logs,
        "elsewhere": story.elsewhere,
    })
}
