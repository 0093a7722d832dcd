//! An alarm file: metric alarms (on one metric or on metric math) and composite alarms.
//! Names are short (`dlq-not-empty`); CloudWatch sees `revops-<stage>-dlq-not-empty`.

use super::metric::{ForEach, MetricSelector};
use serde::Deserialize;

/// `alarms/<set>.json`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmFile {
    /// Alarms on a metric or on metric math.
    #[serde(default)]
    pub alarms: Vec<MetricAlarmDef>,
    /// Alarms on other alarms.
    #[serde(default)]
    pub composite_alarms: Vec<CompositeAlarmDef>,
}

/// A metric alarm.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarmDef {
    /// Short name, unique across all files.
    pub name: String,
    /// What it means when it fires.
    pub description: String,
    /// Its entry (heading anchor) in `docs/runbook.md`.
    pub runbook: String,
    /// Repeat for each deployed function.
    #[serde(default)]
    pub for_each: Option<ForEach>,
    /// The metric, for an alarm on one metric (with `stat`).
    #[serde(default)]
    pub metric: Option<MetricSelector>,
    /// The statistic of `metric` (`Sum`, `Maximum`, `p95`, …).
    #[serde(default)]
    pub stat: Option<String>,
    /// The queries, for an alarm on metric math (instead of `metric`).
    #[serde(default)]
    pub queries: Vec<AlarmQuery>,
    /// Seconds per datapoint: 10, 30 or a multiple of 60.
    pub period: u32,
    /// Datapoints looked at.
    pub evaluation_periods: u32,
    /// Of those, how many must breach (all of them by default).
    #[serde(default)]
    pub datapoints_to_alarm: Option<u32>,
    /// How the value compares with the threshold.
    pub comparison: Comparison,
    /// The threshold.
    pub threshold: f64,
    /// What missing data counts as.
    #[serde(default)]
    pub treat_missing_data: TreatMissingData,
    /// Where it notifies on ALARM and OK (`["${alarm_topic_arn}"]`). Empty only for an
    /// alarm that a composite alarm with actions watches.
    #[serde(default)]
    pub actions: Vec<String>,
}

/// One query of a metric-math alarm: a metric (`metric` and `stat`) or an `expression`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmQuery {
    /// Its id (lower case first); expressions refer to it.
    pub id: String,
    /// The metric.
    #[serde(default)]
    pub metric: Option<MetricSelector>,
    /// The metric's statistic.
    #[serde(default)]
    pub stat: Option<String>,
    /// Metric math over the other ids.
    #[serde(default)]
    pub expression: Option<String>,
    /// Its label.
    #[serde(default)]
    pub label: Option<String>,
    /// Whether this is the value the alarm watches (exactly one query).
    #[serde(default)]
    pub return_data: bool,
}

/// How a value compares with the threshold (CloudWatch's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Comparison {
    /// value > threshold
    GreaterThanThreshold,
    /// value >= threshold
    GreaterThanOrEqualToThreshold,
    /// value < threshold
    LessThanThreshold,
    /// value <= threshold
    LessThanOrEqualToThreshold,
}

impl Comparison {
    /// Every comparison.
    pub const ALL: [Comparison; 4] = [
        Comparison::GreaterThanThreshold,
        Comparison::GreaterThanOrEqualToThreshold,
        Comparison::LessThanThreshold,
        Comparison::LessThanOrEqualToThreshold,
    ];

    /// Reads CloudWatch's name ([`Self::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// CloudWatch's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }
}

/// What missing data counts as (CloudWatch's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum TreatMissingData {
    /// Missing data breaches.
    #[serde(rename = "breaching")]
    Breaching,
    /// Missing data is fine (the default here: no traffic is not an incident).
    #[default]
    #[serde(rename = "notBreaching")]
    NotBreaching,
    /// Keep the current state.
    #[serde(rename = "ignore")]
    Ignore,
    /// Count it as missing.
    #[serde(rename = "missing")]
    Missing,
}

impl TreatMissingData {
    /// Every treatment.
    pub const ALL: [TreatMissingData; 4] = [
        TreatMissingData::Breaching,
        TreatMissingData::NotBreaching,
        TreatMissingData::Ignore,
        TreatMissingData::Missing,
    ];

    /// Reads CloudWatch's name ([`Self::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// CloudWatch's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TreatMissingData::Breaching => "breaching",
            TreatMissingData::NotBreaching => "notBreaching",
            TreatMissingData::Ignore => "ignore",
            TreatMissingData::Missing => "missing",
        }
    }
}

/// A composite alarm.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeAlarmDef {
    /// Short name, unique across all files.
    pub name: String,
    /// What it means when it fires.
    pub description: String,
    /// Its entry in `docs/runbook.md`.
    pub runbook: String,
    /// When it fires, over other alarms' short names.
    pub rule: Rule,
    /// Where it notifies (`["${alarm_topic_arn}"]`).
    #[serde(default)]
    pub actions: Vec<String>,
}

/// A composite alarm's rule: `{"any": [{"alarm": "a"}, {"all": [{"alarm": "b"}, {"alarm": "c"}]}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// This alarm (short name) is in ALARM.
    Alarm(String),
    /// Any of these holds.
    Any(Vec<Rule>),
    /// All of these hold.
    All(Vec<Rule>),
}
