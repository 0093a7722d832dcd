//! The report for people and programs: an aligned table, JSON, or a markdown table to
//! paste into a status page.

use super::report::SlaReport;

/// How to print the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned `name  value` lines.
    Table,
    /// One JSON object.
    Json,
    /// A markdown table.
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "markdown" => Ok(Format::Markdown),
            other => Err(format!(
                "`{other}` is not a format: use table, json or markdown"
            )),
        }
    }
}

/// The report in `format`.
pub fn render(report: &SlaReport, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Table => {
            let rows = rows(report);
            let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
            let mut out = format!("SLA report: {}\n", report.source);
            for (name, value) in rows {
                out.push_str(&format!("  {name:<width$}  {value}\n"));
            }
            out
        }
        Format::Markdown => {
            let mut out = format!(
                "### SLA report\n\nSource: {}\n\n| measure | value |\n|---|---|\n",
                report.source
            );
            for (name, value) in rows(report) {
                out.push_str(&format!("| {name} | {} |\n", value.replace('|', "\\|")));
            }
            out
        }
    }
}

fn rows(report: &SlaReport) -> Vec<(&'static str, String)> {
    let objective_s = report.objective.latency_ms / 1000.0;
    let verdict = match report.objective_met {
        Some(true) => " (objective met)",
        Some(false) => " (objective MISSED)",
        None => "",
    };
    let good = report.total - report.bad;
    vec![
        (
            "window",
            format!(
                "{} → {}",
                report
                    .window
                    .from
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                report
                    .window
                    .to
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        ),
        (
            "objective",
            format!(
                "{} of deliveries within {} s",
                percent(Some(report.objective.target)),
                seconds(objective_s * 1000.0)
            ),
        ),
        ("latency p50", latency(report.latency.p50_ms)),
        ("latency p95", latency(report.latency.p95_ms)),
        ("latency p99", latency(report.latency.p99_ms)),
        (
            "deliveries",
            format!(
                "{} (delivered {}, failed {}, dead-lettered {})",
                report.total,
                report.deliveries.delivered,
                report.deliveries.failed,
                report.deliveries.dead_lettered
            ),
        ),
        ("success rate", percent(report.success_rate)),
        (
            "attainment",
            format!(
                "{} ({good} of {} within {} s){verdict}",
                percent(report.attainment),
                report.total,
                seconds(objective_s * 1000.0)
            ),
        ),
        (
            "error budget left",
            format!(
                "{} ({} missed of {:.1} allowed)",
                percent(report.budget_remaining),
                report.bad,
                report.budget_allowed
            ),
        ),
        (
            "burn rate",
            report
                .burn_rate
                .map_or("n/a".to_owned(), |rate| format!("{rate:.2}×")),
        ),
        (
            "percentiles",
            format!("nearest rank over {} latencies", report.latency.samples),
        ),
    ]
}

fn percent(value: Option<f64>) -> String {
    value.map_or("n/a".to_owned(), |v| format!("{:.2} %", v * 100.0))
}

fn seconds(ms: f64) -> String {
    let s = ms / 1000.0;
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.3}")
    }
}

fn latency(ms: Option<f64>) -> String {
    ms.map_or("n/a (no deliveries measured)".to_owned(), |ms| {
        format!("{} s ({ms:.0} ms)", seconds(ms))
    })
}
