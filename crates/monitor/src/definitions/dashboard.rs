//! A dashboard file: a name and widgets, in the order they are laid out (left to right,
//! top to bottom, on CloudWatch's 24-column grid).

use super::metric::{ForEach, MetricSelector};
use serde::Deserialize;

/// `dashboards/<name>.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardFile {
    /// The dashboard's name (`revops-${stage}-service`).
    pub name: String,
    /// The default period of its graphs, in seconds.
    #[serde(default = "default_period")]
    pub period: u32,
    /// Its widgets.
    pub widgets: Vec<Widget>,
}

fn default_period() -> u32 {
    300
}

/// One widget: text (`markdown`) or a graph (`metrics` and `expressions`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Widget {
    /// Its title.
    pub title: String,
    /// Markdown: makes this a text widget.
    #[serde(default)]
    pub markdown: Option<String>,
    /// The graph's metrics.
    #[serde(default)]
    pub metrics: Vec<GraphMetric>,
    /// The graph's metric math.
    #[serde(default)]
    pub expressions: Vec<GraphExpression>,
    /// `timeSeries` (default), `singleValue`, `bar` or `pie`.
    #[serde(default)]
    pub view: Option<String>,
    /// Stack the series.
    #[serde(default)]
    pub stacked: bool,
    /// This graph's period in seconds, if not the dashboard's.
    #[serde(default)]
    pub period: Option<u32>,
    /// Horizontal lines, such as the objective.
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    /// The left axis's lower bound.
    #[serde(default)]
    pub y_min: Option<f64>,
    /// The left axis's label.
    #[serde(default)]
    pub y_label: Option<String>,
    /// Width in grid columns (1..=24), 12 by default.
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in grid rows, 6 by default.
    #[serde(default)]
    pub height: Option<u32>,
}

/// One metric on a graph.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphMetric {
    /// Which metric.
    pub metric: MetricSelector,
    /// The statistic (`Sum`, `p95`, …).
    pub stat: String,
    /// The legend's label.
    #[serde(default)]
    pub label: Option<String>,
    /// An id for expressions to use (lower case first).
    #[serde(default)]
    pub id: Option<String>,
    /// Draw it (false: only an input to an expression).
    #[serde(default = "yes")]
    pub visible: bool,
    /// Draw it against the right axis.
    #[serde(default)]
    pub right_axis: bool,
    /// Repeat for each deployed function.
    #[serde(default)]
    pub for_each: Option<ForEach>,
}

/// One metric math series on a graph.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphExpression {
    /// Its id.
    pub id: String,
    /// The expression.
    pub expression: String,
    /// The legend's label.
    pub label: String,
    /// Draw it against the right axis.
    #[serde(default)]
    pub right_axis: bool,
}

/// A horizontal line across a graph.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// What it marks.
    pub label: String,
    /// Where.
    pub value: f64,
}

fn yes() -> bool {
    true
}
