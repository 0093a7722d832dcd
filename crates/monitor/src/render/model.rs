//! The CloudWatch resources the definitions describe, exactly as PutDashboard,
//! PutMetricAlarm and PutCompositeAlarm take them. The same types hold what the account
//! has, so a plan compares like with like. Field names are CloudWatch's.

// The statistics sent as `Statistic` rather than `ExtendedStatistic` (a `stat` below).
// Defined with the statistics check, which accepts them; its public path stays here.
pub use crate::checks::STANDARD_STATISTICS;
use serde::Serialize;

/// A dashboard: its name and body (the JSON PutDashboard takes).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dashboard {
    /// The dashboard's name.
    pub dashboard_name: String,
    /// The body: `{"widgets": [...]}`.
    pub dashboard_body: serde_json::Value,
}

/// A metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricAlarm {
    /// Its full name (`revops-prod-dlq-not-empty`).
    pub alarm_name: String,
    /// What it means, and its runbook link.
    pub alarm_description: String,
    /// Whether its actions run.
    pub actions_enabled: bool,
    /// Notified on ALARM.
    pub alarm_actions: Vec<String>,
    /// Notified on OK.
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<String>,
    /// What it watches.
    #[serde(flatten)]
    pub source: AlarmSource,
    /// Datapoints looked at.
    pub evaluation_periods: i32,
    /// Of those, how many must breach.
    pub datapoints_to_alarm: i32,
    /// The threshold.
    pub threshold: f64,
    /// `GreaterThanThreshold`, …
    pub comparison_operator: String,
    /// `notBreaching`, …
    pub treat_missing_data: String,
}

/// What a metric alarm watches: one metric, or metric math.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AlarmSource {
    /// One metric with one statistic.
    #[serde(rename_all = "PascalCase")]
    Metric {
        /// The metric.
        #[serde(flatten)]
        metric: Metric,
        /// `Sum`, `p95`, … (sent as Statistic or ExtendedStatistic).
        stat: String,
        /// Seconds per datapoint.
        period: i32,
    },
    /// Metric math.
    #[serde(rename_all = "PascalCase")]
    Math {
        /// The queries; exactly one returns data.
        metrics: Vec<Query>,
    },
}

/// A metric: namespace, name, dimensions (sorted by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub metric_name: String,
    /// Its dimensions, sorted by name.
    pub dimensions: Vec<Dimension>,
}

/// One dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// One query of a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Query {
    /// Its id.
    pub id: String,
    /// A metric and statistic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    /// Or an expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether the alarm watches this one.
    pub return_data: bool,
}

/// A metric with a statistic and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    /// The metric.
    pub metric: Metric,
    /// The statistic.
    pub stat: String,
    /// Seconds per datapoint.
    pub period: i32,
}

/// A composite alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompositeAlarm {
    /// Its full name.
    pub alarm_name: String,
    /// What it means, and its runbook link.
    pub alarm_description: String,
    /// Whether its actions run.
    pub actions_enabled: bool,
    /// Notified on ALARM.
    pub alarm_actions: Vec<String>,
    /// Notified on OK.
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<String>,
    /// `ALARM("a") OR (ALARM("b") AND ALARM("c"))`.
    pub alarm_rule: String,
}
