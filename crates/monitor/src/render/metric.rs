//! A metric selector rendered and checked: the namespace and dimensions substituted, the
//! metric looked up in the catalog or among the deployed resources' AWS metrics.

use super::model::{Dimension, Metric};
use super::scope::Scope;
use crate::Problem;
use crate::checks::check_metric;
use crate::definitions::metric::MetricSelector;

/// The metric `selector` names, checked; problems go to `field.namespace`, `field.name`
/// or `field.dimensions`.
pub(crate) fn render_metric(
    scope: &Scope<'_>,
    field: &str,
    selector: &MetricSelector,
    problems: &mut Vec<Problem>,
) -> Metric {
    let namespace = scope.text(&format!("{field}.namespace"), &selector.namespace, problems);
    let name = scope.text(&format!("{field}.name"), &selector.name, problems);
    let dimensions = scope.map(
        &format!("{field}.dimensions"),
        &selector.dimensions,
        problems,
    );
    if let Err((part, message)) = check_metric(&namespace, &name, &dimensions, scope.params) {
        problems.push(scope.problem(&format!("{field}.{}", part.field()), message));
    }
    Metric {
        namespace,
        metric_name: name,
        dimensions: dimensions
            .into_iter()
            .map(|(name, value)| Dimension { name, value })
            .collect(),
    }
}
