//! The alarms proven to fire: the repository's alarm tests pass; a threshold changed in
//! a definition makes the test that covers it fail, naming the alarm and the datapoints;
//! `validate` refuses an expression the evaluator does not support, naming the file and
//! the expression; on EMF lines written by the telemetry crate's record writer, half the
//! deliveries failing for 30 minutes puts the delivery-failure alarm in ALARM and 30
//! healthy minutes leave every alarm out of it; a case that cannot be read is a problem
//! naming the file and field, and an M-of-N alarm with no blip case fails naming it.

use crate::support::{copy_of_repo_definitions, edit, params, repo_dir};
use chrono::{DateTime, Duration, Utc};
use revops_monitor::evaluate::reason::Clock;
use revops_monitor::evaluate::tests_data::{load_tests, run_tests};
use revops_monitor::evaluate::{
    AlarmState, Evaluated, Options, SampleSource, Samples, evaluate_all,
};
use revops_monitor::sla::read_emf_lines;
use revops_monitor::validate::validate_dir;
use revops_telemetry::emf::Record;
use revops_telemetry::emf::catalog::{DELIVERIES, END_TO_END_LATENCY, OUTCOME, SERVICE};

#[test]
fn the_repositorys_alarm_tests_pass_and_cover_every_alarm() {
    let desired = validate_dir(&repo_dir(), &params()).unwrap().desired;
    let files = load_tests(&repo_dir()).unwrap();
    let run = run_tests(&files, &desired, &params()).unwrap();
    let failures: Vec<String> = run.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(run.checks > 100, "{run:?}");
}

#[test]
fn a_changed_threshold_fails_the_test_that_covers_it_naming_the_alarm_and_datapoints() {
    let mut desired = validate_dir(&repo_dir(), &params()).unwrap().desired;
    let alarm = desired
        .metric_alarms
        .iter_mut()
        .find(|a| a.alarm_name == "revops-prod-delivery-failure-rate")
        .unwrap();
    // 1 % becomes 60 %: half the deliveries failing no longer breaches.
    alarm.threshold = 60.0;
    let files = load_tests(&repo_dir()).unwrap();
    let run = run_tests(&files, &desired, &params()).unwrap();
    let failure = run
        .failures
        .iter()
        .find(|f| f.alarm == "delivery-failure-rate" && f.case.starts_with("half the deliveries"))
        .unwrap_or_else(|| panic!("no failure for the changed alarm: {:?}", run.failures));
    let message = failure.to_string();
    assert!(message.contains("expected ALARM, got OK"), "{message}");
    assert!(message.contains("+31m* 50"), "the datapoints: {message}");
    assert!(message.contains("alarms/tests/delivery.json"), "{message}");
    // Only the tests that watch that alarm (and the composite over it) fail.
    assert!(
        run.failures
            .iter()
            .all(|f| f.alarm == "delivery-failure-rate" || f.alarm == "service-unhealthy"),
        "{:?}",
        run.failures
    );
}

#[test]
fn validate_refuses_an_expression_the_evaluator_does_not_support() {
    let scratch = copy_of_repo_definitions();
    edit(
        &scratch.path().join("alarms/delivery.json"),
        "IF(questions >= 5, retries / questions, 0)",
        "RATE(retries)",
    );
    let problems = validate_dir(scratch.path(), &params()).unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let problem = text
        .iter()
        .find(|p| p.contains("RATE(retries)"))
        .unwrap_or_else(|| panic!("{text:?}"));
    assert!(
        problem.starts_with("alarms/delivery.json: alarms[1].queries[2].expression"),
        "{problem}"
    );
    assert!(problem.contains("not supported"), "{problem}");
}

#[test]
fn validate_refuses_a_statistic_the_evaluator_does_not_compute() {
    let scratch = copy_of_repo_definitions();
    edit(
        &scratch.path().join("alarms/latency.json"),
        "\"p95\"",
        "\"tm95\"",
    );
    let problems = validate_dir(scratch.path(), &params()).unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|p| p.starts_with("alarms/latency.json: alarms[0].stat") && p.contains("`tm95`")),
        "{text:?}"
    );
}

/// EMF lines as the processor writes them: each minute for `minutes` from `start`,
/// `delivered` and `failed` finished deliveries, each delivered one with a 2 s latency.
fn emf_lines(start: DateTime<Utc>, minutes: i64, delivered: usize, failed: usize) -> String {
    let mut lines = Vec::new();
    for minute in 0..minutes {
        let at = (start + Duration::minutes(minute)).timestamp_millis();
        for (outcome, count) in [("delivered", delivered), ("failed", failed)] {
            for _ in 0..count {
                let finished = Record::new(vec![
                    (SERVICE, "processor".into()),
                    (OUTCOME, outcome.into()),
                ])
                .metric(&DELIVERIES, 1.0);
                lines.extend(finished.to_lines("RevOps/WebhookGateway", at));
                if outcome == "delivered" {
                    let latency = Record::new(vec![(SERVICE, "processor".into())])
                        .metric(&END_TO_END_LATENCY, 2_000.0);
                    lines.extend(latency.to_lines("RevOps/WebhookGateway", at));
                }
            }
        }
    }
    lines.join("\n")
}

fn evaluate_emf(text: &str) -> Vec<Evaluated> {
    let desired = validate_dir(&repo_dir(), &params()).unwrap().desired;
    let (lines, skipped) = read_emf_lines(text.lines());
    assert!(skipped.is_empty(), "{skipped:?}");
    let samples = Samples::from_emf(&lines);
    let params = params();
    let source = SampleSource {
        samples: &samples,
        params: &params,
        options: Options {
            local: true,
            time_scale: 1.0,
        },
    };
    let at = lines.iter().map(|l| l.at).max().unwrap().timestamp_millis();
    evaluate_all(&desired, &source, at, Clock::Utc)
}

fn state<'a>(evaluated: &'a [Evaluated], name: &str) -> &'a Evaluated {
    evaluated.iter().find(|e| e.name == name).unwrap()
}

#[test]
fn half_the_deliveries_failing_for_30_minutes_fires_the_delivery_failure_alarm() {
    let start: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
    let evaluated = evaluate_emf(&emf_lines(start, 30, 2, 2));
    let failure = state(&evaluated, "delivery-failure-rate");
    assert_eq!(failure.state, AlarmState::Alarm, "{}", failure.reason);
    assert_eq!(
        state(&evaluated, "service-unhealthy").state,
        AlarmState::Alarm
    );
    // AWS-only metrics without a local equivalent cannot be known here.
    let lambda = state(&evaluated, "function-error-rate-processor");
    assert_eq!(lambda.state, AlarmState::InsufficientData);
    assert!(
        lambda.reason.contains("AWS/Lambda:Errors"),
        "{}",
        lambda.reason
    );
}

#[test]
fn thirty_healthy_minutes_leave_every_alarm_out_of_alarm() {
    let start: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
    let evaluated = evaluate_emf(&emf_lines(start, 30, 3, 0));
    let firing: Vec<String> = evaluated
        .iter()
        .filter(|e| e.state == AlarmState::Alarm)
        .map(|e| format!("{}: {}", e.name, e.reason))
        .collect();
    assert!(firing.is_empty(), "{firing:?}");
    assert_eq!(
        state(&evaluated, "delivery-failure-rate").state,
        AlarmState::Ok
    );
    assert_eq!(state(&evaluated, "dlq-not-empty").state, AlarmState::Ok);
    assert_eq!(
        state(&evaluated, "queue-oldest-message-age").state,
        AlarmState::InsufficientData
    );
}

#[test]
fn a_case_that_cannot_be_read_is_a_problem_naming_the_file_and_the_field() {
    let desired = validate_dir(&repo_dir(), &params()).unwrap().desired;
    let mut files = load_tests(&repo_dir()).unwrap();
    let (file, test) = &mut files[0];
    let file = file.clone();
    test.cases[0].expect[0].at = "999999999999999d".into();
    let problems = run_tests(&files, &desired, &params()).unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].starts_with(&format!(
            "{file}: cases[0].expect[0].at: `999999999999999d`"
        )),
        "{text:?}"
    );

    let mut files = load_tests(&repo_dir()).unwrap();
    let case = &mut files[1].1.cases[2];
    let metric = case.series.keys().next().unwrap().clone();
    case.series
        .insert(metric.clone(), "1*99999999999999".into());
    let problems = run_tests(&files, &desired, &params()).unwrap_err();
    let problem = problems[0].to_string();
    assert!(
        problem.starts_with(&format!("{}: cases[2].series.{metric}: ", files[1].0)),
        "{problem}"
    );
    assert!(problem.contains("samples in one step"), "{problem}");
}

#[test]
fn an_m_of_n_alarm_with_no_blip_case_fails_naming_it() {
    let desired = validate_dir(&repo_dir(), &params()).unwrap().desired;
    let mut files = load_tests(&repo_dir()).unwrap();
    for (_, test) in &mut files {
        test.cases
            .retain(|case| !case.name.starts_with("one error in a quiet five minutes"));
    }
    let run = run_tests(&files, &desired, &params()).unwrap();
    let blips: Vec<&str> = run
        .failures
        .iter()
        .filter(|f| f.message.contains("stay quiet on a blip"))
        .map(|f| f.alarm.as_str())
        .collect();
    for name in [
        "function-error-rate-gateway",
        "function-error-rate-processor",
        "function-error-rate-agent-wrapper",
    ] {
        assert!(blips.contains(&name), "{name}: {:?}", run.failures);
    }
    assert_eq!(blips.len(), 3, "{:?}", run.failures);
}
