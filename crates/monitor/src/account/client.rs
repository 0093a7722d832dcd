//! The CloudWatch client: reading the dashboards the definitions name and the alarms the
//! tool owns (by name prefix), and the calls apply makes.

use super::convert::{composite_alarm_from_sdk, metric_alarm_from_sdk};
use crate::DesiredState;
use crate::evaluate::composite::RuleExpr;
use crate::render::model::{CompositeAlarm, Dashboard, MetricAlarm};
use aws_sdk_cloudwatch::error::{DisplayErrorContext, SdkError};
use aws_sdk_cloudwatch::operation::get_dashboard::GetDashboardError;
use aws_sdk_cloudwatch::types::AlarmType;
use std::collections::{BTreeMap, BTreeSet};

/// A CloudWatch call that failed.
#[derive(Debug, thiserror::Error)]
#[error("CloudWatch {operation} failed: {message}")]
pub struct AccountError {
    /// The operation (`PutMetricAlarm`).
    pub operation: &'static str,
    /// The SDK's account of the failure, with its causes.
    pub message: String,
}

impl AccountError {
    pub(crate) fn from_sdk<E, R>(operation: &'static str, error: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        Self {
            operation,
            message: DisplayErrorContext(error).to_string(),
        }
    }
}

/// What the account holds of what the tool manages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActualState {
    /// The dashboards the definitions name, where they exist.
    pub dashboards: BTreeMap<String, Dashboard>,
    /// The owned metric alarms (name starts with the prefix).
    pub metric_alarms: BTreeMap<String, MetricAlarm>,
    /// The owned composite alarms.
    pub composite_alarms: BTreeMap<String, CompositeAlarm>,
}

impl ActualState {
    /// The owned composite alarms, each before any composite it watches (so deleting in
    /// this order never removes an alarm another still names).
    pub(crate) fn composite_deletion_order(&self) -> Vec<String> {
        let mut remaining: BTreeSet<&String> = self.composite_alarms.keys().collect();
        let mut order = Vec::new();
        while !remaining.is_empty() {
            let watched: BTreeSet<String> = remaining
                .iter()
                .flat_map(|name| rule_references(&self.composite_alarms[*name].alarm_rule))
                .collect();
            let free: Vec<&String> = remaining
                .iter()
                .copied()
                .filter(|name| !watched.contains(name.as_str()))
                .collect();
            // A cycle (which CloudWatch allows) cannot be ordered: delete what remains.
            let next = if free.is_empty() {
                remaining.iter().copied().collect()
            } else {
                free
            };
            for name in next {
                remaining.remove(name);
                order.push(name.clone());
            }
        }
        order
    }
}

/// The alarm names an alarm rule mentions: `ALARM("x")`, `OK(x)`, `INSUFFICIENT_DATA("x")`,
/// read by the evaluator's rule parser. A rule it cannot read (not written by this tool)
/// is ordered as watching none: CloudWatch then refuses the deletion, naming the alarm.
fn rule_references(rule: &str) -> Vec<String> {
    RuleExpr::parse(rule)
        .map(|expr| expr.alarms().into_iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// CloudWatch, for one region and one owner prefix.
#[derive(Debug, Clone)]
pub struct Account {
    client: aws_sdk_cloudwatch::Client,
    prefix: String,
}

impl Account {
    /// An account reached through `client`, owning alarms whose names start with `prefix`.
    pub fn new(client: aws_sdk_cloudwatch::Client, prefix: impl Into<String>) -> Self {
        Self {
            client,
            prefix: prefix.into(),
        }
    }

    /// A client from the standard configuration (credentials, `AWS_ENDPOINT_URL`,
    /// `AWS_ENDPOINT_URL_CLOUDWATCH`) for `region`.
    pub async fn from_env(region: &str, prefix: impl Into<String>) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_owned()))
            .load()
            .await;
        Self::new(aws_sdk_cloudwatch::Client::new(&config), prefix)
    }

    /// The SDK client.
    pub fn client(&self) -> &aws_sdk_cloudwatch::Client {
        &self.client
    }

    /// The owner prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Reads the dashboards `desired` names and every alarm the tool owns.
    pub async fn read(&self, desired: &DesiredState) -> Result<ActualState, AccountError> {
        let mut state = ActualState::default();
        for dashboard in &desired.dashboards {
            if let Some(current) = self.dashboard(&dashboard.dashboard_name).await? {
                state
                    .dashboards
                    .insert(dashboard.dashboard_name.clone(), current);
            }
        }
        let mut next_token = None;
        loop {
            let page = self
                .client
                .describe_alarms()
                .alarm_name_prefix(&self.prefix)
                .alarm_types(AlarmType::MetricAlarm)
                .alarm_types(AlarmType::CompositeAlarm)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| AccountError::from_sdk("DescribeAlarms", e))?;
            for alarm in page.metric_alarms() {
                let alarm = metric_alarm_from_sdk(alarm);
                if alarm.alarm_name.starts_with(&self.prefix) {
                    state.metric_alarms.insert(alarm.alarm_name.clone(), alarm);
                }
            }
            for alarm in page.composite_alarms() {
                let alarm = composite_alarm_from_sdk(alarm);
                if alarm.alarm_name.starts_with(&self.prefix) {
                    state
                        .composite_alarms
                        .insert(alarm.alarm_name.clone(), alarm);
                }
            }
            next_token = page.next_token().map(str::to_owned);
            if next_token.is_none() {
                break;
            }
        }
        Ok(state)
    }

    async fn dashboard(&self, name: &str) -> Result<Option<Dashboard>, AccountError> {
        match self
            .client
            .get_dashboard()
            .dashboard_name(name)
            .send()
            .await
        {
            Ok(output) => {
                let body = output.dashboard_body().unwrap_or_default();
                Ok(Some(Dashboard {
                    dashboard_name: name.to_owned(),
                    dashboard_body: serde_json::from_str(body)
                        .unwrap_or_else(|_| serde_json::Value::String(body.to_owned())),
                }))
            }
            Err(SdkError::ServiceError(error))
                if matches!(error.err(), GetDashboardError::DashboardNotFoundError(_)) =>
            {
                Ok(None)
            }
            Err(error) => Err(AccountError::from_sdk("GetDashboard", error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_the_alarms_they_watch() {
        let rule = "ALARM(\"a\") OR (OK(\"b\") AND NOT INSUFFICIENT_DATA(c))";
        let mut names = rule_references(rule);
        names.sort_unstable();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(rule_references("ALARM(\"a\") OR").is_empty());
    }
}
