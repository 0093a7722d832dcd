//! The replay that `revops dlq replay` and `revops redeliver` share: select the requests
//! (refusing, with exit 2 and nothing changed, an unknown id or one in another status),
//! then put each back in line with a progress bar, remove the dead-letter queue's copies
//! of the replayed ones, and print a summary: replayed, skipped and why (exit 1 when any
//! was skipped).

use super::{
    common::{runtime, usage_error},
    operator::{HostArgs, HostPorts, OutputFormat, replayed_by},
};
use clap::Args;
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use revops_core::{
    TrackingId,
    flows::{ReplayFrom, ReplayResult, Selection, SelectionError, replay::reached_at},
};
use serde_json::json;
use std::io::Write;

/// Replays at once: enough to hide the store's and the queue's round trips on AWS.
const REPLAYS_IN_FLIGHT: usize = 8;

/// What a replay did.
#[derive(Debug, Default)]
struct Summary {
    replayed: Vec<TrackingId>,
    skipped: Vec<(TrackingId, String)>,
    copies_removed: usize,
}

/// What `revops dlq replay` and `revops redeliver` share on the command line.
#[derive(Debug, Args)]
pub struct ReplayOptions {
    /// Say what would be put back on the queue, and change nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    host: HostArgs,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: OutputFormat,
}

impl ReplayOptions {
    /// Replays `selection` from `from` on the host named.
    pub fn run(self, from: ReplayFrom, selection: Selection) -> anyhow::Result<()> {
        runtime()?.block_on(async {
            let host = self.host.open().await?;
            run(&host, from, selection, self.dry_run, self.format).await
        })
    }
}

/// Replays `selection` from `from` on `host`; with `dry_run`, only says what it would.
async fn run(
    host: &HostPorts,
    from: ReplayFrom,
    selection: Selection,
    dry_run: bool,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let records = match host.replayer.select(from, &selection).await {
        Ok(records) => records,
        Err(SelectionError::Store(error)) => return Err(error.into()),
        Err(refused) => usage_error(&format!("{refused}; nothing was replayed")),
    };
    if dry_run {
        return print_dry_run(from, &records, format);
    }
    let by = replayed_by(from.command());
    let progress = progress_bar(records.len());
    let mut summary = Summary::default();
    let mut results = futures_util::stream::iter(&records)
        .map(|record| async { (record.tracking_id, host.replayer.replay(record, &by).await) })
        .buffer_unordered(REPLAYS_IN_FLIGHT);
    while let Some((id, result)) = results.next().await {
        progress.inc(1);
        match result {
            ReplayResult::Replayed => summary.replayed.push(id),
            ReplayResult::Skipped(reason) => summary.skipped.push((id, reason)),
        }
    }
    progress.finish_and_clear();
    match host.replayer.discard_copies(&summary.replayed).await {
        Ok(removed) => summary.copies_removed = removed,
        Err(error) => eprintln!(
            "{}: the replayed requests' copies stay in the dead-letter queue ({error}); a redrive of them changes nothing",
            from.command()
        ),
    }
    print_summary(from, &summary, format)?;
    if !summary.skipped.is_empty() {
        anyhow::bail!(
            "{} request(s) were not replayed (see above)",
            summary.skipped.len()
        );
    }
    Ok(())
}

/// A bar on a terminal for a bulk replay; nothing otherwise.
fn progress_bar(len: usize) -> ProgressBar {
    if len < 2 {
        return ProgressBar::hidden();
    }
    ProgressBar::new(len as u64).with_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} requests replayed [{wide_bar}] {eta}")
            .expect("the template is valid"),
    )
}

fn print_dry_run(
    from: ReplayFrom,
    records: &[revops_core::ports::TrackingRecord],
    format: OutputFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            let would: Vec<_> = records
                .iter()
                .map(|record| {
                    json!({
                        "tracking_id": record.tracking_id.to_string(),
                        "status": record.status.as_str(),
                        "since": reached_at(record).to_rfc3339(),
                        "answer_stored": record.answer.is_some(),
                    })
                })
                .collect();
            writeln!(
                out,
                "{}",
                json!({"dry_run": true, "would_replay": would, "count": records.len()})
            )?;
        }
        OutputFormat::Text => {
            for record in records {
                let answer = if record.answer.is_some() {
                    "delivered from its stored answer"
                } else {
                    "the agent is asked"
                };
                writeln!(
                    out,
                    "would replay {} ({} since {}; {answer})",
                    record.tracking_id,
                    record.status,
                    reached_at(record).to_rfc3339()
                )?;
            }
            writeln!(
                out,
                "{}: {} request(s) would be replayed (dry run: nothing changed)",
                from.command(),
                records.len()
            )?;
        }
    }
    Ok(())
}

fn print_summary(from: ReplayFrom, summary: &Summary, format: OutputFormat) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            let skipped: Vec<_> = summary
                .skipped
                .iter()
                .map(|(id, reason)| json!({"tracking_id": id.to_string(), "reason": reason}))
                .collect();
            let replayed: Vec<_> = summary.replayed.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "{}",
                json!({
                    "replayed": replayed,
                    "skipped": skipped,
                    "dead_letter_copies_removed": summary.copies_removed,
                })
            )?;
        }
        OutputFormat::Text => {
            for (id, reason) in &summary.skipped {
                writeln!(out, "skipped {id}: {reason}")?;
            }
            writeln!(
                out,
                "{}: {} replayed, {} skipped",
                from.command(),
                summary.replayed.len(),
                summary.skipped.len()
            )?;
        }
    }
    Ok(())
}
