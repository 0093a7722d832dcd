//! What dashboards and alarms share: a metric named by namespace, name and dimensions,
//! and the `for_each` expansion over the deployed functions.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A metric: `{"namespace": "${namespace}", "name": "EndToEndLatency", "dimensions": {"Service": "processor"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSelector {
    /// `${namespace}` for the code's metrics, or `AWS/Lambda`, `AWS/SQS`, `AWS/ApiGateway`.
    pub namespace: String,
    /// The metric's name.
    pub name: String,
    /// Dimension name to value; all of the metric's dimensions, no more.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
}

/// Repeats a definition for each member of a set, with extra parameters for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForEach {
    /// Once per Lambda function: `${function}` is its deployed name, `${function_key}`
    /// its role (`gateway`, `processor`, `agent-wrapper`).
    Function,
}
