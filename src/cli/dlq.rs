//! `revops dlq list` and `revops dlq replay (--tracking-id ID... | --all) [--since T]
//! [--until T] [--dry-run]`: the dead-lettered requests, and putting them back in line.
//! A replayed request keeps its tracking id, goes back to `queued` with who replayed it
//! in its timeline, and is delivered from its stored answer (the agent is not asked
//! again) or, with none stored, asks the agent.

use super::{
    common::{parse_time, runtime},
    operator::{HostArgs, OutputFormat},
    replay,
};
use clap::{Args, Subcommand};
use revops_core::{
    Status, TrackingId,
    flows::{ReplayFrom, Selection, replay::reached_at},
};
use revops_monitor::sla::Time;
use serde_json::json;
use std::io::Write;

/// `revops dlq`'s subcommands.
#[derive(Debug, Args)]
pub struct DlqArgs {
    #[command(subcommand)]
    action: DlqAction,
}

#[derive(Debug, Subcommand)]
enum DlqAction {
    /// The dead-lettered requests, oldest first, with their last error.
    List {
        #[command(flatten)]
        host: HostArgs,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: OutputFormat,
    },
    /// Put dead-lettered requests back on the queue.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["tracking_id", "all"])))]
struct ReplayArgs {
    /// These requests (each must be dead-lettered).
    #[arg(long, num_args = 1.., value_name = "ID")]
    tracking_id: Vec<TrackingId>,
    /// Every dead-lettered request (within --since/--until).
    #[arg(long)]
    all: bool,
    /// With --all: dead-lettered at or after this (RFC 3339, or a duration before now: 2h).
    #[arg(long, requires = "all", value_parser = parse_time, allow_hyphen_values = true)]
    since: Option<Time>,
    /// With --all: dead-lettered before this.
    #[arg(long, requires = "all", value_parser = parse_time, allow_hyphen_values = true)]
    until: Option<Time>,
    #[command(flatten)]
    options: replay::ReplayOptions,
}

/// Runs `revops dlq`.
pub fn run(args: DlqArgs) -> anyhow::Result<()> {
    match args.action {
        DlqAction::List { host, format } => runtime()?.block_on(list(&host, format)),
        DlqAction::Replay(args) => {
            if let (Some(since), Some(until)) = (args.since, args.until)
                && since >= until
            {
                super::common::usage_error("--since must be before --until");
            }
            let selection = if args.all {
                Selection::All {
                    since: args.since,
                    until: args.until,
                }
            } else {
                Selection::Ids(args.tracking_id)
            };
            args.options.run(ReplayFrom::DeadLetters, selection)
        }
    }
}

async fn list(host: &HostArgs, format: OutputFormat) -> anyhow::Result<()> {
    let ports = host.open().await?;
    let mut records = ports.store.in_status(Status::DeadLettered).await?;
    records.sort_by_key(reached_at);
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            let list: Vec<_> = records
                .iter()
                .map(|record| {
                    json!({
                        "tracking_id": record.tracking_id.to_string(),
                        "source_system": record.source_system,
                        "dead_lettered_at": reached_at(record).to_rfc3339(),
                        "attempts": record.attempts,
                        "last_error": record.last_error,
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::Value::Array(list))?;
        }
        OutputFormat::Text => {
            if records.is_empty() {
                writeln!(out, "no dead-lettered requests")?;
                return Ok(());
            }
            writeln!(
                out,
                "{:<36}  {:<20}  {:<25}  {:>8}  last error",
                "tracking id", "source system", "dead-lettered at", "attempts"
            )?;
            for record in &records {
                writeln!(
                    out,
                    "{:<36}  {:<20}  {:<25}  {:>8}  {}",
                    record.tracking_id,
                    record.source_system,
                    reached_at(record).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    record.attempts,
                    one_line(record.last_error.as_deref().unwrap_or("-")),
                )?;
            }
            writeln!(
                out,
                "{} dead-lettered; replay them with `revops dlq replay --all` (or --tracking-id ID)",
                records.len()
            )?;
        }
    }
    Ok(())
}

/// `text` on one line, cut to fit a terminal.
fn one_line(text: &str) -> String {
    const MAX: usize = 100;
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}
