//! `revops sla`: the SLA report (p50/p95/p99 end-to-end latency, success rate, objective
//! attainment, error budget and burn rate) over a window, from CloudWatch or from an EMF
//! file, as a table, JSON or markdown, with an optional SVG chart of p95 over time.

use super::common::{parse_time, runtime, usage_error};
use anyhow::Context;
use clap::Args;
use revops_monitor::account::Account;
use revops_monitor::sla::{self, Format, Objective, SlaReport, Time, Window};
use std::io::Write;
use std::path::PathBuf;

/// `revops sla`'s flags.
#[derive(Debug, Args)]
pub struct SlaArgs {
    /// Start of the window: RFC 3339, a date, `now`, or a duration before now (`7d`) [default: the EMF file's first line, or 30 days ago].
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    from: Option<Time>,
    /// End of the window (excluded) [default: the EMF file's last line, or now].
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    to: Option<Time>,
    /// Read EMF lines from this file (`revops serve` writes .revops/metrics.emf.jsonl) instead of CloudWatch.
    #[arg(long, value_name = "FILE")]
    emf_file: Option<PathBuf>,
    /// table, json or markdown.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Also write p95 over time, with the objective line, to this SVG file.
    #[arg(long, value_name = "FILE", value_parser = parse_chart_path)]
    chart: Option<PathBuf>,
    /// Namespace of the metrics.
    #[arg(
        long,
        env = "REVOPS_METRICS_NAMESPACE",
        default_value = "RevOps/WebhookGateway"
    )]
    namespace: String,
    /// AWS region (CloudWatch only).
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    region: String,
    /// The latency objective in seconds.
    #[arg(long, default_value_t = 300.0, value_parser = parse_positive)]
    objective_seconds: f64,
    /// The share of deliveries that must meet it, in percent.
    #[arg(long, default_value_t = 95.0, value_parser = parse_percent)]
    target_percent: f64,
}

fn parse_chart_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => Ok(path),
        Some("png") => Err("PNG is not supported; name an .svg file".to_owned()),
        _ => Err("the chart is SVG: name an .svg file".to_owned()),
    }
}

fn parse_positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(value),
        _ => Err(format!("`{text}` is not a positive number of seconds")),
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value > 0.0 && value < 100.0 => Ok(value),
        _ => Err(format!("`{text}` is not a percentage between 0 and 100")),
    }
}

/// Runs `revops sla`.
pub fn run(args: SlaArgs) -> anyhow::Result<()> {
    let objective = Objective {
        latency_ms: args.objective_seconds * 1000.0,
        target: args.target_percent / 100.0,
    };
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from >= to
    {
        usage_error("--from must be before --to");
    }
    let inputs = match &args.emf_file {
        Some(path) => {
            let read = sla::from_emf_file(path, &args.namespace, args.from, args.to, objective)
                .with_context(|| {
                    format!(
                        "cannot read {} (`revops serve` writes DATA_DIR/metrics.emf.jsonl)",
                        path.display()
                    )
                })?;
            if !read.skipped.is_empty() {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(
                    err,
                    "revops sla: skipped {} line(s) that are not valid EMF:",
                    read.skipped.len()
                );
                for skipped in read.skipped.iter().take(5) {
                    let _ = writeln!(err, "  line {}: {}", skipped.line, skipped.reason);
                }
            }
            read.inputs
        }
        None => {
            let now = sla::now();
            let window = Window {
                from: args.from.unwrap_or(now - chrono_days(30)),
                to: args.to.unwrap_or(now),
            };
            runtime()?.block_on(async {
                let account = Account::from_env(&args.region, "").await;
                sla::from_cloudwatch(account.client(), &args.namespace, window, objective).await
            })?
        }
    };
    let report = SlaReport::new(inputs, objective);
    if let Some(chart) = &args.chart {
        std::fs::write(chart, sla::render_svg(&report))
            .with_context(|| format!("cannot write the chart to {}", chart.display()))?;
    }
    let mut out = std::io::stdout().lock();
    write!(out, "{}", sla::render(&report, args.format))?;
    if let Some(chart) = &args.chart {
        writeln!(out, "chart: {}", chart.display())?;
    }
    Ok(())
}

fn chrono_days(days: i64) -> sla::Duration {
    sla::Duration::days(days)
}
