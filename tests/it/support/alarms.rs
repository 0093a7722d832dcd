//! The alarms evaluated on what a host wrote: `revops monitor evaluate` (the real
//! binary) on a data directory's `metrics.emf.jsonl`, with the repository's alarm
//! definitions.
//!
//! Tests run in compressed time (seconds, not minutes), so they pass the test-only
//! `--time-scale`: one second of the test stands for that many, so a 5-minute period
//! lasts 300 / scale seconds and a measured duration counts scale times longer. The
//! alarms' thresholds, periods and M of N are evaluated unchanged on that scale.

use super::binary::revops;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The scale the drills use: one second stands for five minutes, one alarm period.
pub const DRILL_TIME_SCALE: u32 = 300;

/// One alarm's state and why.
#[derive(Debug, Clone)]
pub struct AlarmView {
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
    /// The reason, with the datapoints.
    pub reason: String,
}

/// Every alarm's state, by definition name, at the last EMF line of `data_dir`.
pub fn alarm_states(data_dir: &Path, time_scale: u32) -> BTreeMap<String, AlarmView> {
    let emf = data_dir.join("metrics.emf.jsonl");
    let scale = time_scale.to_string();
    let output = revops(&[
        "monitor",
        "evaluate",
        "--dir",
        env!("CARGO_MANIFEST_DIR"),
        "--emf-file",
        emf.to_str().unwrap(),
        "--format",
        "json",
        "--time-scale",
        &scale,
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "revops monitor evaluate: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    list.into_iter()
        .map(|alarm| {
            let view = AlarmView {
                state: alarm["state"].as_str().unwrap().to_owned(),
                reason: alarm["reason"].as_str().unwrap().to_owned(),
            };
            (alarm["name"].as_str().unwrap().to_owned(), view)
        })
        .collect()
}

/// The alarms in ALARM, with their reasons.
pub fn firing(states: &BTreeMap<String, AlarmView>) -> Vec<String> {
    states
        .iter()
        .filter(|(_, view)| view.state == "ALARM")
        .map(|(name, view)| format!("{name}: {}", view.reason))
        .collect()
}

/// Asserts that `name` is in `state`, showing its reason and every alarm otherwise.
pub fn assert_alarm(states: &BTreeMap<String, AlarmView>, name: &str, state: &str) {
    let view = states
        .get(name)
        .unwrap_or_else(|| panic!("no alarm {name}: {states:?}"));
    assert_eq!(
        view.state, state,
        "{name}: {}\nall: {states:#?}",
        view.reason
    );
}
