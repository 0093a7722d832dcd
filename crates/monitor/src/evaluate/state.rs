//! From datapoints to an alarm state, as CloudWatch's user guide describes it
//! ("Evaluating an alarm" and "How alarm state is evaluated when data is missing",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html> and
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html>):
//!
//! - CloudWatch looks at an *evaluation range* longer than the N evaluation periods;
//!   here N + [`EXTRA_PERIODS`] periods (5 for N = 3, as in the guide's tables).
//! - At least N datapoints present: the N most recent ones are evaluated; ALARM when at
//!   least M (datapoints to alarm) breach, OK otherwise; missing data does not matter.
//! - None present: `missing` gives INSUFFICIENT_DATA, `ignore` keeps the state,
//!   `breaching` ALARM, `notBreaching` OK.
//! - Some, fewer than N: every real datapoint counts; `breaching` and `notBreaching`
//!   fill the rest up to N. With `missing` and `ignore`: ALARM when at least M breach;
//!   OK when any present one does not breach; otherwise (only breaching ones, fewer than
//!   M) `missing` gives ALARM when the oldest breaching datapoint is at least M periods
//!   old (AWS knowledge center, "Why did my CloudWatch alarm send me a notification after
//!   a single breached data point?") and INSUFFICIENT_DATA otherwise, and `ignore`
//!   keeps the state. Every row of the guide's two tables is a test below.

use crate::definitions::alarm::{Comparison, TreatMissingData};
use serde::Serialize;
use std::fmt;

/// How many periods beyond N the evaluation range holds.
pub const EXTRA_PERIODS: usize = 2;

/// An alarm's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    /// Within the threshold.
    Ok,
    /// Outside it.
    Alarm,
    /// Not enough data to say.
    InsufficientData,
}

impl AlarmState {
    /// CloudWatch's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }

    /// Reads CloudWatch's name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "OK" => Some(AlarmState::Ok),
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            _ => None,
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What decides a metric alarm's state besides its datapoints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// How a value compares with the threshold.
    pub comparison: Comparison,
    /// The threshold.
    pub threshold: f64,
    /// N.
    pub evaluation_periods: usize,
    /// M.
    pub datapoints_to_alarm: usize,
    /// What missing data counts as.
    pub treat_missing_data: TreatMissingData,
}

impl Rule {
    /// Whether `value` breaches.
    pub fn breaches(&self, value: f64) -> bool {
        match self.comparison {
            Comparison::GreaterThanThreshold => value > self.threshold,
            Comparison::GreaterThanOrEqualToThreshold => value >= self.threshold,
            Comparison::LessThanThreshold => value < self.threshold,
            Comparison::LessThanOrEqualToThreshold => value <= self.threshold,
        }
    }

    /// How many periods the evaluation range holds.
    pub fn range_periods(&self) -> usize {
        self.evaluation_periods + EXTRA_PERIODS
    }
}

/// The state and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The new state.
    pub state: AlarmState,
    /// Indexes (into the evaluation range, oldest first) of the datapoints evaluated.
    pub evaluated: Vec<usize>,
    /// How many of the evaluated (real or filled) breach.
    pub breaching: usize,
    /// How many missing datapoints were filled in.
    pub filled: usize,
    /// In words.
    pub why: String,
    /// Whether the state is the current one kept (`ignore` with nothing to decide on).
    pub kept: bool,
}

/// Decides the state from the evaluation range's datapoints (oldest first, `None` for
/// missing), the alarm's rule and its current state (for `ignore`).
pub fn decide(points: &[Option<f64>], rule: &Rule, current: AlarmState) -> Decision {
    let n = rule.evaluation_periods;
    let m = rule.datapoints_to_alarm;
    let present: Vec<(usize, bool)> = points
        .iter()
        .enumerate()
        .filter_map(|(index, value)| value.map(|v| (index, rule.breaches(v))))
        .collect();
    let decided =
        |state: AlarmState, evaluated: Vec<usize>, breaching: usize, filled: usize, why: String| {
            Decision {
                state,
                evaluated,
                breaching,
                filled,
                why,
                kept: false,
            }
        };
    let verdict = |breaching: usize| {
        if breaching >= m {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        }
    };
    if present.len() >= n {
        let recent = &present[present.len() - n..];
        let breaching = recent.iter().filter(|(_, b)| *b).count();
        let why =
            format!("{breaching} of the {n} most recent datapoints breach ({m} needed to alarm)");
        return decided(
            verdict(breaching),
            recent.iter().map(|(i, _)| *i).collect(),
            breaching,
            0,
            why,
        );
    }
    let indexes: Vec<usize> = present.iter().map(|(i, _)| *i).collect();
    let breaching = present.iter().filter(|(_, b)| *b).count();
    let missing = n - present.len();
    let treat = rule.treat_missing_data;
    match treat {
        TreatMissingData::Breaching | TreatMissingData::NotBreaching => {
            let filled_breaching = if treat == TreatMissingData::Breaching {
                missing
            } else {
                0
            };
            let total = breaching + filled_breaching;
            let why = format!(
                "{} datapoint(s) present, {missing} missing counted as {}: {total} of {n} breach ({m} needed to alarm)",
                present.len(),
                treat.as_str()
            );
            decided(verdict(total), indexes, total, missing, why)
        }
        TreatMissingData::Missing | TreatMissingData::Ignore => {
            let unknown = if treat == TreatMissingData::Missing {
                AlarmState::InsufficientData
            } else {
                current
            };
            if present.is_empty() {
                let why = format!(
                    "no datapoint in the last {} periods (missing data: {})",
                    points.len(),
                    treat.as_str()
                );
                return Decision {
                    kept: treat == TreatMissingData::Ignore,
                    ..decided(unknown, indexes, 0, 0, why)
                };
            }
            if breaching >= m {
                let why = format!(
                    "{breaching} of {} present datapoints breach ({m} needed to alarm)",
                    present.len()
                );
                return decided(AlarmState::Alarm, indexes, breaching, 0, why);
            }
            if breaching < present.len() {
                let why = format!(
                    "{breaching} of {} present datapoints breach ({m} needed) and some do not",
                    present.len()
                );
                return decided(AlarmState::Ok, indexes, breaching, 0, why);
            }
            let oldest_age = points.len() - present[0].0;
            if treat == TreatMissingData::Missing && oldest_age >= m {
                let why = format!(
                    "only breaching datapoints, the oldest {oldest_age} periods old (at least {m})"
                );
                return decided(AlarmState::Alarm, indexes, breaching, 0, why);
            }
            let why = format!(
                "only {breaching} breaching datapoint(s), fewer than {m}, and no other (missing data: {})",
                treat.as_str()
            );
            Decision {
                kept: treat == TreatMissingData::Ignore,
                ..decided(unknown, indexes, breaching, 0, why)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of the guide's tables: `0` not breaching, `X` breaching, `-` missing.
    fn points(row: &str) -> Vec<Option<f64>> {
        row.split_whitespace()
            .map(|p| match p {
                "0" => Some(0.0),
                "X" => Some(10.0),
                _ => None,
            })
            .collect()
    }

    fn state(row: &str, m: usize, treat: TreatMissingData, current: AlarmState) -> AlarmState {
        let rule = Rule {
            comparison: Comparison::GreaterThanThreshold,
            threshold: 5.0,
            evaluation_periods: 3,
            datapoints_to_alarm: m,
            treat_missing_data: treat,
        };
        assert_eq!(points(row).len(), rule.range_periods());
        decide(&points(row), &rule, current).state
    }

    /// Checks one row for the four treatments; `None` for "retain current state".
    fn row(m: usize, data: &str, expected: [Option<AlarmState>; 4]) {
        use TreatMissingData::*;
        for (treat, expected) in [Missing, Ignore, Breaching, NotBreaching]
            .into_iter()
            .zip(expected)
        {
            for current in [
                AlarmState::Ok,
                AlarmState::Alarm,
                AlarmState::InsufficientData,
            ] {
                let got = state(data, m, treat, current);
                let want = expected.unwrap_or(current);
                assert_eq!(
                    got,
                    want,
                    "{m} of 3, `{data}`, {}, current {current}",
                    treat.as_str()
                );
            }
        }
    }

    const OK: Option<AlarmState> = Some(AlarmState::Ok);
    const ALARM: Option<AlarmState> = Some(AlarmState::Alarm);
    const INSUFFICIENT: Option<AlarmState> = Some(AlarmState::InsufficientData);
    const KEEP: Option<AlarmState> = None;

    // The user guide's first table: Datapoints to Alarm and Evaluation Periods both 3,
    // 5 datapoints retrieved; columns MISSING, IGNORE, BREACHING, NOT BREACHING.
    #[test]
    fn guide_table_3_of_3_row_1() {
        row(3, "0 - X - X", [OK, OK, OK, OK]);
    }

    #[test]
    fn guide_table_3_of_3_row_2() {
        row(3, "0 - - - -", [OK, OK, OK, OK]);
    }

    #[test]
    fn guide_table_3_of_3_row_3() {
        row(3, "- - - - -", [INSUFFICIENT, KEEP, ALARM, OK]);
    }

    #[test]
    fn guide_table_3_of_3_row_4() {
        row(3, "0 X X - X", [ALARM, ALARM, ALARM, ALARM]);
    }

    #[test]
    fn guide_table_3_of_3_row_5() {
        row(3, "- - - - X", [INSUFFICIENT, KEEP, ALARM, OK]);
    }

    #[test]
    fn guide_table_3_of_3_row_6() {
        row(3, "X - - - -", [ALARM, KEEP, ALARM, OK]);
    }

    // The second table: 2 out of 3.
    #[test]
    fn guide_table_2_of_3_row_1() {
        row(2, "0 - X - X", [ALARM, ALARM, ALARM, ALARM]);
    }

    #[test]
    fn guide_table_2_of_3_row_2() {
        row(2, "0 0 X 0 X", [ALARM, ALARM, ALARM, ALARM]);
    }

    #[test]
    fn guide_table_2_of_3_row_3() {
        row(2, "0 - X - -", [OK, OK, ALARM, OK]);
    }

    #[test]
    fn guide_table_2_of_3_row_4() {
        row(2, "- - - - 0", [OK, OK, ALARM, OK]);
    }

    #[test]
    fn guide_table_2_of_3_row_5() {
        row(2, "- - - - X", [INSUFFICIENT, KEEP, ALARM, OK]);
    }

    #[test]
    fn comparisons_follow_their_names() {
        let rule = |comparison| Rule {
            comparison,
            threshold: 1.0,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            treat_missing_data: TreatMissingData::Missing,
        };
        assert!(rule(Comparison::GreaterThanOrEqualToThreshold).breaches(1.0));
        assert!(!rule(Comparison::GreaterThanThreshold).breaches(1.0));
        assert!(rule(Comparison::LessThanThreshold).breaches(0.5));
        assert!(rule(Comparison::LessThanOrEqualToThreshold).breaches(1.0));
    }
}
