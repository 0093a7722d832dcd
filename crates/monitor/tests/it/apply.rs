//! `revops monitor diff` and `apply` with the real aws-sdk-cloudwatch client against the
//! local CBOR CloudWatch: apply creates everything, a second apply changes nothing, a
//! changed threshold shows in the diff and is then applied, and prune removes an owned
//! alarm that left the code while keeping a foreign one.

use crate::support::{TOPIC, copy_of_repo_definitions, edit, params, repo_dir};
use revops_monitor::account::{Account, ResourceKind};
use revops_monitor::validate::validate_dir;
use revops_monitor::{Change, DesiredState, Plan};
use revops_testkit::cloudwatch::FakeCloudWatch;
use std::path::Path;

fn desired(dir: &Path) -> DesiredState {
    validate_dir(dir, &params()).unwrap().desired
}

async fn plan(account: &Account, desired: &DesiredState) -> Plan {
    let actual = account.read(desired).await.unwrap();
    Plan::new(desired, &actual)
}

async fn applied_repo_definitions() -> (FakeCloudWatch, Account, DesiredState) {
    let cloudwatch = FakeCloudWatch::start().await;
    let account = Account::new(cloudwatch.client(), params().alarm_prefix());
    let desired = desired(&repo_dir());
    let plan = plan(&account, &desired).await;
    account.apply(&plan, false).await.unwrap();
    (cloudwatch, account, desired)
}

#[tokio::test]
async fn apply_creates_everything_and_a_second_apply_changes_nothing() {
    let cloudwatch = FakeCloudWatch::start().await;
    let account = Account::new(cloudwatch.client(), "revops-prod-");
    let desired = desired(&repo_dir());
    let resources =
        desired.dashboards.len() + desired.metric_alarms.len() + desired.composite_alarms.len();

    let first = plan(&account, &desired).await;
    assert_eq!(first.counts(), (resources, 0, 0));
    assert!(
        first
            .changes
            .iter()
            .all(|c| matches!(c, Change::Create { .. }))
    );
    let calls = account.apply(&first, false).await.unwrap();
    assert_eq!(calls, resources);

    // What the account now holds is exactly what the definitions say.
    let calls = cloudwatch.take_calls();
    assert_eq!(calls.iter().filter(|c| *c == "PutDashboard").count(), 1);
    assert_eq!(
        calls.iter().filter(|c| *c == "PutMetricAlarm").count(),
        desired.metric_alarms.len()
    );
    assert_eq!(
        calls.iter().filter(|c| *c == "PutCompositeAlarm").count(),
        3
    );
    assert_eq!(
        cloudwatch.alarm_names().len(),
        desired.metric_alarms.len() + 3
    );
    let latency = cloudwatch.alarm("revops-prod-e2e-latency-p95").unwrap();
    assert_eq!(
        latency.field("ExtendedStatistic").unwrap().as_text(),
        Some("p95")
    );
    assert_eq!(
        latency.field("MetricName").unwrap().as_text(),
        Some("EndToEndLatency")
    );
    assert_eq!(
        revops_testkit::cloudwatch::cbor::number(latency.field("Threshold").unwrap()),
        Some(300_000.0)
    );
    assert_eq!(
        latency.field("AlarmActions").unwrap().as_array().unwrap()[0].as_text(),
        Some(TOPIC)
    );
    let fast = cloudwatch.alarm("revops-prod-slo-fast-burn").unwrap();
    assert_eq!(
        fast.rule.as_deref(),
        Some("ALARM(\"revops-prod-slo-burn-1h\") AND ALARM(\"revops-prod-slo-burn-5m\")")
    );
    let dashboard = cloudwatch.state.lock().unwrap().dashboards["revops-prod-service"].clone();
    assert!(
        dashboard.contains("EndToEndLatency")
            && dashboard.contains("prod-revops-webhook-outbound-dlq")
    );

    // The second apply finds nothing to do and calls nothing that writes.
    let second = plan(&account, &desired).await;
    assert!(second.is_empty(true), "{:#?}", second.describe(true));
    assert_eq!(second.unchanged, resources);
    assert_eq!(account.apply(&second, true).await.unwrap(), 0);
    let calls = cloudwatch.take_calls();
    assert!(
        calls
            .iter()
            .all(|c| c == "GetDashboard" || c == "DescribeAlarms"),
        "{calls:?}"
    );
    assert!(
        calls.iter().filter(|c| *c == "DescribeAlarms").count() >= 3,
        "pages were followed: {calls:?}"
    );
}

#[tokio::test]
async fn a_changed_threshold_shows_in_the_diff_and_is_then_applied() {
    let (cloudwatch, account, _) = applied_repo_definitions().await;
    let dir = copy_of_repo_definitions();
    edit(
        &dir.path().join("alarms/latency.json"),
        "\"threshold\": 300000",
        "\"threshold\": 240000",
    );
    let desired = desired(dir.path());

    let diff = plan(&account, &desired).await;
    assert_eq!(diff.counts(), (0, 1, 0));
    let Change::Update { kind, name, fields } = &diff.changes[0] else {
        panic!("expected an update: {:?}", diff.changes);
    };
    assert_eq!(*kind, ResourceKind::MetricAlarm);
    assert_eq!(name, "revops-prod-e2e-latency-p95");
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].field, "Threshold");
    assert_eq!(fields[0].before.as_deref(), Some("300000.0"));
    assert_eq!(fields[0].after.as_deref(), Some("240000.0"));
    let shown = diff.describe(false).join("\n");
    assert!(
        shown.contains(
            "~ metric alarm revops-prod-e2e-latency-p95\n    Threshold: 300000.0 → 240000.0"
        ),
        "{shown}"
    );

    cloudwatch.take_calls();
    assert_eq!(account.apply(&diff, false).await.unwrap(), 1);
    assert_eq!(
        cloudwatch
            .take_calls()
            .iter()
            .filter(|c| c.starts_with("Put"))
            .collect::<Vec<_>>(),
        ["PutMetricAlarm"]
    );
    let stored = cloudwatch.alarm("revops-prod-e2e-latency-p95").unwrap();
    assert_eq!(
        revops_testkit::cloudwatch::cbor::number(stored.field("Threshold").unwrap()),
        Some(240_000.0)
    );
    assert!(plan(&account, &desired).await.is_empty(true));
}

#[tokio::test]
async fn prune_deletes_owned_alarms_that_left_the_code_and_keeps_foreign_ones() {
    let (cloudwatch, account, desired) = applied_repo_definitions().await;
    let client = cloudwatch.client();
    for name in [
        "revops-prod-retired-queue-alarm",
        "someone-elses-alarm",
        "revops-staging-dlq-not-empty",
    ] {
        client
            .put_metric_alarm()
            .alarm_name(name)
            .namespace("AWS/SQS")
            .metric_name("ApproximateNumberOfMessagesVisible")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Maximum)
            .period(300)
            .evaluation_periods(1)
            .threshold(0.0)
            .comparison_operator(
                aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold,
            )
            .send()
            .await
            .unwrap();
    }
    client
        .put_composite_alarm()
        .alarm_name("revops-prod-retired-composite")
        .alarm_rule("ALARM(\"revops-prod-retired-queue-alarm\") OR ALARM(\"someone-elses-alarm\")")
        .send()
        .await
        .unwrap();

    let diff = plan(&account, &desired).await;
    let deletes: Vec<(ResourceKind, &str)> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Delete { kind, name } => Some((*kind, name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        deletes,
        [
            (
                ResourceKind::CompositeAlarm,
                "revops-prod-retired-composite"
            ),
            (ResourceKind::MetricAlarm, "revops-prod-retired-queue-alarm"),
        ]
    );
    assert!(
        diff.describe(false)
            .iter()
            .any(|l| l.contains("deleted only by `apply --prune`"))
    );

    // Without --prune, nothing is deleted.
    assert_eq!(account.apply(&diff, false).await.unwrap(), 0);
    assert!(
        cloudwatch
            .alarm("revops-prod-retired-queue-alarm")
            .is_some()
    );

    // With --prune, the owned ones go (the composite first: CloudWatch refuses to delete
    // an alarm a composite still names) and the foreign ones stay.
    assert_eq!(account.apply(&diff, true).await.unwrap(), 2);
    assert!(cloudwatch.alarm("revops-prod-retired-composite").is_none());
    assert!(
        cloudwatch
            .alarm("revops-prod-retired-queue-alarm")
            .is_none()
    );
    assert!(cloudwatch.alarm("someone-elses-alarm").is_some());
    assert!(cloudwatch.alarm("revops-staging-dlq-not-empty").is_some());
    assert!(cloudwatch.alarm("revops-prod-dlq-not-empty").is_some());
    assert!(plan(&account, &desired).await.is_empty(true));
}
