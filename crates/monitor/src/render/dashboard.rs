//! A dashboard file rendered into the body PutDashboard takes: widgets placed left to
//! right on the 24-column grid, graphs with their metrics, expressions and annotations.

use super::metric::render_metric;
use super::model::{Dashboard, Metric};
use super::scope::Scope;
use crate::checks::{check_dashboard_name, check_expression, check_id, check_period, check_stat};
use crate::definitions::dashboard::{DashboardFile, GraphMetric, Widget};
use crate::definitions::metric::ForEach;
use crate::{FunctionRole, Problem};
use serde_json::{Map, Value, json};

const GRID_COLUMNS: u32 = 24;
const VIEWS: &[&str] = &["timeSeries", "singleValue", "bar", "pie", "gauge"];

/// Renders one dashboard file.
pub(crate) fn render_dashboard(
    scope: &Scope<'_>,
    file: &DashboardFile,
    problems: &mut Vec<Problem>,
) -> Dashboard {
    let name = scope.text("name", &file.name, problems);
    scope.check("name", check_dashboard_name(&name), problems);
    scope.check("period", check_period(file.period), problems);
    if file.widgets.is_empty() {
        problems.push(scope.problem("widgets", "a dashboard needs at least one widget"));
    }
    let mut layout = Layout::default();
    let widgets: Vec<Value> = file
        .widgets
        .iter()
        .enumerate()
        .map(|(index, widget)| {
            let field = format!("widgets[{index}]");
            let (x, y, width, height) = layout.place(scope, &field, widget, problems);
            let (kind, properties) = match &widget.markdown {
                Some(markdown) => {
                    let title = scope.text(&format!("{field}.title"), &widget.title, problems);
                    let body = scope.text(&format!("{field}.markdown"), markdown, problems);
                    if !widget.metrics.is_empty() || !widget.expressions.is_empty() {
                        problems.push(scope.problem(
                            &field,
                            "a text widget (with `markdown`) cannot also have metrics or expressions",
                        ));
                    }
                    ("text", json!({"markdown": format!("## {title}\n\n{body}")}))
                }
                None => ("metric", graph(scope, &field, file.period, widget, problems)),
            };
            json!({"type": kind, "x": x, "y": y, "width": width, "height": height, "properties": properties})
        })
        .collect();
    Dashboard {
        dashboard_name: name,
        dashboard_body: json!({"widgets": widgets}),
    }
}

/// Places widgets in rows: a widget that does not fit on the row starts the next one.
#[derive(Debug, Default)]
struct Layout {
    x: u32,
    y: u32,
    row_height: u32,
}

impl Layout {
    fn place(
        &mut self,
        scope: &Scope<'_>,
        field: &str,
        widget: &Widget,
        problems: &mut Vec<Problem>,
    ) -> (u32, u32, u32, u32) {
        let is_text = widget.markdown.is_some();
        let width = widget
            .width
            .unwrap_or(if is_text { GRID_COLUMNS } else { 12 });
        let height = widget.height.unwrap_or(if is_text { 2 } else { 6 });
        if !(1..=GRID_COLUMNS).contains(&width) {
            problems.push(scope.problem(&format!("{field}.width"), "must be 1 to 24 grid columns"));
        }
        if !(1..=1000).contains(&height) {
            problems.push(scope.problem(&format!("{field}.height"), "must be 1 to 1000 grid rows"));
        }
        let width = width.clamp(1, GRID_COLUMNS);
        if self.x + width > GRID_COLUMNS {
            self.x = 0;
            self.y += self.row_height;
            self.row_height = 0;
        }
        let placed = (self.x, self.y, width, height);
        self.x += width;
        self.row_height = self.row_height.max(height);
        placed
    }
}

fn graph(
    scope: &Scope<'_>,
    field: &str,
    default_period: u32,
    widget: &Widget,
    problems: &mut Vec<Problem>,
) -> Value {
    let title = scope.text(&format!("{field}.title"), &widget.title, problems);
    let view = widget
        .view
        .clone()
        .unwrap_or_else(|| "timeSeries".to_owned());
    if !VIEWS.contains(&view.as_str()) {
        problems.push(scope.problem(
            &format!("{field}.view"),
            format!("`{view}` is not a view; use one of {}", VIEWS.join(", ")),
        ));
    }
    let period = widget.period.unwrap_or(default_period);
    if widget.period.is_some() {
        scope.check(&format!("{field}.period"), check_period(period), problems);
    }
    let ids: Vec<String> = widget
        .metrics
        .iter()
        .filter_map(|metric| metric.id.clone())
        .chain(widget.expressions.iter().map(|e| e.id.clone()))
        .collect();
    let mut lines = Vec::new();
    for (index, metric) in widget.metrics.iter().enumerate() {
        let metric_field = format!("{field}.metrics[{index}]");
        lines.extend(graph_metric(scope, &metric_field, metric, problems));
    }
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for (index, expression) in widget.expressions.iter().enumerate() {
        let expression_field = format!("{field}.expressions[{index}]");
        scope.check(
            &format!("{expression_field}.id"),
            check_id(&expression.id),
            problems,
        );
        let text = scope.text(
            &format!("{expression_field}.expression"),
            &expression.expression,
            problems,
        );
        scope.check(
            &format!("{expression_field}.expression"),
            check_expression(&text, &expression.id, &id_refs, scope.params),
            problems,
        );
        let label = scope.text(
            &format!("{expression_field}.label"),
            &expression.label,
            problems,
        );
        let mut options = Map::new();
        options.insert("expression".into(), text.into());
        options.insert("label".into(), label.into());
        options.insert("id".into(), expression.id.clone().into());
        if expression.right_axis {
            options.insert("yAxis".into(), "right".into());
        }
        lines.push(json!([options]));
    }
    check_unique_ids(scope, field, &ids, problems);
    let drawn = widget.metrics.iter().any(|m| m.visible) || !widget.expressions.is_empty();
    if !drawn {
        problems.push(scope.problem(
            field,
            "a graph needs at least one visible metric or an expression (or `markdown` for text)",
        ));
    }
    let mut properties = Map::new();
    properties.insert("title".into(), title.into());
    properties.insert("region".into(), scope.params.region.clone().into());
    properties.insert("view".into(), view.into());
    properties.insert("stacked".into(), widget.stacked.into());
    properties.insert("period".into(), period.into());
    properties.insert("metrics".into(), lines.into());
    if !widget.annotations.is_empty() {
        let horizontal: Vec<Value> = widget
            .annotations
            .iter()
            .enumerate()
            .map(|(index, annotation)| {
                let label = scope.text(
                    &format!("{field}.annotations[{index}].label"),
                    &annotation.label,
                    problems,
                );
                json!({"label": label, "value": annotation.value})
            })
            .collect();
        properties.insert("annotations".into(), json!({"horizontal": horizontal}));
    }
    if widget.y_min.is_some() || widget.y_label.is_some() {
        let mut left = Map::new();
        if let Some(min) = widget.y_min {
            left.insert("min".into(), min.into());
        }
        if let Some(label) = &widget.y_label {
            left.insert("label".into(), label.clone().into());
            left.insert("showUnits".into(), false.into());
        }
        properties.insert("yAxis".into(), json!({"left": left}));
    }
    Value::Object(properties)
}

/// One metric line, or one per function with `for_each`.
fn graph_metric(
    scope: &Scope<'_>,
    field: &str,
    metric: &GraphMetric,
    problems: &mut Vec<Problem>,
) -> Vec<Value> {
    scope.check(&format!("{field}.stat"), check_stat(&metric.stat), problems);
    if let Some(id) = &metric.id {
        scope.check(&format!("{field}.id"), check_id(id), problems);
    }
    let scopes: Vec<Scope<'_>> = match metric.for_each {
        Some(ForEach::Function) => {
            if metric.id.is_some() {
                problems.push(scope.problem(
                    &format!("{field}.id"),
                    "a metric repeated with `for_each` cannot have an id (ids must be unique)",
                ));
            }
            FunctionRole::ALL
                .iter()
                .map(|role| scope.for_function(*role))
                .collect()
        }
        None => vec![*scope],
    };
    scopes
        .iter()
        .map(|scope| {
            let rendered =
                render_metric(scope, &format!("{field}.metric"), &metric.metric, problems);
            let label = match (&metric.label, scope.role) {
                (Some(label), _) => Some(scope.text(&format!("{field}.label"), label, problems)),
                (None, Some(role)) => Some(role.key().to_owned()),
                (None, None) => None,
            };
            metric_line(&rendered, metric, label)
        })
        .collect()
}

/// `[namespace, name, dim, value, …, {options}]`, CloudWatch's form.
fn metric_line(metric: &Metric, definition: &GraphMetric, label: Option<String>) -> Value {
    let mut line = vec![
        Value::from(metric.namespace.clone()),
        Value::from(metric.metric_name.clone()),
    ];
    for dimension in &metric.dimensions {
        line.push(dimension.name.clone().into());
        line.push(dimension.value.clone().into());
    }
    let mut options = Map::new();
    options.insert("stat".into(), definition.stat.clone().into());
    if let Some(label) = label {
        options.insert("label".into(), label.into());
    }
    if let Some(id) = &definition.id {
        options.insert("id".into(), id.clone().into());
    }
    if !definition.visible {
        options.insert("visible".into(), false.into());
    }
    if definition.right_axis {
        options.insert("yAxis".into(), "right".into());
    }
    line.push(Value::Object(options));
    Value::Array(line)
}

fn check_unique_ids(scope: &Scope<'_>, field: &str, ids: &[String], problems: &mut Vec<Problem>) {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(scope.problem(field, format!("the id `{id}` is used twice")));
        }
    }
}
