//! From datapoints to an alarm state, as CloudWatch's user guide describes it
//! ("Evaluating an alarm" and "How alarm state is evaluated when data is missing",
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html> and
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html>):
//!
//! - CloudWatch looks at an *evaluation range* longer than the N evaluation periods;
//!   here N + [`EXTRA_PERIODS`] periods (5 for N = 3, as in the guide's tables). The
//!   guide says the exact number depends on the period and the resolution and does not
//!   give it: this is an approximation.
//! - At least N datapoints present: the N most recent ones are evaluated; ALARM when at
//!   least M (datapoints to alarm) breach, OK otherwise; missing data does not matter.
//! - None present: `missing` gives INSUFFICIENT_DATA, `ignore` keeps the state,
//!   `breaching` ALARM, `notBreaching` OK.
//! - Some, fewer than N: every real datapoint counts; `breaching` and `notBreaching`
//!   fill the rest up to N. With `missing` and `ignore`: ALARM when at least M breach;
//!   OK when any present one does not breach; otherwise (only breaching ones, fewer than
//!   M) `ignore` keeps the state and `missing` gives ALARM when the oldest breaching
//!   datapoint is at least M periods old, INSUFFICIENT_DATA otherwise. That last rule is
//!   a heuristic of ours, not CloudWatch's documented algorithm: the guide only explains
//!   its sixth row (`X - - - -`, 3 of 3, ALARM with `missing`) by "the oldest evaluated
//!   data point is breaching and there aren't any non-breaching data points", and the
//!   knowledge center's "Why did my CloudWatch alarm send me a notification after a
//!   single breached data point?" describes the same case; the M-periods-old threshold
//!   is the simplest rule that agrees with every row of both tables.
//!
//! The tests below are the guide's two tables, row for row (data points, how many are
//! missing, and the state for MISSING, IGNORE, BREACHING and NOT BREACHING). The rows
//! were read from the guide's source as published on GitHub
//! (`awsdocs/amazon-cloudwatch-user-guide`, `doc_source/AlarmThatSendsEmail.md`, section
//! "How Alarm State is Evaluated When Data is Missing", commit `05fd32f6`), the page
//! since moved to the address above; the live page itself could not be retrieved here,
//! so rows it may have added since are not checked.

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

    /// Checks one row of the guide: its data points, its count of missing ones, and
    /// the state for MISSING, IGNORE, BREACHING and NOT BREACHING as the guide writes it.
    fn row(m: usize, [data, missing, columns @ ..]: [&str; 6]) {
        use TreatMissingData::*;
        assert_eq!(
            points(data)
                .iter()
                .filter(|p| p.is_none())
                .count()
                .to_string(),
            missing,
            "`{data}`: the guide's count of missing data points"
        );
        for (treat, column) in [Missing, Ignore, Breaching, NotBreaching]
            .into_iter()
            .zip(columns)
        {
            for current in [
                AlarmState::Ok,
                AlarmState::Alarm,
                AlarmState::InsufficientData,
            ] {
                let want = match column {
                    "OK" => AlarmState::Ok,
                    "ALARM" => AlarmState::Alarm,
                    "Insufficient data" => AlarmState::InsufficientData,
                    "Retain current state" => current,
                    other => panic!("not a cell of the guide: {other}"),
                };
                assert_eq!(
                    state(data, m, treat, current),
                    want,
                    "{m} of 3, `{data}`, {}, current {current}",
                    treat.as_str()
                );
            }
        }
    }

    /// The guide's two tables, row for row, each row after its M: the first (M = 3) has
    /// Datapoints to Alarm and Evaluation Periods both 3, the second (M = 2) is 2 of 3;
    /// both retrieve the 5 most recent datapoints.
    #[rustfmt::skip]
    const GUIDE_ROWS: [(usize, [&str; 6]); 11] = [
        (3, ["0 - X - X", "2", "OK", "OK", "OK", "OK"]),
        (3, ["0 - - - -", "4", "OK", "OK", "OK", "OK"]),
        (3, ["- - - - -", "5", "Insufficient data", "Retain current state", "ALARM", "OK"]),
        (3, ["0 X X - X", "1", "ALARM", "ALARM", "ALARM", "ALARM"]),
        (3, ["- - - - X", "4", "Insufficient data", "Retain current state", "ALARM", "OK"]),
        (3, ["X - - - -", "4", "ALARM", "Retain current state", "ALARM", "OK"]),
        (2, ["0 - X - X", "2", "ALARM", "ALARM", "ALARM", "ALARM"]),
        (2, ["0 0 X 0 X", "0", "ALARM", "ALARM", "ALARM", "ALARM"]),
        (2, ["0 - X - -", "3", "OK", "OK", "ALARM", "OK"]),
        (2, ["- - - - 0", "4", "OK", "OK", "ALARM", "OK"]),
        (2, ["- - - - X", "4", "Insufficient data", "Retain current state", "ALARM", "OK"]),
    ];

    #[test]
    fn every_row_of_the_guides_two_tables() {
        for (m, data) in GUIDE_ROWS {
            row(m, data);
        }
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
