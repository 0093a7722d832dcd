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
//! series and duration notation is in [`super::notation`]. Every alarm must be expected
//! in ALARM in some case and OK in another, or the run fails naming it.

use super::notation::{parse_duration, parse_metric, parse_series};
use super::reason::{Clock, offset};
use super::samples::Samples;
use super::series::Millis;
use super::source::{Options, SampleSource};
use super::state::AlarmState;
use super::{Evaluated, evaluate_all};
use crate::definitions::ALARMS_DIR;
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
    let folder = dir.join(ALARMS_DIR).join(TESTS_DIR);
    let entries = std::fs::read_dir(&folder).map_err(|error| {
        vec![Problem::new(
            format!("{ALARMS_DIR}/{TESTS_DIR}/"),
            "",
            format!(
                "cannot read the alarm tests under {} ({error})",
                dir.display()
            ),
        )]
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for name in names {
        let file = format!("{ALARMS_DIR}/{TESTS_DIR}/{name}");
        match std::fs::read_to_string(folder.join(&name)) {
            Ok(text) => match crate::definitions::parse_json::<TestFile>(&text) {
                Ok(parsed) => files.push((file, parsed)),
                Err((field, message)) => problems.push(Problem::new(file, field, message)),
            },
            Err(error) => problems.push(Problem::new(file, "", format!("cannot read it: {error}"))),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// Runs every case of `files` against the rendered alarms. A case that cannot be read
/// (bad series, unknown alarm, bad time) is a failure that says why.
pub fn run_tests(files: &[(String, TestFile)], desired: &DesiredState, params: &Params) -> TestRun {
    let mut run = TestRun {
        files: files.len(),
        ..TestRun::default()
    };
    let mut shown: BTreeMap<String, BTreeSet<AlarmState>> = BTreeMap::new();
    for (file, test) in files {
        for case in &test.cases {
            run.cases += 1;
            let fail = |alarm: &str, message: String| Failure {
                file: file.clone(),
                case: case.name.clone(),
                alarm: alarm.to_owned(),
                message,
            };
            let prepared = match prepare(test, case, params) {
                Ok(prepared) => prepared,
                Err(message) => {
                    run.failures.push(fail("", message));
                    continue;
                }
            };
            let source = SampleSource {
                samples: &prepared.samples,
                params,
                options: Options::default(),
            };
            let mut by_time: BTreeMap<Millis, Vec<Evaluated>> = BTreeMap::new();
            for expectation in &case.expect {
                run.checks += 1;
                let Some(expected) = AlarmState::parse(&expectation.state) else {
                    run.failures.push(fail(
                        &expectation.alarm,
                        format!(
                            "`{}` is not a state (OK, ALARM, INSUFFICIENT_DATA)",
                            expectation.state
                        ),
                    ));
                    continue;
                };
                let at = match parse_duration(&expectation.at) {
                    Ok(at) => prepared.start + at,
                    Err(message) => {
                        run.failures.push(fail(&expectation.alarm, message));
                        continue;
                    }
                };
                let states = by_time.entry(at).or_insert_with(|| {
                    evaluate_all(desired, &source, at, Clock::SinceStart(prepared.start))
                });
                let Some(got) = states.iter().find(|e| e.name == expectation.alarm) else {
                    run.failures.push(fail(
                        &expectation.alarm,
                        "is not an alarm of the definitions".to_owned(),
                    ));
                    continue;
                };
                shown.entry(got.name.clone()).or_default().insert(expected);
                if got.state != expected {
                    run.failures.push(fail(
                        &expectation.alarm,
                        format!(
                            "at {}: expected {expected}, got {}: {}",
                            offset(at - prepared.start),
                            got.state,
                            got.reason
                        ),
                    ));
                }
            }
        }
    }
    let every_alarm = desired
        .metric_alarms
        .iter()
        .map(|a| &a.alarm_name)
        .chain(desired.composite_alarms.iter().map(|a| &a.alarm_name));
    let prefix = params.alarm_prefix();
    for full in every_alarm {
        let name = full.strip_prefix(&prefix).unwrap_or(full);
        let states = shown.get(name).cloned().unwrap_or_default();
        for (state, what) in [
            (
                AlarmState::Alarm,
                "fire on the fault it is for (no case expects ALARM)",
            ),
            (
                AlarmState::Ok,
                "stay quiet when healthy (no case expects OK)",
            ),
        ] {
            if !states.contains(&state) {
                run.failures.push(Failure {
                    file: format!("{ALARMS_DIR}/{TESTS_DIR}/"),
                    case: String::new(),
                    alarm: name.to_owned(),
                    message: format!("is not shown to {what}"),
                });
            }
        }
    }
    run
}

struct Prepared {
    start: Millis,
    samples: Samples,
}

fn prepare(test: &TestFile, case: &TestCase, params: &Params) -> Result<Prepared, String> {
    let start_text = test.start.as_deref().unwrap_or(DEFAULT_START);
    let start = chrono::DateTime::parse_from_rfc3339(start_text)
        .map_err(|e| format!("start `{start_text}` is not RFC 3339: {e}"))?
        .timestamp_millis();
    let step = parse_duration(
        case.step
            .as_deref()
            .or(test.step.as_deref())
            .unwrap_or("1m"),
    )?;
    if step <= 0 {
        return Err("the step must be longer than zero".into());
    }
    let mut samples = Samples::default();
    for (metric, series) in &case.series {
        let metric = template::substitute(metric, &|name| params.var(name), Params::NAMES)?;
        let key = parse_metric(&metric, &params.namespace)?;
        let steps = parse_series(series).map_err(|e| format!("series of {metric}: {e}"))?;
        for (index, values) in steps.iter().enumerate() {
            for value in values {
                samples.push(key.clone(), start + step * index as Millis, *value);
            }
        }
    }
    Ok(Prepared { start, samples })
}
