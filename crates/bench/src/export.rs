//! `revops export`'s memory and rate: archives of 10 000 and 100 000 conversations (each
//! with a 1 KB markdown answer and a delivered request's timeline, written by the local
//! host's own archive writer), exported by the release `revops` to `/dev/null`. The peak
//! resident memory (`VmHWM`, read every 2 ms while it runs) at 100 000 is set against
//! the 10 000 of the same run: a streaming export's peak does not follow the count.
//! One day holding all 100 000 is the worst case (the per-day copy check keeps each id
//! of a day); the same 100 000 over 100 days is the usual one.

use crate::{
    Settings,
    console::{self, Table},
    machine, paths, report,
    revops::sibling_binary,
};
use chrono::{Duration as Days, TimeZone, Utc};
use revops_core::{
    Category, Status, TrackingId,
    ports::{ConversationArchive, ConversationRecord, StatusEvent, TokenUsage},
};
use revops_local::archive::FileArchive;
use serde_json::json;
use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// A realistic answer: the demo agent's deal status, about 1 KB of markdown.
const ANSWER: &str = "**Deal Status for IXIS**\n\n| Field | Value |\n|---|---|\n| Stage | Negotiate |\n\
| Amount | $420,000 |\n| Close date | 2026-12-18 |\n| Probability | 80 % |\n| Owner | Dana Whitfield |\n\n\
**MEDDPICC**\n- **Metrics:** 30 % faster quote-to-cash, agreed with the CFO\n- **Economic buyer:** \
Priya Raman (CFO), met twice\n- **Decision criteria:** SSO, audit trail, EU data residency\n- \
**Decision process:** security review, then legal, then a board sign-off\n- **Paper process:** MSA \
redlines with legal since 2026-11-28\n- **Identified pain:** month-end close takes nine days\n- \
**Champion:** Marco Lenz (VP Finance Ops)\n- **Competition:** incumbent spreadsheet process, one \
point-solution vendor\n\n**Next steps**\n1. Security questionnaire back by Friday\n2. Legal call on \
the limitation-of-liability clause\n3. Pricing approval for the three-year term\n";

/// One archived conversation, queued on `day` (days after 2026-09-01).
fn conversation(day: i64, index: u64) -> ConversationRecord {
    let queued_at = Utc
        .with_ymd_and_hms(2026, 9, 1, 9, 0, 0)
        .single()
        .unwrap_or_default()
        + Days::days(day)
        + Days::milliseconds(i64::try_from(index % 80_000_000).unwrap_or(0));
    let at = |ms: i64| queued_at + Days::milliseconds(ms);
    let step = |status, ms, detail: Option<&str>| StatusEvent {
        status,
        at: at(ms),
        detail: detail.map(str::to_owned),
    };
    ConversationRecord {
        tracking_id: TrackingId::new(),
        source_system: if index.is_multiple_of(3) {
            "billing"
        } else {
            "crm"
        }
        .into(),
        source_process: "renewals".into(),
        query: "What is the deal status for IXIS?".into(),
        response: Some(ANSWER.into()),
        session_id: Some("webhook_20260901_6f1c2a9e".into()),
        answered_at: Some(at(1_480)),
        agents_used: vec!["DemoManagerAgent".into(), "DealAnalysisAgent".into()],
        usage: Some(TokenUsage {
            input_tokens: 1_812,
            output_tokens: 402,
        }),
        category: Some(Category::DealAnalysis),
        agent_calls: 1,
        trace_id: Some("5759e988bd862e3fe1be46a994272793".into()),
        status: Status::Delivered,
        attempts: 1,
        last_error: None,
        webhook_url: Some("https://receiver.example.com/webhooks/deal-analysis".into()),
        queued_at,
        finished_at: at(1_560),
        events: vec![
            step(Status::Queued, 0, None),
            step(Status::Processing, 12, None),
            step(
                Status::AgentCompleted,
                1_500,
                Some("the agent answered (call 1); category deal_analysis"),
            ),
            step(
                Status::Delivering,
                1_501,
                Some("attempt 1 to https://receiver.example.com/webhooks/deal-analysis"),
            ),
            step(
                Status::Delivered,
                1_560,
                Some("HTTP 200 from the receiver on attempt 1"),
            ),
        ],
    }
}

/// Writes `count` conversations spread evenly over `days` days below `data_dir`.
async fn write_archive(data_dir: &Path, count: u64, days: u64) -> anyhow::Result<u64> {
    let archive = FileArchive::new(data_dir);
    let per_day = count.div_ceil(days);
    for index in 0..count {
        let day = i64::try_from(index / per_day)?;
        archive.export(&conversation(day, index)).await?;
    }
    let mut bytes = 0;
    for entry in walk(&data_dir.join("conversations"))? {
        bytes += std::fs::metadata(entry)?.len();
    }
    Ok(bytes)
}

/// Every file below `dir`.
fn walk(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(walk(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

/// One export run: wall time and peak resident memory in kB.
fn export_once(revops: &Path, data_dir: &Path, format: &str) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let mut child = Command::new(revops)
        .args(["export", "--format", format, "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let mut peak = 0;
    let deadline = started + Duration::from_secs(600);
    let status = loop {
        if let Some(hwm) = crate::proc_stats::peak_rss_kb(child.id()) {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill()?;
            anyhow::bail!("revops export took over 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    anyhow::ensure!(status.success(), "revops export failed: {status}");
    Ok((started.elapsed(), peak))
}

/// Runs the export benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let load_before = machine::load_average();
    let revops = sibling_binary("revops")?;
    let cases: [(&str, u64, u64, &str); 5] = [
        ("baseline", 10_000, 1, "analysis"),
        ("one day", 100_000, 1, "analysis"),
        ("100 days", 100_000, 100, "analysis"),
        ("one day", 100_000, 1, "metadata"),
        ("one day", 100_000, 1, "webhook"),
    ];
    let mut table = Table::new(
        "export: archived conversations through `revops export` to /dev/null",
        &[
            "archive",
            "conversations",
            "format",
            "archive MB",
            "seconds",
            "conv/s",
            "peak RSS MB",
        ],
    );
    let mut results = Vec::new();
    for (name, count, days, format) in cases {
        let scratch = paths::scratch_dir(&settings.target, "export-")?;
        let bytes = write_archive(scratch.path(), count, days).await?;
        settings.quiet().await;
        let (took, peak_kb) = export_once(&revops, scratch.path(), format)?;
        let rate = count as f64 / took.as_secs_f64();
        let mb = |bytes: u64| bytes as f64 / 1_048_576.0;
        table.row(vec![
            name.to_owned(),
            count.to_string(),
            format.to_owned(),
            format!("{:.0}", mb(bytes)),
            format!("{:.2}", took.as_secs_f64()),
            format!("{rate:.0}"),
            format!("{:.1}", peak_kb as f64 / 1024.0),
        ]);
        results.push(json!({
            "archive": name, "conversations": count, "days": days, "format": format,
            "archive_bytes": bytes, "seconds": took.as_secs_f64(), "rate": rate,
            "peak_rss_kb": peak_kb,
        }));
    }
    table.print()?;
    let path = report::record("export", settings, load_before, json!({ "cases": results }))?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
