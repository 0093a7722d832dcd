//! Alarm evaluation with CloudWatch's documented semantics, so that alarms can be tested
//! (`revops monitor test`) and evaluated on the local host's EMF lines (`revops monitor
//! evaluate`) without an account:
//!
//! - [`statistic`]: a period's statistic from raw values (Sum, Average, SampleCount,
//!   Minimum, Maximum, pNN, TC/TS/TM/PR with absolute bounds);
//! - [`series`]: samples bucketed into the periods of CloudWatch's sliding window;
//! - [`math`]: the metric math the alarms use (arithmetic, comparisons, AND/OR, FILL,
//!   IF), refused at `validate` time when anything else appears;
//! - [`replay`]: the state `ignore` keeps, from the minutes before;
//! - [`state`]: M of N over the evaluation range with the four treatments of missing
//!   data, checked against every row of the user guide's two tables (the version
//!   read is named there), with the approximations the crate README lists;
//! - [`composite`]: composite alarm rules;
//! - [`source`]: where the samples come from, the local host's equivalents of AWS
//!   metrics, and the test-only time scale;
//! - [`tests_data`]: the alarm tests kept in `alarms/tests/*.json` and their runner;
//! - [`coverage`]: what those tests must show of every alarm.
//!
//! An alarm is evaluated at time T on the evaluation range whose newest period ends at
//! the minute of T (CloudWatch's default sliding window, evaluated every minute).

pub mod alarm;
pub mod composite;
pub mod coverage;
pub mod math;
pub mod notation;
pub mod reason;
pub mod replay;
pub mod samples;
pub mod series;
pub mod source;
pub mod state;
pub mod statistic;
pub mod tests_data;

pub use alarm::Datapoint;
pub use samples::{MetricKey, Samples};
pub use source::{Options, SampleSource};
pub use state::AlarmState;

use crate::DesiredState;
use alarm::evaluate_metric_alarm;
use composite::RuleExpr;
use reason::Clock;
use series::Millis;
use std::collections::BTreeMap;

/// One alarm's state at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The definition's name (`delivery-failure-rate`, `function-error-rate-processor`).
    pub name: String,
    /// Its state.
    pub state: AlarmState,
    /// Why, with the datapoints that decided it.
    pub reason: String,
    /// A metric alarm's evaluation range, oldest first (empty for a composite alarm).
    pub datapoints: Vec<Datapoint>,
}

/// Every alarm of `desired` at `at`: metric alarms first, then composite alarms (each
/// after those it watches).
pub fn evaluate_all(
    desired: &DesiredState,
    source: &SampleSource<'_>,
    at: Millis,
    clock: Clock,
) -> Vec<Evaluated> {
    let prefix = source.params.alarm_prefix();
    let short = |full: &str| full.strip_prefix(&prefix).unwrap_or(full).to_owned();
    let mut states: BTreeMap<String, AlarmState> = BTreeMap::new();
    let mut evaluated = Vec::new();
    for alarm in &desired.metric_alarms {
        let outcome = evaluate_metric_alarm(alarm, source, at);
        states.insert(alarm.alarm_name.clone(), outcome.state);
        let reason = if outcome.datapoints.is_empty() {
            outcome.why
        } else {
            format!(
                "{}; datapoints (oldest first, * evaluated): {}",
                outcome.why,
                reason::datapoints(&outcome.datapoints, clock)
            )
        };
        evaluated.push(Evaluated {
            name: short(&alarm.alarm_name),
            state: outcome.state,
            reason,
            datapoints: outcome.datapoints,
        });
    }
    for composite in &desired.composite_alarms {
        let (state, reason) = match RuleExpr::parse(&composite.alarm_rule) {
            Ok(rule) => {
                let holds = rule.holds(&|name| states.get(name).copied());
                let firing: Vec<String> = rule
                    .alarms()
                    .into_iter()
                    .filter(|name| states.get(*name) == Some(&AlarmState::Alarm))
                    .map(&short)
                    .collect();
                let state = if holds {
                    AlarmState::Alarm
                } else {
                    AlarmState::Ok
                };
                let reason = match (holds, firing.is_empty()) {
                    (true, _) => format!("its rule holds: in ALARM: {}", firing.join(", ")),
                    (false, true) => {
                        "its rule does not hold: none of its alarms is in ALARM".to_owned()
                    }
                    (false, false) => {
                        format!("its rule does not hold (in ALARM: {})", firing.join(", "))
                    }
                };
                (state, reason)
            }
            Err(why) => (AlarmState::InsufficientData, why),
        };
        states.insert(composite.alarm_name.clone(), state);
        evaluated.push(Evaluated {
            name: short(&composite.alarm_name),
            state,
            reason,
            datapoints: Vec::new(),
        });
    }
    evaluated
}
