//! The fake's dashboards and alarms: PutDashboard, GetDashboard, PutMetricAlarm,
//! PutCompositeAlarm, DescribeAlarms (paged) and DeleteAlarms, with CloudWatch's rules
//! that matter to a client: a composite may only name existing alarms, DescribeAlarms
//! returns only metric alarms unless asked for composites, DeleteAlarms takes at most one
//! composite per call and refuses an alarm a remaining composite still names.

use super::cbor::{get, map, text, texts, timestamp, with, without};
use super::{Fault, State};
use ciborium::Value;

/// Alarms per DescribeAlarms page when the caller does not say (smaller than
/// CloudWatch's 50, so that paging is exercised).
const PAGE: usize = 10;

pub(crate) fn put_dashboard(state: &mut State, input: &Value) -> Result<Value, Fault> {
    let name = required(input, "DashboardName")?;
    let body = required(input, "DashboardBody")?;
    if serde_json::from_str::<serde_json::Value>(&body).is_err() {
        return Err(Fault::invalid("DashboardBody is not JSON"));
    }
    state.dashboards.insert(name, body);
    Ok(map(vec![(
        "DashboardValidationMessages",
        Value::Array(Vec::new()),
    )]))
}

pub(crate) fn get_dashboard(state: &State, input: &Value) -> Result<Value, Fault> {
    let name = required(input, "DashboardName")?;
    let body = state.dashboards.get(&name).ok_or_else(|| Fault {
        status: 404,
        code: "ResourceNotFound",
        message: format!("Dashboard {name} does not exist"),
    })?;
    Ok(map(vec![
        (
            "DashboardArn",
            Value::Text(format!("arn:aws:cloudwatch::123456789012:dashboard/{name}")),
        ),
        ("DashboardBody", Value::Text(body.clone())),
        ("DashboardName", Value::Text(name)),
    ]))
}

pub(crate) fn put_metric_alarm(state: &mut State, input: &Value) -> Result<Value, Fault> {
    let name = required(input, "AlarmName")?;
    for field in ["EvaluationPeriods", "ComparisonOperator"] {
        required_value(input, field)?;
    }
    let single = get(input, "MetricName").is_some();
    let math = get(input, "Metrics").is_some();
    if single == math {
        return Err(Fault::invalid("give either MetricName or Metrics"));
    }
    state
        .alarms
        .insert(name.clone(), Stored::metric(stored(input, &name)));
    Ok(map(Vec::new()))
}

pub(crate) fn put_composite_alarm(state: &mut State, input: &Value) -> Result<Value, Fault> {
    let name = required(input, "AlarmName")?;
    let rule = required(input, "AlarmRule")?;
    for child in rule_children(&rule) {
        if child != name && !state.alarms.contains_key(&child) {
            return Err(Fault::invalid(&format!(
                "Could not find alarm {child} named in the rule"
            )));
        }
    }
    state
        .alarms
        .insert(name.clone(), Stored::composite(stored(input, &name), rule));
    Ok(map(Vec::new()))
}

pub(crate) fn describe_alarms(state: &State, input: &Value) -> Result<Value, Fault> {
    let prefix = text(input, "AlarmNamePrefix").unwrap_or_default();
    let names = texts(input, "AlarmNames");
    let mut types = texts(input, "AlarmTypes");
    if types.is_empty() {
        types.push("MetricAlarm".to_owned());
    }
    let page = get(input, "MaxRecords")
        .and_then(super::cbor::number)
        .map_or(PAGE, |n| n as usize);
    let start: usize = text(input, "NextToken")
        .map(|token| {
            token.parse().map_err(|_| Fault {
                status: 400,
                code: "InvalidNextToken",
                message: token,
            })
        })
        .transpose()?
        .unwrap_or(0);
    let matching: Vec<&Stored> = state
        .alarms
        .values()
        .filter(|alarm| alarm.name.starts_with(&prefix))
        .filter(|alarm| names.is_empty() || names.contains(&alarm.name))
        .filter(|alarm| types.iter().any(|t| t == alarm.kind()))
        .collect();
    let end = (start + page).min(matching.len());
    let (mut metric, mut composite) = (Vec::new(), Vec::new());
    for alarm in &matching[start.min(end)..end] {
        match alarm.rule {
            None => metric.push(alarm.value.clone()),
            Some(_) => composite.push(alarm.value.clone()),
        }
    }
    let mut out = vec![
        ("MetricAlarms", Value::Array(metric)),
        ("CompositeAlarms", Value::Array(composite)),
    ];
    if end < matching.len() {
        out.push(("NextToken", Value::Text(end.to_string())));
    }
    Ok(map(out))
}

pub(crate) fn delete_alarms(state: &mut State, input: &Value) -> Result<Value, Fault> {
    let names = texts(input, "AlarmNames");
    let composites = names
        .iter()
        .filter(|n| state.alarms.get(*n).is_some_and(|a| a.rule.is_some()))
        .count();
    if composites > 1 {
        return Err(Fault::invalid(
            "a DeleteAlarms call may include at most one composite alarm",
        ));
    }
    for name in &names {
        if !state.alarms.contains_key(name) {
            return Err(Fault {
                status: 404,
                code: "ResourceNotFound",
                message: format!("{name} does not exist"),
            });
        }
        let parent = state.alarms.values().find(|a| {
            !names.contains(&a.name)
                && a.rule
                    .as_deref()
                    .is_some_and(|r| rule_children(r).contains(name))
        });
        if let Some(parent) = parent {
            return Err(Fault {
                status: 400,
                code: "ResourceConflict",
                message: format!("{name} is named by the composite alarm {}", parent.name),
            });
        }
    }
    for name in &names {
        state.alarms.remove(name);
    }
    Ok(map(Vec::new()))
}

/// An alarm as the fake keeps it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The alarm's name.
    pub name: String,
    /// What DescribeAlarms returns for it.
    pub value: Value,
    /// The rule, for a composite alarm.
    pub rule: Option<String>,
}

impl Stored {
    fn metric(value: Value) -> Self {
        Self {
            name: text(&value, "AlarmName").unwrap_or_default(),
            value,
            rule: None,
        }
    }

    fn composite(value: Value, rule: String) -> Self {
        Self {
            name: text(&value, "AlarmName").unwrap_or_default(),
            value,
            rule: Some(rule),
        }
    }

    fn kind(&self) -> &'static str {
        if self.rule.is_some() {
            "CompositeAlarm"
        } else {
            "MetricAlarm"
        }
    }

    /// A field of what DescribeAlarms returns.
    pub fn field(&self, key: &str) -> Option<&Value> {
        get(&self.value, key)
    }
}

/// The input as DescribeAlarms would return it: the same fields (less Tags) plus the
/// ARN, the state and the time of the last change.
fn stored(input: &Value, name: &str) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let value = without(input.clone(), "Tags");
    let value = with(
        value,
        "AlarmArn",
        Value::Text(format!(
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"
        )),
    );
    let value = with(value, "StateValue", Value::Text("INSUFFICIENT_DATA".into()));
    let value = with(value, "StateUpdatedTimestamp", timestamp(now));
    with(value, "AlarmConfigurationUpdatedTimestamp", timestamp(now))
}

/// The alarms a rule names.
pub(crate) fn rule_children(rule: &str) -> Vec<String> {
    rule.split("ALARM(")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .map(|(name, _)| name.trim().trim_matches(['"', '\'']).to_owned())
        .collect()
}

fn required(input: &Value, key: &str) -> Result<String, Fault> {
    text(input, key).ok_or_else(|| Fault::invalid(&format!("{key} is required")))
}

fn required_value<'a>(input: &'a Value, key: &str) -> Result<&'a Value, Fault> {
    get(input, key).ok_or_else(|| Fault::invalid(&format!("{key} is required")))
}
