//! Rendering: the definitions and the parameters become the exact CloudWatch resources
//! ([`DesiredState`]). Every field is checked as it is rendered (with the checks on
//! single values in `crate::checks`), and then the set as a whole: unique names,
//! composite rules that name existing alarms without cycles, and no alarm that would tell
//! nobody.

mod alarm;
mod composite;
mod dashboard;
mod metric;
pub mod model;
mod scope;

use crate::definitions::Definitions;
use crate::{Params, Problem};
use composite::CompositeDraft;
use model::{CompositeAlarm, Dashboard, MetricAlarm};
use scope::Scope;
use std::collections::{BTreeMap, BTreeSet};

/// What the account should hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DesiredState {
    /// The dashboards.
    pub dashboards: Vec<Dashboard>,
    /// The metric alarms.
    pub metric_alarms: Vec<MetricAlarm>,
    /// The composite alarms, each after the composites it watches.
    pub composite_alarms: Vec<CompositeAlarm>,
}

/// A rendered resource and where it was defined.
#[derive(Debug, Clone)]
pub(crate) struct Sourced<T> {
    /// The file.
    pub file: String,
    /// The field (`alarms[3]`).
    pub field: String,
    /// The resource.
    pub item: T,
}

/// Renders and checks every definition.
pub fn render(definitions: &Definitions, params: &Params) -> Result<DesiredState, Vec<Problem>> {
    // A bad topic would be reported once per alarm; report it once, alone.
    if let Some(arn) = &params.alarm_topic_arn
        && let Err(message) = crate::checks::check_topic_arn(arn)
    {
        return Err(vec![Problem::new("--alarm-topic-arn", "", message)]);
    }
    let mut problems = Vec::new();
    let mut dashboards: Vec<Sourced<Dashboard>> = Vec::new();
    for loaded in &definitions.dashboards {
        let scope = Scope::new(params, &loaded.file);
        let item = dashboard::render_dashboard(&scope, &loaded.definition, &mut problems);
        dashboards.push(Sourced {
            file: loaded.file.clone(),
            field: "name".into(),
            item,
        });
    }
    check_unique(
        dashboards
            .iter()
            .map(|d| (&d.file, &d.field, &d.item.dashboard_name)),
        "dashboard",
        &mut problems,
    );

    let mut metric_alarms = Vec::new();
    let mut composites = Vec::new();
    for loaded in &definitions.alarms {
        let scope = Scope::new(params, &loaded.file);
        for (index, definition) in loaded.definition.alarms.iter().enumerate() {
            metric_alarms.extend(alarm::render_metric_alarm(
                &scope,
                &format!("alarms[{index}]"),
                definition,
                &definitions.runbook,
                &mut problems,
            ));
        }
        for (index, definition) in loaded.definition.composite_alarms.iter().enumerate() {
            composites.push(composite::render_composite(
                &scope,
                &format!("composite_alarms[{index}]"),
                definition,
                &definitions.runbook,
                &mut problems,
            ));
        }
    }
    check_unique(
        every_alarm(&metric_alarms, &composites),
        "alarm",
        &mut problems,
    );
    check_references(&metric_alarms, &composites, &mut problems);
    check_someone_is_told(&metric_alarms, &composites, &mut problems);
    let composite_alarms = dependency_order(composites, &mut problems);

    if problems.is_empty() {
        Ok(DesiredState {
            dashboards: dashboards.into_iter().map(|d| d.item).collect(),
            metric_alarms: metric_alarms.into_iter().map(|a| a.item).collect(),
            composite_alarms,
        })
    } else {
        Err(problems)
    }
}

fn check_unique<'a>(
    names: impl Iterator<Item = (&'a String, &'a String, &'a String)>,
    what: &str,
    problems: &mut Vec<Problem>,
) {
    let mut first: BTreeMap<&String, (&String, &String)> = BTreeMap::new();
    for (file, field, name) in names {
        if let Some((first_file, first_field)) = first.get(name) {
            problems.push(Problem::new(
                file.as_str(),
                format!("{field}.name"),
                format!("the {what} `{name}` is already defined at {first_file}: {first_field}"),
            ));
        } else {
            first.insert(name, (file, field));
        }
    }
}

fn check_references(
    metric_alarms: &[Sourced<MetricAlarm>],
    composites: &[CompositeDraft],
    problems: &mut Vec<Problem>,
) {
    let names: BTreeSet<&str> = metric_alarms
        .iter()
        .map(|a| a.item.alarm_name.as_str())
        .chain(composites.iter().map(|c| c.alarm.item.alarm_name.as_str()))
        .collect();
    for composite in composites {
        for (field, name) in &composite.references {
            if !names.contains(name.as_str()) {
                problems.push(Problem::new(
                    composite.alarm.file.as_str(),
                    field.as_str(),
                    format!("no alarm named `{name}` is defined"),
                ));
            } else if *name == composite.alarm.item.alarm_name {
                problems.push(Problem::new(
                    composite.alarm.file.as_str(),
                    field.as_str(),
                    "a composite alarm cannot watch itself",
                ));
            }
        }
    }
}

/// Every alarm, metric and composite, as (file, field, alarm name).
fn every_alarm<'a>(
    metric_alarms: &'a [Sourced<MetricAlarm>],
    composites: &'a [CompositeDraft],
) -> impl Iterator<Item = (&'a String, &'a String, &'a String)> {
    metric_alarms
        .iter()
        .map(|a| (&a.file, &a.field, &a.item.alarm_name))
        .chain(
            composites
                .iter()
                .map(|c| (&c.alarm.file, &c.alarm.field, &c.alarm.item.alarm_name)),
        )
}

/// An alarm without actions must be watched, directly or through other composites, by a
/// composite alarm with actions; otherwise it would change state and tell nobody.
fn check_someone_is_told(
    metric_alarms: &[Sourced<MetricAlarm>],
    composites: &[CompositeDraft],
    problems: &mut Vec<Problem>,
) {
    let mut told: BTreeSet<&str> = metric_alarms
        .iter()
        .filter(|a| !a.item.alarm_actions.is_empty())
        .map(|a| a.item.alarm_name.as_str())
        .chain(
            composites
                .iter()
                .filter(|c| !c.alarm.item.alarm_actions.is_empty())
                .map(|c| c.alarm.item.alarm_name.as_str()),
        )
        .collect();
    loop {
        let before = told.len();
        for composite in composites {
            if told.contains(composite.alarm.item.alarm_name.as_str()) {
                told.extend(composite.references.iter().map(|(_, name)| name.as_str()));
            }
        }
        if told.len() == before {
            break;
        }
    }
    let silent =
        every_alarm(metric_alarms, composites).filter(|(_, _, name)| !told.contains(name.as_str()));
    for (file, field, name) in silent {
        problems.push(Problem::new(
            file.as_str(),
            format!("{field}.actions"),
            format!(
                "`{name}` has no actions and no composite alarm with actions watches it, so it \
                 would tell nobody; add \"actions\": [\"${{alarm_topic_arn}}\"]"
            ),
        ));
    }
}

/// Composites ordered so that each comes after the composites it watches (CloudWatch
/// refuses a rule naming an alarm that does not exist yet); a cycle is a problem.
fn dependency_order(
    composites: Vec<CompositeDraft>,
    problems: &mut Vec<Problem>,
) -> Vec<CompositeAlarm> {
    let composite_names: BTreeSet<String> = composites
        .iter()
        .map(|c| c.alarm.item.alarm_name.clone())
        .collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::new();
    let mut pending = composites;
    while !pending.is_empty() {
        let (ready, waiting): (Vec<_>, Vec<_>) = pending.into_iter().partition(|c| {
            c.references
                .iter()
                .all(|(_, name)| !composite_names.contains(name) || placed.contains(name))
        });
        if ready.is_empty() {
            for composite in &waiting {
                problems.push(Problem::new(
                    composite.alarm.file.as_str(),
                    format!("{}.rule", composite.alarm.field),
                    "composite alarms watch each other in a cycle",
                ));
            }
            break;
        }
        for composite in ready {
            placed.insert(composite.alarm.item.alarm_name.clone());
            ordered.push(composite.alarm.item);
        }
        pending = waiting;
    }
    ordered
}
