//! Applying a plan: PutDashboard, PutMetricAlarm, then PutCompositeAlarm (in dependency
//! order); with prune, DeleteAlarms for owned alarms no longer defined, composites first
//! and one composite per call, as CloudWatch requires.

use super::client::{Account, AccountError};
use super::convert::{put_composite_alarm, put_metric_alarm};
use super::plan::{Plan, Resource, ResourceKind};

/// The most alarms one DeleteAlarms call takes.
const DELETE_BATCH: usize = 100;

impl Account {
    /// Makes the account match the plan; with `prune`, deletes the owned alarms that the
    /// definitions no longer hold. Returns how many calls changed something.
    pub async fn apply(&self, plan: &Plan, prune: bool) -> Result<usize, AccountError> {
        let mut calls = 0;
        for resource in &plan.puts {
            match resource {
                Resource::Dashboard(dashboard) => {
                    let output = self
                        .client()
                        .put_dashboard()
                        .dashboard_name(&dashboard.dashboard_name)
                        .dashboard_body(dashboard.dashboard_body.to_string())
                        .send()
                        .await
                        .map_err(|e| AccountError::from_sdk("PutDashboard", e))?;
                    if let Some(message) = output.dashboard_validation_messages().first() {
                        return Err(AccountError {
                            operation: "PutDashboard",
                            message: format!(
                                "{}: {}",
                                dashboard.dashboard_name,
                                message.message().unwrap_or("refused")
                            ),
                        });
                    }
                }
                Resource::MetricAlarm(alarm) => {
                    put_metric_alarm(self.client().put_metric_alarm(), alarm)
                        .send()
                        .await
                        .map_err(|e| AccountError::from_sdk("PutMetricAlarm", e))?;
                }
                Resource::CompositeAlarm(alarm) => {
                    put_composite_alarm(self.client().put_composite_alarm(), alarm)
                        .send()
                        .await
                        .map_err(|e| AccountError::from_sdk("PutCompositeAlarm", e))?;
                }
            }
            calls += 1;
        }
        if prune {
            calls += self.delete(plan).await?;
        }
        Ok(calls)
    }

    async fn delete(&self, plan: &Plan) -> Result<usize, AccountError> {
        let mut calls = 0;
        let (composites, metrics): (Vec<_>, Vec<_>) = plan
            .deletes
            .iter()
            .partition(|(kind, _)| *kind == ResourceKind::CompositeAlarm);
        let batches = composites
            .chunks(1)
            .chain(metrics.chunks(DELETE_BATCH))
            .map(|batch| {
                batch
                    .iter()
                    .map(|(_, name)| name.clone())
                    .collect::<Vec<_>>()
            });
        for names in batches {
            if names.iter().any(|name| !name.starts_with(self.prefix())) {
                return Err(AccountError {
                    operation: "DeleteAlarms",
                    message: format!(
                        "refusing to delete alarms outside the prefix {}",
                        self.prefix()
                    ),
                });
            }
            self.client()
                .delete_alarms()
                .set_alarm_names(Some(names))
                .send()
                .await
                .map_err(|e| AccountError::from_sdk("DeleteAlarms", e))?;
            calls += 1;
        }
        Ok(calls)
    }
}
