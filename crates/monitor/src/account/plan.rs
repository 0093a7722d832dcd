//! The plan: what apply would create, change or (with `--prune`) delete, field by field.

use super::client::ActualState;
use super::flatten::differences;
use crate::DesiredState;
use crate::render::model::{CompositeAlarm, Dashboard, MetricAlarm};
use serde::Serialize;
use std::fmt;

/// The kinds of resources the tool manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResourceKind {
    /// A dashboard.
    Dashboard,
    /// A metric alarm.
    MetricAlarm,
    /// A composite alarm.
    CompositeAlarm,
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceKind::Dashboard => "dashboard",
            ResourceKind::MetricAlarm => "metric alarm",
            ResourceKind::CompositeAlarm => "composite alarm",
        })
    }
}

/// A resource as apply would put it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resource {
    Dashboard(Dashboard),
    MetricAlarm(MetricAlarm),
    CompositeAlarm(CompositeAlarm),
}

impl Resource {
    fn kind(&self) -> ResourceKind {
        match self {
            Resource::Dashboard(_) => ResourceKind::Dashboard,
            Resource::MetricAlarm(_) => ResourceKind::MetricAlarm,
            Resource::CompositeAlarm(_) => ResourceKind::CompositeAlarm,
        }
    }

    fn name(&self) -> &str {
        match self {
            Resource::Dashboard(d) => &d.dashboard_name,
            Resource::MetricAlarm(a) => &a.alarm_name,
            Resource::CompositeAlarm(a) => &a.alarm_name,
        }
    }
}

/// One field that apply would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Its path (`Threshold`, `Metrics[1].MetricStat.Stat`).
    pub field: String,
    /// What the account has (None: absent).
    pub before: Option<String>,
    /// What the definitions say (None: absent).
    pub after: Option<String>,
}

/// One change apply would make.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The resource does not exist yet.
    Create {
        /// What it is.
        kind: ResourceKind,
        /// Its name.
        name: String,
    },
    /// The resource exists and differs in these fields.
    Update {
        /// What it is.
        kind: ResourceKind,
        /// Its name.
        name: String,
        /// The fields that differ.
        fields: Vec<FieldChange>,
    },
    /// An alarm the tool owns (by prefix) that the definitions no longer hold; apply
    /// deletes it only with `--prune`.
    Delete {
        /// What it is.
        kind: ResourceKind,
        /// Its name.
        name: String,
    },
}

impl Change {
    /// The name of the resource it changes.
    pub fn name(&self) -> &str {
        match self {
            Change::Create { name, .. }
            | Change::Update { name, .. }
            | Change::Delete { name, .. } => name,
        }
    }
}

/// What apply would do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The changes, in the order apply makes them (deletes last).
    pub changes: Vec<Change>,
    /// How many resources already match.
    pub unchanged: usize,
    pub(crate) puts: Vec<Resource>,
    pub(crate) deletes: Vec<(ResourceKind, String)>,
}

impl Plan {
    /// Compares the definitions with the account.
    pub fn new(desired: &DesiredState, actual: &ActualState) -> Self {
        let mut plan = Plan::default();
        for dashboard in &desired.dashboards {
            let current = actual.dashboards.get(&dashboard.dashboard_name);
            plan.compare(
                Resource::Dashboard(dashboard.clone()),
                current.map(as_value),
            );
        }
        for alarm in &desired.metric_alarms {
            let current = actual.metric_alarms.get(&alarm.alarm_name);
            plan.compare(Resource::MetricAlarm(alarm.clone()), current.map(as_value));
        }
        for alarm in &desired.composite_alarms {
            let current = actual.composite_alarms.get(&alarm.alarm_name);
            plan.compare(
                Resource::CompositeAlarm(alarm.clone()),
                current.map(as_value),
            );
        }
        let desired_names: std::collections::BTreeSet<&str> = desired
            .metric_alarms
            .iter()
            .map(|a| a.alarm_name.as_str())
            .chain(
                desired
                    .composite_alarms
                    .iter()
                    .map(|a| a.alarm_name.as_str()),
            )
            .collect();
        for name in actual.composite_deletion_order() {
            if !desired_names.contains(name.as_str()) {
                plan.delete(ResourceKind::CompositeAlarm, name);
            }
        }
        for name in actual.metric_alarms.keys() {
            if !desired_names.contains(name.as_str()) {
                plan.delete(ResourceKind::MetricAlarm, name.clone());
            }
        }
        plan
    }

    fn compare(&mut self, resource: Resource, current: Option<serde_json::Value>) {
        let kind = resource.kind();
        let name = resource.name().to_owned();
        match current {
            None => {
                self.changes.push(Change::Create { kind, name });
                self.puts.push(resource);
            }
            Some(current) => {
                let wanted = resource_value(&resource);
                let fields: Vec<FieldChange> = differences(&current, &wanted)
                    .into_iter()
                    .map(|(field, before, after)| FieldChange {
                        field,
                        before,
                        after,
                    })
                    .collect();
                if fields.is_empty() {
                    self.unchanged += 1;
                } else {
                    self.changes.push(Change::Update { kind, name, fields });
                    self.puts.push(resource);
                }
            }
        }
    }

    fn delete(&mut self, kind: ResourceKind, name: String) {
        self.changes.push(Change::Delete {
            kind,
            name: name.clone(),
        });
        self.deletes.push((kind, name));
    }

    /// Whether apply (with `prune`) would change anything.
    pub fn is_empty(&self, prune: bool) -> bool {
        self.puts.is_empty() && (!prune || self.deletes.is_empty())
    }

    /// Counts: (create, update, delete).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for change in &self.changes {
            match change {
                Change::Create { .. } => counts.0 += 1,
                Change::Update { .. } => counts.1 += 1,
                Change::Delete { .. } => counts.2 += 1,
            }
        }
        counts
    }

    /// The plan as lines for a person: `+` create, `~` change (with each field),
    /// `-` delete (only with `--prune`), then a summary line.
    pub fn describe(&self, prune: bool) -> Vec<String> {
        let mut lines = Vec::new();
        for change in &self.changes {
            match change {
                Change::Create { kind, name } => lines.push(format!("+ {kind} {name}")),
                Change::Update { kind, name, fields } => {
                    lines.push(format!("~ {kind} {name}"));
                    for field in fields {
                        lines.push(format!(
                            "    {}: {} → {}",
                            field.field,
                            shown(field.before.as_deref()),
                            shown(field.after.as_deref())
                        ));
                    }
                }
                Change::Delete { kind, name } if prune => lines.push(format!("- {kind} {name}")),
                Change::Delete { kind, name } => lines.push(format!(
                    "- {kind} {name} (owned, no longer defined; deleted only by `apply --prune`)"
                )),
            }
        }
        let (create, update, delete) = self.counts();
        let deleting = if prune {
            "to delete"
        } else {
            "to delete with --prune"
        };
        lines.push(format!(
            "{create} to create, {update} to change, {delete} {deleting}, {} unchanged",
            self.unchanged
        ));
        lines
    }
}

fn shown(value: Option<&str>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(text) if text.len() > 120 => format!("{}…", &text[..text.floor_char_boundary(117)]),
        Some(text) => text.to_owned(),
    }
}

fn as_value<T: Serialize>(item: &T) -> serde_json::Value {
    serde_json::to_value(item).unwrap_or(serde_json::Value::Null)
}

fn resource_value(resource: &Resource) -> serde_json::Value {
    match resource {
        Resource::Dashboard(d) => as_value(d),
        Resource::MetricAlarm(a) => as_value(a),
        Resource::CompositeAlarm(a) => as_value(a),
    }
}
