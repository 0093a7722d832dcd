//! `revops trace <tracking_id>`: one request's whole story, from its `POST` to its last
//! delivery attempt: the timeline as a waterfall (each step's time, the gap before it,
//! the failed steps and the slowest marked, each phase's share of the 5-minute
//! objective), every delivery attempt, the spans as a tree and the request's log lines.
//! The record comes from the host's store (`--data-dir` or `--aws`); the spans and log
//! lines locally from the trace store (`DATA_DIR/traces`), on AWS from X-Ray and the
//! three functions' log groups ([`super::trace_aws`]), with the X-Ray
//! console's link to the trace. An unknown id exits 1, naming it.

use super::{
    common::runtime,
    operator::{FunctionNames, HostArgs, OutputFormat},
    trace_aws, trace_text,
};
use anyhow::Context;
use clap::Args;
use revops_core::{
    TrackingId,
    ports::{TrackingRecord, TrackingStore},
};
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
    #[command(flatten)]
    functions: FunctionNames,
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
    /// What could not be read, and why.
    pub notes: Vec<String>,
    /// The X-Ray console's page of the trace (the AWS host).
    pub xray_console: Option<String>,
}

/// Runs `revops trace`.
pub fn run(args: TraceArgs) -> anyhow::Result<()> {
    let story = runtime()?.block_on(tell(&args))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{}", as_json(&story))?,
        OutputFormat::Text => trace_text::write(&mut out, &story)?,
    }
    Ok(())
}

/// The story of the request named, from the host named.
async fn tell(args: &TraceArgs) -> anyhow::Result<Story> {
    let unknown = || format!("no request has tracking id {}", args.tracking_id);
    let Some(data_dir) = args.host.data_dir() else {
        let resources = args.host.aws_resources().await;
        let record = resources
            .store
            .get(&args.tracking_id)
            .await?
            .with_context(unknown)?;
        let functions = args.functions.all(args.host.stage());
        let telemetry = trace_aws::read(&resources.clients, &functions, &record).await;
        return Ok(Story {
            xray_console: Some(args.host.xray_link(record.trace_id.as_deref())),
            record,
            spans: telemetry.spans,
            logs: telemetry.logs,
            notes: telemetry.notes,
        });
    };
    let ports = args.host.open().await?;
    let record = ports
        .store
        .get(&args.tracking_id)
        .await?
        .with_context(unknown)?;
    let store = TraceStoreSettings::in_data_dir(data_dir);
    let (spans, logs) = trace_store::request_telemetry(&store.dir, &record.tracking_id.to_string())
        .with_context(|| format!("cannot read {}", store.dir.display()))?;
    Ok(Story {
        record,
        spans,
        logs,
        notes: Vec::new(),
        xray_console: None,
    })
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
        "notes": story.notes,
        "xray_console": story.xray_console,
    })
}
