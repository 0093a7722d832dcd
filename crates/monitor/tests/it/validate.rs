//! `revops monitor validate`: the repository's own definitions pass, and a definition
//! that names something the code does not emit fails, naming the file and the field.

use crate::support::{copy_of_repo_definitions, edit, params, repo_dir};
use revops_monitor::validate::validate_dir;

#[test]
fn the_repositorys_own_definitions_are_valid() {
    let validated = validate_dir(&repo_dir(), &params()).unwrap_or_else(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!(
            "the repository's definitions are invalid:\n{}",
            lines.join("\n")
        )
    });
    let desired = validated.desired;
    assert_eq!(desired.dashboards.len(), 1);
    assert_eq!(desired.dashboards[0].dashboard_name, "revops-prod-service");
    let names: Vec<&str> = desired
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
    for expected in [
        "revops-prod-e2e-latency-p95",
        "revops-prod-delivery-failure-rate",
        "revops-prod-dlq-not-empty",
        "revops-prod-queue-oldest-message-age",
        "revops-prod-function-error-rate-gateway",
        "revops-prod-function-throttles-processor",
        "revops-prod-function-duration-near-timeout-agent-wrapper",
        "revops-prod-agent-retries-surge",
        "revops-prod-slo-burn-1h",
        "revops-prod-slo-burn-5m",
        "revops-prod-slo-burn-6h",
        "revops-prod-slo-burn-30m",
        "revops-prod-slo-fast-burn",
        "revops-prod-slo-slow-burn",
        "revops-prod-service-unhealthy",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} is missing from {names:?}"
        );
    }
    // Every alarm links its runbook entry.
    for alarm in &desired.metric_alarms {
        assert!(
            alarm
                .alarm_description
                .contains("Runbook: docs/runbook.md#")
        );
    }
}

#[test]
fn an_alarm_on_a_metric_no_code_emits_is_refused_naming_file_and_field() {
    let dir = copy_of_repo_definitions();
    std::fs::write(
        dir.path().join("alarms/teleport.json"),
        r#"{"alarms": [{
            "name": "teleports", "description": "Too many teleports.", "runbook": "service-unhealthy",
            "metric": {"namespace": "${namespace}", "name": "RequestsTeleported", "dimensions": {"Service": "gateway"}},
            "stat": "Sum", "period": 300, "evaluation_periods": 1,
            "comparison": "GreaterThanThreshold", "threshold": 0, "actions": ["${alarm_topic_arn}"]
        }]}"#,
    )
    .unwrap();
    let problems = validate_dir(dir.path(), &params()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].file, "alarms/teleport.json");
    assert_eq!(problems[0].field, "alarms[0].metric.name");
    assert!(problems[0].message.contains("RequestsTeleported"));
    assert!(problems[0].message.contains("not a metric the code emits"));
}

#[test]
fn schema_thresholds_periods_and_references_are_checked_where_they_are_written() {
    let dir = copy_of_repo_definitions();
    edit(
        &dir.path().join("alarms/latency.json"),
        "\"threshold\": 300000",
        "\"threshold\": \"high\"",
    );
    let problems = validate_dir(dir.path(), &params()).unwrap_err();
    assert_eq!(problems[0].file, "alarms/latency.json");
    assert_eq!(problems[0].field, "alarms[0].threshold");

    let dir = copy_of_repo_definitions();
    edit(
        &dir.path().join("alarms/queue.json"),
        "\"period\": 300",
        "\"period\": 90",
    );
    edit(
        &dir.path().join("alarms/service.json"),
        "\"dlq-not-empty\"",
        "\"dlq-nonempty\"",
    );
    edit(
        &dir.path().join("dashboards/service.json"),
        "\"stat\": \"p99\"",
        "\"stat\": \"P99\"",
    );
    edit(
        &dir.path().join("alarms/delivery.json"),
        "FILL(failed, 0) + FILL(dead, 0)) /",
        "FILL(failed, 0) + FILL(deadd, 0)) /",
    );
    let problems = validate_dir(dir.path(), &params()).unwrap_err();
    let located: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.file, p.field))
        .collect();
    for expected in [
        "alarms/queue.json: alarms[0].period",
        "alarms/service.json: composite_alarms[0].rule.any[2].alarm",
        "dashboards/service.json: widgets[2].metrics[2].stat",
        "alarms/delivery.json: alarms[0].queries[3].expression",
    ] {
        assert!(
            located.iter().any(|l| l == expected),
            "{expected} not in {located:#?}"
        );
    }
}
