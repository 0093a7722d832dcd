//! A metric alarm definition rendered into the PutMetricAlarm it stands for (once, or
//! once per function with `for_each`), each field checked where it is written.

use super::Sourced;
use super::metric::render_metric;
use super::model::{AlarmSource, MetricAlarm, MetricStat, Query};
use super::scope::Scope;
use crate::checks::{
    check_alarm_name, check_expression, check_id, check_period, check_stat, check_topic_arn,
};
use crate::definitions::Runbook;
use crate::definitions::alarm::{AlarmQuery, MetricAlarmDef};
use crate::definitions::metric::ForEach;
use crate::evaluate::math;
use crate::evaluate::statistic::Statistic;
use crate::{FunctionRole, Problem};

/// The longest alarm description CloudWatch takes.
const MAX_DESCRIPTION: usize = 1024;
/// The longest an alarm may look back: one day.
const MAX_EVALUATION_SECONDS: u64 = 86_400;

/// Renders `alarms[index]` of a file.
pub(crate) fn render_metric_alarm(
    scope: &Scope<'_>,
    field: &str,
    definition: &MetricAlarmDef,
    runbook: &Runbook,
    problems: &mut Vec<Problem>,
) -> Vec<Sourced<MetricAlarm>> {
    let scopes: Vec<Scope<'_>> = match definition.for_each {
        Some(ForEach::Function) => FunctionRole::ALL
            .iter()
            .map(|role| scope.for_function(*role))
            .collect(),
        None => vec![*scope],
    };
    scopes
        .iter()
        .map(|scope| Sourced {
            file: scope.file.to_owned(),
            field: field.to_owned(),
            item: render_one(scope, field, definition, runbook, problems),
        })
        .collect()
}

fn render_one(
    scope: &Scope<'_>,
    field: &str,
    definition: &MetricAlarmDef,
    runbook: &Runbook,
    problems: &mut Vec<Problem>,
) -> MetricAlarm {
    let at = |name: &str| format!("{field}.{name}");
    let alarm_name = full_alarm_name(scope, &at("name"), &definition.name, problems);
    let alarm_description = described(
        scope,
        field,
        &definition.description,
        &definition.runbook,
        runbook,
        problems,
    );
    scope.check(&at("period"), check_period(definition.period), problems);
    let source = source(scope, field, definition, problems);
    let evaluation_periods = definition.evaluation_periods;
    if evaluation_periods == 0 {
        problems.push(scope.problem(&at("evaluation_periods"), "must be at least 1"));
    } else if u64::from(definition.period) * u64::from(evaluation_periods) > MAX_EVALUATION_SECONDS
    {
        problems.push(scope.problem(
            &at("evaluation_periods"),
            format!(
                "period × evaluation_periods = {} s; CloudWatch looks back at most one day (86400 s)",
                u64::from(definition.period) * u64::from(evaluation_periods)
            ),
        ));
    }
    let datapoints_to_alarm = definition.datapoints_to_alarm.unwrap_or(evaluation_periods);
    if datapoints_to_alarm == 0 || datapoints_to_alarm > evaluation_periods {
        problems.push(scope.problem(
            &at("datapoints_to_alarm"),
            format!("must be 1 to evaluation_periods ({evaluation_periods})"),
        ));
    }
    if !definition.threshold.is_finite() {
        problems.push(scope.problem(&at("threshold"), "must be a finite number"));
    }
    let actions = render_actions(scope, field, &definition.actions, problems);
    MetricAlarm {
        alarm_name,
        alarm_description,
        actions_enabled: true,
        alarm_actions: actions.clone(),
        ok_actions: actions,
        source,
        evaluation_periods: to_i32(evaluation_periods),
        datapoints_to_alarm: to_i32(datapoints_to_alarm),
        threshold: definition.threshold,
        comparison_operator: definition.comparison.as_str().to_owned(),
        treat_missing_data: definition.treat_missing_data.as_str().to_owned(),
    }
}

fn source(
    scope: &Scope<'_>,
    field: &str,
    definition: &MetricAlarmDef,
    problems: &mut Vec<Problem>,
) -> AlarmSource {
    let period = to_i32(definition.period);
    match (&definition.metric, definition.queries.is_empty()) {
        (Some(metric), true) => {
            let metric = render_metric(scope, &format!("{field}.metric"), metric, problems);
            let stat = definition.stat.clone().unwrap_or_default();
            if definition.stat.is_none() {
                problems.push(scope.problem(
                    &format!("{field}.stat"),
                    "an alarm on `metric` needs a `stat`",
                ));
            } else {
                scope.check(&format!("{field}.stat"), check_alarm_stat(&stat), problems);
            }
            AlarmSource::Metric {
                metric,
                stat,
                period,
            }
        }
        (None, false) => {
            if definition.stat.is_some() {
                problems.push(scope.problem(
                    &format!("{field}.stat"),
                    "`stat` belongs in each query of a metric-math alarm",
                ));
            }
            AlarmSource::Math {
                metrics: queries(scope, field, &definition.queries, period, problems),
            }
        }
        _ => {
            problems.push(scope.problem(
                field,
                "an alarm needs either `metric` (with `stat`) or `queries`, not both",
            ));
            AlarmSource::Math {
                metrics: Vec::new(),
            }
        }
    }
}

fn queries(
    scope: &Scope<'_>,
    field: &str,
    queries: &[AlarmQuery],
    period: i32,
    problems: &mut Vec<Problem>,
) -> Vec<Query> {
    let ids: Vec<&str> = queries.iter().map(|query| query.id.as_str()).collect();
    let mut seen = std::collections::BTreeSet::new();
    let rendered = queries
        .iter()
        .enumerate()
        .map(|(index, query)| {
            let at = |name: &str| format!("{field}.queries[{index}].{name}");
            scope.check(&at("id"), check_id(&query.id), problems);
            if !seen.insert(query.id.as_str()) {
                problems
                    .push(scope.problem(&at("id"), format!("the id `{}` is used twice", query.id)));
            }
            let metric_stat = query.metric.as_ref().map(|metric| {
                let metric = render_metric(scope, &at("metric"), metric, problems);
                let stat = query.stat.clone().unwrap_or_default();
                match &query.stat {
                    Some(stat) => scope.check(&at("stat"), check_alarm_stat(stat), problems),
                    None => problems
                        .push(scope.problem(&at("stat"), "a query on `metric` needs a `stat`")),
                }
                MetricStat {
                    metric,
                    stat,
                    period,
                }
            });
            let expression = query.expression.as_ref().map(|expression| {
                let text = scope.text(&at("expression"), expression, problems);
                let checked = check_expression(&text, &query.id, &ids, scope.params)
                    .and_then(|()| math::parse(&text).map(drop));
                scope.check(&at("expression"), checked, problems);
                text
            });
            if metric_stat.is_some() == expression.is_some() {
                problems.push(scope.problem(
                    &format!("{field}.queries[{index}]"),
                    "a query needs either `metric` (with `stat`) or `expression`",
                ));
            }
            Query {
                id: query.id.clone(),
                metric_stat,
                expression,
                label: query
                    .label
                    .as_ref()
                    .map(|label| scope.text(&at("label"), label, problems)),
                return_data: query.return_data,
            }
        })
        .collect::<Vec<_>>();
    let returned = rendered.iter().filter(|query| query.return_data).count();
    if returned != 1 {
        problems.push(scope.problem(
            &format!("{field}.queries"),
            format!("exactly one query must have `\"return_data\": true` (the value alarmed on); {returned} do"),
        ));
    }
    rendered
}

/// `revops-<stage>-<short name>`, checked.
pub(crate) fn full_alarm_name(
    scope: &Scope<'_>,
    field: &str,
    short: &str,
    problems: &mut Vec<Problem>,
) -> String {
    let name = format!(
        "{}{}",
        scope.params.alarm_prefix(),
        scope.text(field, short, problems)
    );
    scope.check(field, check_alarm_name(&name), problems);
    name
}

/// The description with its runbook link; the runbook entry must exist.
pub(crate) fn described(
    scope: &Scope<'_>,
    field: &str,
    description: &str,
    entry: &str,
    runbook: &Runbook,
    problems: &mut Vec<Problem>,
) -> String {
    let description = scope.text(&format!("{field}.description"), description, problems);
    let entry = scope.text(&format!("{field}.runbook"), entry, problems);
    if !runbook.has(&entry) {
        let entries: Vec<&str> = runbook.entries().collect();
        problems.push(scope.problem(
            &format!("{field}.runbook"),
            format!(
                "`{entry}` is not a heading of docs/runbook.md; its entries are: {}",
                entries.join(", ")
            ),
        ));
    }
    let text = format!(
        "{} Runbook: {}#{entry}",
        description.trim_end(),
        scope.params.runbook_url
    );
    if text.chars().count() > MAX_DESCRIPTION {
        problems.push(scope.problem(
            &format!("{field}.description"),
            format!(
                "with the runbook link it is {} characters; CloudWatch takes {MAX_DESCRIPTION}",
                text.chars().count()
            ),
        ));
    }
    text
}

/// The actions, substituted; each must be an SNS topic ARN.
pub(crate) fn render_actions(
    scope: &Scope<'_>,
    field: &str,
    actions: &[String],
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    actions
        .iter()
        .enumerate()
        .map(|(index, action)| {
            let at = format!("{field}.actions[{index}]");
            let arn = scope.text(&at, action, problems);
            scope.check(&at, check_topic_arn(&arn), problems);
            arn
        })
        .collect()
}

/// A statistic CloudWatch accepts and the alarm evaluator computes exactly.
fn check_alarm_stat(stat: &str) -> Result<(), String> {
    check_stat(stat)?;
    Statistic::parse(stat).map(drop)
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}
