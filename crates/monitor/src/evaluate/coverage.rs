//! What the alarm tests must show of every alarm, or the run fails naming it:
//!
//! - some case expects it in ALARM (it fires on the fault it is for);
//! - some case expects it OK (it stays quiet when healthy);
//! - for a metric alarm that needs M of N datapoints with M < N, some case expects it OK
//!   while at least one of its evaluated datapoints breaches: a blip below M of N does
//!   not page. Without it, M could drop to 1 and every other test still pass.

use super::Evaluated;
use super::state::AlarmState;
use super::tests_data::{Failure, TESTS_DIR};
use crate::DesiredState;
use crate::definitions::ALARMS_DIR;
use std::collections::{BTreeMap, BTreeSet};

/// What the cases showed, by alarm (short name).
#[derive(Debug, Default)]
pub struct Coverage {
    expected: BTreeMap<String, BTreeSet<AlarmState>>,
    quiet_on_a_blip: BTreeSet<String>,
}

impl Coverage {
    /// Notes that a case expected `got`'s alarm in `expected`.
    pub fn record(&mut self, got: &Evaluated, expected: AlarmState) {
        self.expected
            .entry(got.name.clone())
            .or_default()
            .insert(expected);
        let blip = got.datapoints.iter().any(|d| d.evaluated && d.breaching);
        if expected == AlarmState::Ok && got.state == AlarmState::Ok && blip {
            self.quiet_on_a_blip.insert(got.name.clone());
        }
    }

    /// A failure for each alarm of `desired` not shown to do what it must; `short` turns
    /// a full alarm name into the definition's.
    pub fn missing(&self, desired: &DesiredState, short: &dyn Fn(&str) -> String) -> Vec<Failure> {
        let mut failures = Vec::new();
        let metric = desired
            .metric_alarms
            .iter()
            .map(|a| (&a.alarm_name, a.datapoints_to_alarm < a.evaluation_periods));
        let composite = desired
            .composite_alarms
            .iter()
            .map(|a| (&a.alarm_name, false));
        for (full, m_of_n) in metric.chain(composite) {
            let name = short(full);
            let states = self.expected.get(&name).cloned().unwrap_or_default();
            let mut fail = |what: &str| {
                failures.push(Failure {
                    file: format!("{ALARMS_DIR}/{TESTS_DIR}/"),
                    case: String::new(),
                    alarm: name.clone(),
                    message: format!("is not shown to {what}"),
                });
            };
            if !states.contains(&AlarmState::Alarm) {
                fail("fire on the fault it is for (no case expects ALARM)");
            }
            if !states.contains(&AlarmState::Ok) {
                fail("stay quiet when healthy (no case expects OK)");
            }
            if m_of_n && !self.quiet_on_a_blip.contains(&name) {
                fail(
                    "stay quiet on a blip below its M of N (no case expects OK while one of its evaluated datapoints breaches)",
                );
            }
        }
        failures
    }
}
