//! `revops doctor`'s checks of the AWS host that read CloudWatch: the age of the oldest
//! message in the request queue (SQS's `ApproximateAgeOfOldestMessage`, the latest
//! minute's maximum), judged against the 5-minute objective and the
//! `queue-oldest-message-age` alarm's 10 minutes; and the alarms and dashboards deployed
//! against the code's (`revops monitor diff`'s comparison): one the code has that the
//! account lacks pages nobody, so it fails the check.

use super::{
    doctor::{Check, State},
    operator::{FunctionNames, HostArgs},
};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use clap::Args;
use revops_aws::{AwsClients, describe_error};
use revops_monitor::{Params, Plan, account::Account, validate::validate_dir};
use std::path::PathBuf;

/// The age past which requests miss the 5-minute objective in the queue alone.
const OBJECTIVE_SECONDS: f64 = 300.0;
/// The `queue-oldest-message-age` alarm's threshold.
const ALARM_SECONDS: f64 = 600.0;
/// How far back the oldest message's age is looked for.
const AGE_LOOKBACK_MINUTES: i64 = 15;

/// Where the alarms the deployment is compared with are.
#[derive(Debug, Args)]
pub struct AlarmSource {
    /// With --aws: the directory holding `alarms/` and `dashboards/` to compare the
    /// deployed ones with.
    #[arg(long, default_value = ".")]
    monitor_dir: PathBuf,
    /// With --aws: the SNS topic the alarms notify, as `revops monitor apply` was given.
    #[arg(long, env = "REVOPS_ALARM_TOPIC_ARN")]
    alarm_topic_arn: Option<String>,
}

/// What the checks know of the deployment.
pub struct Deployment<'a> {
    /// The host's names: stage, region, queues.
    pub host: &'a HostArgs,
    /// The functions' names.
    pub functions: &'a FunctionNames,
    /// The processor's timeout in seconds, when it could be read (the alarms'
    /// parameters take it; 900 otherwise, as `revops monitor` defaults).
    pub processor_timeout: Option<u32>,
}

/// The checks.
pub async fn checks(
    clients: &AwsClients,
    deployment: &Deployment<'_>,
    source: &AlarmSource,
) -> Vec<Check> {
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&clients.config);
    vec![
        oldest_message(&cloudwatch, &deployment.host.queue_name()).await,
        alarms(cloudwatch, deployment, source).await,
    ]
}

/// The oldest message's age, from the latest minute CloudWatch has.
async fn oldest_message(cloudwatch: &aws_sdk_cloudwatch::Client, queue: &str) -> Check {
    let now = chrono::Utc::now();
    let metric = Metric::builder()
        .namespace("AWS/SQS")
        .metric_name("ApproximateAgeOfOldestMessage")
        .dimensions(Dimension::builder().name("QueueName").value(queue).build())
        .build();
    let query = MetricDataQuery::builder()
        .id("age")
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(60)
                .stat("Maximum")
                .build(),
        )
        .build();
    let answer = cloudwatch
        .get_metric_data()
        .metric_data_queries(query)
        .start_time(aws_smithy_time(
            now - chrono::Duration::minutes(AGE_LOOKBACK_MINUTES),
        ))
        .end_time(aws_smithy_time(now))
        .send()
        .await;
    let results = match answer {
        Ok(answer) => answer.metric_data_results.unwrap_or_default(),
        Err(error) => {
            return Check::new(
                "oldest message",
                State::Warn,
                describe_error("CloudWatch GetMetricData", &error),
            );
        }
    };
    let latest = results
        .iter()
        .flat_map(|result| result.timestamps().iter().zip(result.values()))
        .max_by_key(|(at, _)| **at)
        .map(|(_, age)| *age);
    age_check(latest)
}

/// The judgement of the latest age, in seconds.
fn age_check(latest: Option<f64>) -> Check {
    match latest {
        None => Check::new(
            "oldest message",
            State::Ok,
            format!(
                "no age reported in the last {AGE_LOOKBACK_MINUTES} minutes: the queue has been idle"
            ),
        ),
        Some(age) if age > ALARM_SECONDS => Check::new(
            "oldest message",
            State::Fail,
            format!(
                "{age:.0} s old: the processor is not keeping up (runbook: oldest-message-too-old)"
            ),
        ),
        Some(age) if age > OBJECTIVE_SECONDS => Check::new(
            "oldest message",
            State::Warn,
            format!("{age:.0} s old: past the 5-minute objective before the agent is even asked"),
        ),
        Some(age) => Check::new("oldest message", State::Ok, format!("{age:.0} s old")),
    }
}

/// A time as the SDK takes it.
fn aws_smithy_time(at: chrono::DateTime<chrono::Utc>) -> aws_sdk_cloudwatch::primitives::DateTime {
    aws_sdk_cloudwatch::primitives::DateTime::from_millis(at.timestamp_millis())
}

/// The deployed alarms and dashboards against the code's.
async fn alarms(
    cloudwatch: aws_sdk_cloudwatch::Client,
    deployment: &Deployment<'_>,
    source: &AlarmSource,
) -> Check {
    let Some(topic) = source.alarm_topic_arn.clone() else {
        return Check::new(
            "alarms",
            State::Warn,
            "not compared: name the alarms' SNS topic with --alarm-topic-arn or REVOPS_ALARM_TOPIC_ARN",
        );
    };
    let host = deployment.host;
    let [gateway, processor, agent] = deployment.functions.all(host.stage());
    let params = Params {
        stage: host.stage().to_owned(),
        region: host.region(),
        namespace: std::env::var("REVOPS_METRICS_NAMESPACE")
            .unwrap_or_else(|_| "RevOps/WebhookGateway".to_owned()),
        alarm_topic_arn: Some(topic),
        gateway_function: gateway,
        processor_function: processor,
        agent_function: agent,
        queue: host.queue_name(),
        dlq: host.dlq_name(),
        function_timeout_seconds: deployment.processor_timeout.unwrap_or(900),
        runbook_url: std::env::var("REVOPS_RUNBOOK_URL")
            .unwrap_or_else(|_| "docs/runbook.md".to_owned()),
    };
    let desired = match validate_dir(&source.monitor_dir, &params) {
        Ok(validated) => validated.desired,
        Err(problems) => {
            return Check::new(
                "alarms",
                State::Warn,
                format!(
                    "not compared: the definitions under {} do not load ({}): run from the repository or name it with --monitor-dir",
                    source.monitor_dir.display(),
                    problems
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
        }
    };
    let account = Account::new(cloudwatch, params.alarm_prefix());
    let actual = match account.read(&desired).await {
        Ok(actual) => actual,
        Err(error) => {
            return Check::new("alarms", State::Warn, format!("not compared: {error}"));
        }
    };
    drift_check(&Plan::new(&desired, &actual))
}

/// The judgement of the comparison.
fn drift_check(plan: &Plan) -> Check {
    let (missing, changed, extra) = plan.counts();
    let extra = if extra > 0 {
        format!("; {extra} in the account only (revops monitor apply --prune removes them)")
    } else {
        String::new()
    };
    let names = |wanted: fn(&revops_monitor::Change) -> bool| {
        plan.changes
            .iter()
            .filter(|change| wanted(change))
            .map(|change| change.name().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if missing > 0 {
        Check::new(
            "alarms",
            State::Fail,
            format!(
                "{missing} not deployed, so nothing pages for them ({}): run revops monitor apply{extra}",
                names(|change| matches!(change, revops_monitor::Change::Create { .. }))
            ),
        )
    } else if changed > 0 {
        Check::new(
            "alarms",
            State::Warn,
            format!(
                "{changed} deployed unlike the code ({}): revops monitor diff shows how; apply sets them{extra}",
                names(|change| matches!(change, revops_monitor::Change::Update { .. }))
            ),
        )
    } else {
        Check::new(
            "alarms",
            State::Ok,
            format!("{} as the code has them{extra}", plan.unchanged),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_age_is_judged_against_the_objective_and_the_alarm() {
        assert_eq!(age_check(None).state, State::Ok);
        assert_eq!(age_check(Some(12.0)).state, State::Ok);
        assert_eq!(age_check(Some(420.0)).state, State::Warn);
        assert_eq!(age_check(Some(900.0)).state, State::Fail);
    }
}
