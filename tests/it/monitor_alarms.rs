//! `revops monitor test` and `revops monitor evaluate`, the real binary: the
//! repository's alarm tests pass (so CI runs them); a changed threshold fails them
//! naming the case, the alarm and the datapoints (exit 1); `evaluate` on EMF lines
//! gives every alarm's state as JSON, ALARM for half the deliveries failing over 30
//! minutes and none for 30 healthy minutes; bad input (an EMF file, definitions or alarm
//! tests that cannot be read, a time or a series past the limits) exits 2 naming it.

use crate::support::binary::revops;
use revops_telemetry::emf::Record;
use revops_telemetry::emf::catalog::{DELIVERIES, OUTCOME, SERVICE};
use serde_json::Value;
use std::path::Path;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_repositorys_alarm_tests_pass() {
    let output = revops(&["monitor", "test", "--dir", REPO]);
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(
        text(&output.stdout).starts_with("ok: "),
        "{}",
        text(&output.stdout)
    );
}

/// Copies `from` into `to`, folders included.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A copy of the repository's definitions and alarm tests.
fn scratch_definitions() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    for sub in ["alarms", "dashboards", "docs"] {
        copy_dir(&Path::new(REPO).join(sub), &scratch.path().join(sub));
    }
    scratch
}

#[test]
fn a_changed_threshold_fails_naming_the_case_alarm_and_datapoints() {
    let scratch = scratch_definitions();
    let latency = scratch.path().join("alarms/latency.json");
    let definition = std::fs::read_to_string(&latency).unwrap();
    assert!(definition.contains("\"threshold\": 300000"));
    std::fs::write(
        &latency,
        definition.replace("\"threshold\": 300000", "\"threshold\": 500000"),
    )
    .unwrap();
    let output = revops(&["monitor", "test", "--dir", scratch.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let failure = stdout
        .lines()
        .find(|line| line.contains("e2e-latency-p95 at +40m"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        failure.starts_with("FAIL alarms/tests/latency.json: case `a slow receiver"),
        "{failure}"
    );
    assert!(failure.contains("expected ALARM, got OK"), "{failure}");
    assert!(failure.contains("+30m* 400000"), "{failure}");
}

/// Each minute for 30 minutes from 10:00: `delivered` and `failed` finished deliveries.
fn emf_file(dir: &Path, delivered: usize, failed: usize) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
        .unwrap()
        .timestamp_millis();
    let mut lines = Vec::new();
    for minute in 0..30 {
        for (outcome, count) in [("delivered", delivered), ("failed", failed)] {
            for _ in 0..count {
                let record = Record::new(vec![
                    (SERVICE, "processor".into()),
                    (OUTCOME, outcome.into()),
                ])
                .metric(&DELIVERIES, 1.0);
                lines.extend(record.to_lines("RevOps/WebhookGateway", start + minute * 60_000));
            }
        }
    }
    let path = dir.join("metrics.emf.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path.to_str().unwrap().to_owned()
}

fn evaluate(file: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "monitor",
        "evaluate",
        "--dir",
        REPO,
        "--emf-file",
        file,
        "--format",
        "json",
    ];
    args.extend(extra);
    let output = revops(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn state_of<'a>(alarms: &'a [Value], name: &str) -> &'a str {
    alarms
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["state"].as_str())
        .unwrap_or_else(|| panic!("no {name} in {alarms:?}"))
}

#[test]
fn evaluate_fires_the_delivery_failure_alarm_when_half_the_deliveries_fail() {
    let dir = tempfile::tempdir().unwrap();
    let file = emf_file(dir.path(), 2, 2);
    let alarms = evaluate(&file, &[]);
    for alarm in &alarms {
        let keys: Vec<&String> = alarm.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "reason", "state"]);
    }
    assert_eq!(state_of(&alarms, "delivery-failure-rate"), "ALARM");
    assert_eq!(state_of(&alarms, "service-unhealthy"), "ALARM");
    assert_eq!(
        state_of(&alarms, "function-throttles-gateway"),
        "INSUFFICIENT_DATA"
    );
    // Five minutes in, one period of the two needed had failures: not yet. Four minutes
    // later (the window slides every minute) two had.
    let early = evaluate(&file, &["--at", "2026-12-01T10:05:00Z"]);
    assert_eq!(state_of(&early, "delivery-failure-rate"), "OK");
    let later = evaluate(&file, &["--at", "2026-12-01T10:09:00Z"]);
    assert_eq!(state_of(&later, "delivery-failure-rate"), "ALARM");
}

#[test]
fn evaluate_leaves_every_alarm_out_of_alarm_on_healthy_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let alarms = evaluate(&emf_file(dir.path(), 4, 0), &[]);
    assert!(alarms.iter().all(|a| a["state"] != "ALARM"), "{alarms:#?}");
    assert_eq!(state_of(&alarms, "delivery-failure-rate"), "OK");
}

#[test]
fn evaluate_refuses_bad_input_with_exit_2() {
    let missing = revops(&[
        "monitor",
        "evaluate",
        "--dir",
        REPO,
        "--emf-file",
        "/nonexistent/metrics.emf.jsonl",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/nonexistent/metrics.emf.jsonl"));
    let dir = tempfile::tempdir().unwrap();
    let file = emf_file(dir.path(), 1, 0);
    let bad_at = revops(&[
        "monitor",
        "evaluate",
        "--dir",
        REPO,
        "--emf-file",
        &file,
        "--at",
        "yesterday",
    ]);
    assert_eq!(bad_at.status.code(), Some(2));
    assert!(text(&bad_at.stderr).contains("yesterday"));
}

/// `revops monitor test` on `dir` with `queue` holding `text`: it must exit 2, and
/// this is what it said.
fn refused(dir: &Path, queue: &Path, text_of_queue: &str) -> String {
    std::fs::write(queue, text_of_queue).unwrap();
    let output = revops(&["monitor", "test", "--dir", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    text(&output.stderr)
}

#[test]
fn test_refuses_alarm_tests_it_cannot_read_with_exit_2_naming_the_file_and_field() {
    let scratch = scratch_definitions();
    let dir = scratch.path();
    let queue = dir.join("alarms/tests/queue.json");
    let original = std::fs::read_to_string(&queue).unwrap();
    // A time past any clock: it used to overflow (a panic, exit 101).
    assert!(original.contains("\"at\": \"30m\""));
    let edited = original.replacen("\"at\": \"30m\"", "\"at\": \"999999999999999d\"", 1);
    let stderr = refused(dir, &queue, &edited);
    assert!(
        stderr.contains("alarms/tests/queue.json: cases[0].expect[0].at: `999999999999999d`"),
        "{stderr}"
    );
    // A series of terabytes: refused, not allocated (it used to abort, exit 134).
    assert!(original.contains("\"0x30 1x30\""));
    let edited = original.replacen("\"0x30 1x30\"", "\"1*99999999999999\"", 1);
    let stderr = refused(dir, &queue, &edited);
    assert!(
        stderr.contains(
            "alarms/tests/queue.json: cases[0].series.AWS/SQS:ApproximateNumberOfMessagesVisible{QueueName=${dlq}}: `1*99999999999999`"
        ),
        "{stderr}"
    );
    // Not JSON at all.
    let stderr = refused(dir, &queue, "{\"cases\": [");
    assert!(stderr.contains("alarms/tests/queue.json"), "{stderr}");
}

#[test]
fn test_and_evaluate_refuse_a_directory_without_definitions_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = emf_file(dir.path(), 1, 0);
    for args in [
        vec!["monitor", "test", "--dir", "/nonexistent"],
        vec![
            "monitor",
            "evaluate",
            "--dir",
            "/nonexistent",
            "--emf-file",
            &file,
        ],
    ] {
        let output = revops(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains("/nonexistent"), "{stderr}");
        assert!(stderr.contains("--dir"), "{stderr}");
    }
}
