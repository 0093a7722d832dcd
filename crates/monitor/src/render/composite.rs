//! A composite alarm definition rendered into PutCompositeAlarm: its rule over other
//! alarms' short names becomes CloudWatch's `ALARM("…") OR (…)` text.

use super::Sourced;
use super::alarm::{described, full_alarm_name, render_actions};
use super::model::CompositeAlarm;
use super::scope::Scope;
use crate::Problem;
use crate::definitions::Runbook;
use crate::definitions::alarm::{CompositeAlarmDef, Rule};

/// The longest rule CloudWatch takes.
const MAX_RULE: usize = 10_240;

/// A rendered composite alarm and the alarms its rule names (field, full name).
#[derive(Debug, Clone)]
pub(crate) struct CompositeDraft {
    /// The alarm.
    pub alarm: Sourced<CompositeAlarm>,
    /// The alarms it watches, with the field that names each.
    pub references: Vec<(String, String)>,
}

/// Renders `composite_alarms[index]` of a file.
pub(crate) fn render_composite(
    scope: &Scope<'_>,
    field: &str,
    definition: &CompositeAlarmDef,
    runbook: &Runbook,
    problems: &mut Vec<Problem>,
) -> CompositeDraft {
    let alarm_name = full_alarm_name(scope, &format!("{field}.name"), &definition.name, problems);
    let alarm_description = described(
        scope,
        field,
        &definition.description,
        &definition.runbook,
        runbook,
        problems,
    );
    let mut references = Vec::new();
    let alarm_rule = rule_text(
        scope,
        &format!("{field}.rule"),
        &definition.rule,
        true,
        &mut references,
        problems,
    );
    if alarm_rule.len() > MAX_RULE {
        problems.push(scope.problem(
            &format!("{field}.rule"),
            format!(
                "the rule is {} characters; CloudWatch takes {MAX_RULE}",
                alarm_rule.len()
            ),
        ));
    }
    let actions = render_actions(scope, field, &definition.actions, problems);
    CompositeDraft {
        alarm: Sourced {
            file: scope.file.to_owned(),
            field: field.to_owned(),
            item: CompositeAlarm {
                alarm_name,
                alarm_description,
                actions_enabled: true,
                alarm_actions: actions.clone(),
                ok_actions: actions,
                alarm_rule,
            },
        },
        references,
    }
}

fn rule_text(
    scope: &Scope<'_>,
    field: &str,
    rule: &Rule,
    top: bool,
    references: &mut Vec<(String, String)>,
    problems: &mut Vec<Problem>,
) -> String {
    let (terms, joiner, key) = match rule {
        Rule::Alarm(short) => {
            let at = format!("{field}.alarm");
            let name = full_alarm_name(scope, &at, short, problems);
            let text = format!("ALARM(\"{name}\")");
            references.push((at, name));
            return text;
        }
        Rule::Any(terms) => (terms, " OR ", "any"),
        Rule::All(terms) => (terms, " AND ", "all"),
    };
    if terms.is_empty() {
        problems.push(scope.problem(&format!("{field}.{key}"), "needs at least one alarm"));
    }
    let parts: Vec<String> = terms
        .iter()
        .enumerate()
        .map(|(index, term)| {
            rule_text(
                scope,
                &format!("{field}.{key}[{index}]"),
                term,
                false,
                references,
                problems,
            )
        })
        .collect();
    let joined = parts.join(joiner);
    if top || parts.len() <= 1 {
        joined
    } else {
        format!("({joined})")
    }
}
