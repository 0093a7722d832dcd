//! `revops monitor test` and `revops monitor evaluate`: the alarms evaluated with
//! CloudWatch's semantics (`revops_monitor::evaluate`), on the synthetic series of the
//! alarm tests beside the definitions, or on the EMF lines a host wrote.

use super::common::{parse_time, usage_error};
use super::monitor::{DefinitionArgs, validate};
use clap::{Args, ValueEnum};
use revops_monitor::evaluate::reason::Clock;
use revops_monitor::evaluate::tests_data::{load_tests, run_tests};
use revops_monitor::evaluate::{Options, SampleSource, Samples, evaluate_all};
use revops_monitor::sla::{self, Time};
use revops_monitor::{DesiredState, Params, Problem};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `revops monitor test`'s flags.
#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    definitions: DefinitionArgs,
}

/// `revops monitor evaluate`'s flags.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    definitions: DefinitionArgs,
    /// The EMF lines (`revops serve` writes DATA_DIR/metrics.emf.jsonl).
    #[arg(long, value_name = "FILE")]
    emf_file: PathBuf,
    /// When to evaluate: RFC 3339 or a duration before now (`90m`) [default: the last line's time].
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    at: Option<Time>,
    /// table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Test-only: the lines were written with time compressed this many times (one
    /// second stands for this many), so periods shrink and durations grow by it.
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale, hide = true)]
    time_scale: f64,
}

/// How `evaluate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per alarm.
    Table,
    /// `[{"name", "state", "reason"}]`.
    Json,
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(scale) if scale >= 1.0 && scale.is_finite() => Ok(scale),
        _ => Err(format!(
            "`{text}` is not a time scale (a number, at least 1)"
        )),
    }
}

/// Runs the alarm tests; an error (exit 1) when any check fails. Definitions or tests
/// that cannot be read are bad input (exit 2, naming the file and field to fix).
pub fn run_test(args: &TestArgs) -> anyhow::Result<()> {
    let params = args.definitions.params(None);
    let dir = &args.definitions.dir;
    let desired = definitions(dir, &params);
    let unreadable = |problems: Vec<Problem>| -> ! {
        refuse(
            &problems,
            &format!(
                "the alarm tests under {} cannot be read; fix the fields named above",
                dir.display()
            ),
        )
    };
    let files = load_tests(dir).unwrap_or_else(|problems| unreadable(problems));
    let run = run_tests(&files, &desired, &params).unwrap_or_else(|problems| unreadable(problems));
    let mut out = std::io::stdout().lock();
    for failure in &run.failures {
        writeln!(out, "FAIL {failure}")?;
    }
    let summary = format!(
        "{} checks in {} cases from {} files, {} alarms",
        run.checks,
        run.cases,
        run.files,
        desired.metric_alarms.len() + desired.composite_alarms.len()
    );
    if run.failures.is_empty() {
        writeln!(out, "ok: {summary}")?;
        Ok(())
    } else {
        anyhow::bail!("{} failed: {summary}", run.failures.len())
    }
}

/// The rendered alarms, or exit 2 naming what to fix in the definitions.
fn definitions(dir: &Path, params: &Params) -> DesiredState {
    match validate(dir, params) {
        Ok(validated) => validated.desired,
        Err(error) => usage_error(&format!(
            "{error}; fix the fields named above, or pass --dir where dashboards/ and alarms/ are"
        )),
    }
}

/// Prints each problem, then exits 2 with `message`.
fn refuse(problems: &[Problem], message: &str) -> ! {
    let mut err = std::io::stderr().lock();
    for problem in problems {
        let _ = writeln!(err, "{problem}");
    }
    drop(err);
    usage_error(message)
}

/// Prints every alarm's state from the EMF lines.
pub fn run_evaluate(args: &EvaluateArgs) -> anyhow::Result<()> {
    let params = args.definitions.params(None);
    let desired = definitions(&args.definitions.dir, &params);
    let text = match std::fs::read_to_string(&args.emf_file) {
        Ok(text) => text,
        Err(error) => usage_error(&format!(
            "cannot read {} ({error}); `revops serve` writes DATA_DIR/metrics.emf.jsonl",
            args.emf_file.display()
        )),
    };
    let (lines, skipped) = sla::read_emf_lines(text.lines());
    if !skipped.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "revops monitor evaluate: skipped {} line(s) that are not valid EMF:",
            skipped.len()
        );
        for line in skipped.iter().take(5) {
            let _ = writeln!(err, "  line {}: {}", line.line, line.reason);
        }
    }
    let samples = Samples::from_emf(&lines);
    let at = match (args.at, lines.iter().map(|line| line.at).max()) {
        (Some(at), _) | (None, Some(at)) => at,
        (None, None) => usage_error(&format!(
            "{} holds no EMF line; give --at to evaluate anyway",
            args.emf_file.display()
        )),
    };
    let source = SampleSource {
        samples: &samples,
        params: &params,
        options: Options {
            local: true,
            time_scale: args.time_scale,
        },
    };
    let evaluated = evaluate_all(&desired, &source, at.timestamp_millis(), Clock::Utc);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = evaluated
                .iter()
                .map(|e| {
                    serde_json::json!({"name": e.name, "state": e.state.as_str(), "reason": e.reason})
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
        }
        Format::Table => {
            let width = evaluated.iter().map(|e| e.name.len()).max().unwrap_or(4);
            writeln!(
                out,
                "alarms at {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )?;
            for e in &evaluated {
                writeln!(
                    out,
                    "{:width$}  {:17}  {}",
                    e.name,
                    e.state.as_str(),
                    e.reason
                )?;
            }
        }
    }
    Ok(())
}
