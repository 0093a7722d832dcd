//! Alarm tests: data kept beside the definitions (`alarms/tests/*.json`) that feed
//! synthetic series to the alarms and say which state named alarms must be in when.
//!
//! ```json
//! {
//!   "start": "2026-01-05T00:00:00Z",
//!   "step": "1m",
//!   "cases": [
//!     {
//!       "name": "half the deliveries fail for 30 minutes",
//!       "series": {
//!         "Deliveries{Service=processor,Outcome=delivered}": "10x60",
//!         "Deliveries{Service=processor,Outcome=failed}": "0x30 10x30"
//!       },
//!       "expect": [
//!         {"alarm": "delivery-failure-rate", "at": "30m", "state": "OK"},
//!         {"alarm": "delivery-failure-rate", "at": "45m", "state": "ALARM"}
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! `start` (RFC 3339, default `2026-01-05T00:00:00Z`) is when each series begins; step
//! *i* of a series is at `start + i × step` (`step` per file or per case, default `1m`).
//! Each expectation evaluates the alarm (its definition's name) at `start + at`. The
//! series and duration notation is in [`super::notation`]. What the cases must show of
//! every alarm (ALARM, OK, and OK on a blip for an M-of-N alarm) is in
//! [`super::coverage`]. A file or case that cannot be read is a problem naming the file
//! and the field (`cases[2].series.Deliveries{…}`, `cases[0].expect[1].at`).

use super::coverage::Coverage;
use super::notation::{parse_duration, parse_metric, parse_series};
use super::reason::{Clock, offset};
use super::samples::Samples;
use super::series::Millis;
use super::source::{Options, SampleSource};
use super::state::AlarmState;
use super::{Evaluated, evaluate_all};
use crate::definitions::ALARMS_DIR;
use crate::definitions::load_json_dir;
use crate::{DesiredState, Params, Problem, template};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// Where the tests live, under the definitions' directory.
pub const TESTS_DIR: &str = "tests";

const DEFAULT_START: &str = "2026-01-05T00:00:00Z";

/// One test file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// When the series begin (RFC 3339).
    #[serde(default)]
    pub start: Option<String>,
    /// How long each step of a series lasts (`1m`).
    #[serde(default)]
    pub step: Option<String>,
    /// The cases.
    pub cases: Vec<TestCase>,
}

/// One case: series in, expected states out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What it shows.
    pub name: String,
    /// This case's step, if not the file's.
    #[serde(default)]
    pub step: Option<String>,
    /// Metric to series.
    pub series: BTreeMap<String, String>,
    /// The states expected.
    pub expect: Vec<Expectation>,
}

/// An alarm's expected state at a time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The alarm's definition name.
    pub alarm: String,
    /// Time since the start (`40m`).
    pub at: String,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
}

/// A check that did not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The test file.
    pub file: String,
    /// The case's name (empty for a missing test).
    pub case: String,
    /// The alarm.
    pub alarm: String,
    /// What went wrong: expected, got, and the datapoints that decided it.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.case.is_empty() {
            write!(f, "{}: {}: {}", self.file, self.alarm, self.message)
        } else {
            write!(
                f,
                "{}: case `{}`: {} {}",
                self.file, self.case, self.alarm, self.message
            )
        }
    }
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestRun {
    /// Files read.
    pub files: usize,
    /// Cases run.
    pub cases: usize,
    /// Expectations checked.
    pub checks: usize,
    /// Those that failed, and alarms left untested.
    pub failures: Vec<Failure>,
}

/// Reads `alarms/tests/*.json` under `dir`; parse errors name the file and field.
pub fn load_tests(dir: &Path) -> Result<Vec<(String, TestFile)>, Vec<Problem>> {
    let mut problems = Vec::new();
    let files = load_json_dir::<TestFile>(dir, &format!("{ALARMS_DIR}/{TESTS_DIR}"), &mut problems);
    if problems.is_empty() {
        Ok(files.into_iter().map(|l| (l.file, l.definition)).collect())
    } else {
        Err(problems)
    }
}

/// Runs every case of `files` against the rendered alarms. A case that cannot be read
/// (bad series, unknown alarm, bad time) is a problem naming the file and the field, and
/// then no run is reported: the tests must be fixed first.
pub fn run_tests(
    files: &[(String, TestFile)],
    desired: &DesiredState,
    params: &Params,
) -> Result<TestRun, Vec<Problem>> {
    let mut run = TestRun {
        files: files.len(),
        ..TestRun::default()
    };
    let prefix = params.alarm_prefix();
    let short = |full: &'_ str| full.strip_prefix(&prefix).unwrap_or(full).to_owned();
    let names: BTreeSet<String> = desired
        .metric_alarms
        .iter()
        .map(|a| short(&a.alarm_name))
        .chain(
            desired
                .composite_alarms
                .iter()
                .map(|a| short(&a.alarm_name)),
        )
        .collect();
    let mut problems = Vec::new();
    let mut coverage = Coverage::default();
    for (file, test) in files {
        for (index, case) in test.cases.iter().enumerate() {
            let prepared = match prepare(test, case, params, &names) {
                Ok(prepared) => prepared,
                Err((field, message)) => {
                    let field = field.replace("cases[]", &format!("cases[{index}]"));
                    problems.push(Problem::new(file.clone(), field, message));
                    continue;
                }
            };
            run.cases += 1;
            let source = SampleSource {
                samples: &prepared.samples,
                params,
                options: Options::default(),
            };
            let mut by_time: BTreeMap<Millis, Vec<Evaluated>> = BTreeMap::new();
            for check in &prepared.checks {
                run.checks += 1;
                let states = by_time.entry(check.at).or_insert_with(|| {
                    evaluate_all(
                        desired,
                        &source,
                        check.at,
                        Clock::SinceStart(prepared.start),
                    )
                });
                let Some(got) = states.iter().find(|e| e.name == check.alarm) else {
                    continue;
                };
                coverage.record(got, check.expected);
                if got.state != check.expected {
                    run.failures.push(Failure {
                        file: file.clone(),
                        case: case.name.clone(),
                        alarm: check.alarm.clone(),
                        message: format!(
                            "at {}: expected {}, got {}: {}",
                            offset(check.at - prepared.start),
                            check.expected,
                            got.state,
                            got.reason
                        ),
                    });
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    run.failures.extend(coverage.missing(desired, &short));
    Ok(run)
}

struct Check {
    alarm: String,
    at: Millis,
    expected: AlarmState,
}

struct Prepared {
    start: Millis,
    samples: Samples,
    checks: Vec<Check>,
}

/// A case read: its samples and checks, or the field at fault (`cases[]` standing for
/// the case's index) and what to fix.
fn prepare(
    test: &TestFile,
    case: &TestCase,
    params: &Params,
    alarms: &BTreeSet<String>,
) -> Result<Prepared, (String, String)> {
    let start_text = test.start.as_deref().unwrap_or(DEFAULT_START);
    let start = chrono::DateTime::parse_from_rfc3339(start_text)
        .map_err(|e| {
            (
                "start".to_owned(),
                format!("`{start_text}` is not RFC 3339: {e}"),
            )
        })?
        .timestamp_millis();
    let (step_field, step_text) = match (&case.step, &test.step) {
        (Some(step), _) => ("cases[].step", step.as_str()),
        (None, Some(step)) => ("step", step.as_str()),
        (None, None) => ("step", "1m"),
    };
    let step = parse_duration(step_text).map_err(|e| (step_field.to_owned(), e))?;
    if step <= 0 {
        return Err((
            step_field.to_owned(),
            "the step must be longer than zero".into(),
        ));
    }
    let mut samples = Samples::default();
    for (metric, series) in &case.series {
        let field = || format!("cases[].series.{metric}");
        let substituted = template::substitute(metric, &|name| params.var(name), Params::NAMES)
            .map_err(|e| (field(), e))?;
        let key = parse_metric(&substituted, &params.namespace).map_err(|e| (field(), e))?;
        let steps = parse_series(series).map_err(|e| (field(), e))?;
        for (index, values) in steps.iter().enumerate() {
            let at = Millis::try_from(index)
                .ok()
                .and_then(|index| step.checked_mul(index))
                .and_then(|offset| start.checked_add(offset))
                .ok_or_else(|| (field(), "the series runs past the year 9999".to_owned()))?;
            for value in values {
                samples.push(key.clone(), at, *value);
            }
        }
    }
    let mut checks = Vec::new();
    for (index, expectation) in case.expect.iter().enumerate() {
        let field = |name: &str| format!("cases[].expect[{index}].{name}");
        if !alarms.contains(&expectation.alarm) {
            return Err((
                field("alarm"),
                format!("`{}` is not an alarm of the definitions", expectation.alarm),
            ));
        }
        let expected = AlarmState::parse(&expectation.state).ok_or_else(|| {
            (
                field("state"),
                format!(
                    "`{}` is not a state (OK, ALARM, INSUFFICIENT_DATA)",
                    expectation.state
                ),
            )
        })?;
        let at = parse_duration(&expectation.at)
            .ok()
            .and_then(|at| start.checked_add(at))
            .ok_or_else(|| {
                (
                    field("at"),
                    format!(
                        "`{}` is not a time after the start (90s, 40m, 2h, 1h30m; at most a year)",
                        expectation.at
                    ),
                )
            })?;
        checks.push(Check {
            alarm: expectation.alarm.clone(),
            at,
            expected,
        });
    }
    Ok(Prepared {
        start,
        samples,
        checks,
    })
}
