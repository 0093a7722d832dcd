//! `revops trace`'s text: a request's story for a person at a terminal. The timeline as a
//! waterfall (time since `queued`, the gap before each step, `✗` on a failed step and
//! `← slowest` on the longest gap), each phase against the 5-minute objective, the
//! delivery attempts, the spans as an indented tree with bars on one time axis, and the
//! log lines.

use super::trace::Story;
use chrono::{DateTime, SecondsFormat, Utc};
use revops_core::{AttemptResult, Status, export::phases};
use revops_telemetry::trace_store::StoredSpan;
use std::{collections::HashMap, io::Write};

/// The SLA objective the phases are measured against, in milliseconds.
const OBJECTIVE_MS: f64 = 300_000.0;
/// The width of a span's bar.
const BAR: usize = 30;

/// Writes `story` for people.
pub fn write(out: &mut impl Write, story: &Story) -> std::io::Result<()> {
    let record = &story.record;
    writeln!(
        out,
        "request {}: {}{}",
        record.tracking_id,
        record.status,
        record
            .category
            .map(|category| format!(" ({category})"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "{} / {}, queued {}, trace {}",
        record.source_system,
        record.source_process,
        time(record.queued_at),
        record.trace_id.as_deref().unwrap_or("none")
    )?;
    if let Some(error) = &record.last_error {
        writeln!(out, "last error: {error}")?;
    }
    if let Some(next) = record.next_attempt_at {
        writeln!(out, "next attempt: {}", time(next))?;
    }
    write_timeline(out, story)?;
    write_phases(out, story)?;
    write_attempts(out, story)?;
    write_spans(out, &story.spans)?;
    writeln!(out, "\nlog lines")?;
    if story.logs.is_empty() {
        writeln!(out, "  none kept here")?;
    }
    for line in &story.logs {
        // On AWS, the function that logged it.
        let function = line
            .fields
            .get("log_group")
            .and_then(|group| group.as_str())
            .map(|group| format!("{} ", group.trim_start_matches("/aws/lambda/")))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {:<5} {function}{}",
            time(line.at),
            line.level,
            line.message
        )?;
    }
    for note in &story.notes {
        writeln!(out, "\nnote: {note}")?;
    }
    if let Some(link) = &story.xray_console {
        writeln!(out, "\nX-Ray console: {link}")?;
    }
    Ok(())
}

fn write_timeline(out: &mut impl Write, story: &Story) -> std::io::Result<()> {
    let events = &story.record.events;
    let queued_at = story.record.queued_at;
    let gaps: Vec<i64> = events
        .iter()
        .enumerate()
        .map(|(n, event)| {
            let before = n
                .checked_sub(1)
                .map_or(queued_at, |previous| events[previous].at);
            (event.at - before).num_milliseconds().max(0)
        })
        .collect();
    let slowest = gaps
        .iter()
        .enumerate()
        .max_by_key(|(_, gap)| **gap)
        .filter(|(_, gap)| **gap > 0)
        .map(|(n, _)| n);
    writeln!(out, "\ntimeline        since queued      gap")?;
    for (n, event) in events.iter().enumerate() {
        let failed = matches!(
            event.status,
            Status::RetryScheduled | Status::Failed | Status::DeadLettered
        );
        writeln!(
            out,
            "{} {:<16} {:>10} {:>10}  {}{}",
            if failed { "✗" } else { " " },
            event.status.as_str(),
            millis((event.at - queued_at).num_milliseconds()),
            millis(gaps[n]),
            event.detail.as_deref().unwrap_or(""),
            if slowest == Some(n) {
                "  ← slowest"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

fn write_phases(out: &mut impl Write, story: &Story) -> std::io::Result<()> {
    let steps = phases(story.record.queued_at, &story.record.events);
    writeln!(out, "\nagainst the 5-minute objective")?;
    for (name, ms) in [
        ("queue wait", steps.queue_wait_ms),
        ("agent", steps.agent_ms),
        ("delivery", steps.delivery_ms),
        ("end to end", steps.end_to_end_ms),
    ] {
        match ms {
            Some(ms) => writeln!(
                out,
                "  {name:<11} {:>10}  {:>6.1} %",
                millis(ms),
                100.0 * ms as f64 / OBJECTIVE_MS
            )?,
            None => writeln!(out, "  {name:<11} {:>10}", "-")?,
        }
    }
    Ok(())
}

fn write_attempts(out: &mut impl Write, story: &Story) -> std::io::Result<()> {
    let attempts = &story.record.delivery_attempts;
    writeln!(out, "\ndelivery attempts")?;
    if attempts.is_empty() {
        writeln!(out, "  none")?;
    }
    for attempt in attempts {
        let failed = attempt.outcome != AttemptResult::Success;
        writeln!(
            out,
            "{} #{:<3} {}  {:<8} {:>4}  {:>8}  {}",
            if failed { "✗" } else { " " },
            attempt.attempt,
            time(attempt.at),
            attempt.outcome.as_str(),
            attempt
                .http_status
                .map_or_else(|| "-".to_owned(), |status| status.to_string()),
            millis(i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX)),
            attempt.error.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// The spans as a tree, each under its parent, with a bar on the trace's time axis.
fn write_spans(out: &mut impl Write, spans: &[StoredSpan]) -> std::io::Result<()> {
    writeln!(out, "\nspans")?;
    let Some(start) = spans.iter().map(|span| span.start).min() else {
        return writeln!(out, "  none kept here");
    };
    let end = spans
        .iter()
        .map(|span| span.start + chrono::Duration::microseconds((span.duration_ms * 1e3) as i64))
        .max()
        .unwrap_or(start);
    let total_ms = ((end - start).num_microseconds().unwrap_or(0) as f64 / 1e3).max(0.001);
    let ids: HashMap<&str, &StoredSpan> = spans
        .iter()
        .map(|span| (span.span_id.as_str(), span))
        .collect();
    let depth = |span: &StoredSpan| {
        let mut depth = 0;
        let mut parent = span.parent_span_id.as_str();
        while let Some(up) = ids.get(parent) {
            depth += 1;
            parent = up.parent_span_id.as_str();
            if depth > spans.len() {
                break;
            }
        }
        depth
    };
    let mut ordered: Vec<&StoredSpan> = spans.iter().collect();
    ordered.sort_by_key(|span| span.start);
    for span in ordered {
        let offset = (span.start - start).num_microseconds().unwrap_or(0) as f64 / 1e3;
        let from = ((offset / total_ms) * BAR as f64) as usize;
        let width = ((span.duration_ms / total_ms) * BAR as f64).ceil().max(1.0) as usize;
        let bar: String = (0..BAR)
            .map(|cell| {
                if cell >= from && cell < from + width {
                    '█'
                } else {
                    '·'
                }
            })
            .collect();
        let name = format!("{}{}", "  ".repeat(depth(span)), span.name);
        writeln!(
            out,
            "{} {:<40} {:<9} {:>10}  {bar}",
            if span.status == "error" { "✗" } else { " " },
            name,
            span.kind,
            format!("{:.1} ms", span.duration_ms),
        )?;
    }
    Ok(())
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A duration for people: `850 ms`, `2.6 s`, `4.5 min`.
fn millis(ms: i64) -> String {
    match ms {
        ..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1e3),
        _ => format!("{:.1} min", ms as f64 / 60e3),
    }
}

#[cfg(test)]
mod tests {
    use super::millis;

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(millis(850), "850 ms");
        assert_eq!(millis(2_600), "2.6 s");
        assert_eq!(millis(270_000), "4.5 min");
    }
}
