//! `revops trace` against the real `revops serve`: a request whose receiver answered
//! `500`, `500`, `200` is told whole: its timeline with the failed steps marked, its
//! three attempts, the spans of its trace (the `POST`, the queue's send and receive, the
//! agent call, each delivery attempt) and its log lines; `--format json` has the
//! contract's keys; an unknown id exits 1, naming it.

use crate::support::{
    Receiver, Reply, SEED_REQUEST, binary::RevopsProcess, binary::revops, wait_until,
};
use serde_json::Value;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_met_500_500_200_is_told_whole() {
    let receiver = Receiver::scripted(
        vec![Reply::status(500), Reply::status(500)],
        Reply::status(200),
    )
    .await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = receiver.url();
    let server = RevopsProcess::spawn(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", url.as_str()),
            ("DELIVERY_RETRY_SCHEDULE", "0.1,0.1"),
            ("LOG_LEVEL", "info"),
        ],
    );
    let client = reqwest::Client::new();
    let accepted: Value = client
        .post(format!("{}/webhook", server.base))
        .header("content-type", "application/json")
        .body(SEED_REQUEST)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = accepted["tracking_id"].as_str().unwrap().to_owned();
    wait_until(Duration::from_secs(10), "the third attempt", || async {
        (receiver.hits().len() == 3).then_some(())
    })
    .await;
    // Spans are written in batches; a graceful stop writes the last of them.
    tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    let dir = data_dir.path().to_str().unwrap();

    let output = revops(&["trace", &id, "--data-dir", dir, "--format", "json"]);
    assert!(output.status.success(), "{output:?}");
    let story: Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "tracking_id",
        "status",
        "trace_id",
        "events",
        "attempts",
        "spans",
        "logs",
    ] {
        assert!(story.get(key).is_some(), "no {key} in {story}");
    }
    assert_eq!(story["status"], "delivered");
    let attempts: Vec<_> = story["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["outcome"].as_str().unwrap().to_owned(),
                a["http_status"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            ("retrying".to_owned(), Some(500)),
            ("retrying".to_owned(), Some(500)),
            ("success".to_owned(), Some(200)),
        ]
    );
    let spans = story["spans"].as_array().unwrap();
    let named = |prefix: &str, kind: &str| {
        spans
            .iter()
            .filter(|span| {
                span["name"].as_str().unwrap().starts_with(prefix) && span["kind"] == kind
            })
            .count()
    };
    assert_eq!(named("POST /webhook", "server"), 1, "{spans:#?}");
    assert_eq!(named("send ", "producer"), 1);
    assert!(named("process ", "consumer") >= 1);
    assert_eq!(named("invoke_agent", "client"), 1);
    assert_eq!(named("POST", "client"), 3, "one span per delivery attempt");
    let trace_id = story["trace_id"].as_str().unwrap();
    assert!(spans.iter().all(|span| span["span_id"].is_string()));
    assert!(
        story["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["tracking_id"] == id),
        "the request's log lines"
    );

    let output = revops(&["trace", &id, "--data-dir", dir]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(&format!("request {id}: delivered")), "{text}");
    assert!(text.contains(trace_id), "{text}");
    assert_eq!(
        text.lines()
            .filter(|line| line.starts_with('✗') && line.contains("retry_scheduled"))
            .count(),
        2,
        "the two failed steps are marked:\n{text}"
    );
    assert!(text.contains("invoke_agent"), "{text}");
    assert!(text.contains("against the 5-minute objective"), "{text}");

    let unknown = "0b8e2a4c-5d3f-4e1a-9c7b-2f6d8e0a1b3c";
    let output = revops(&["trace", unknown, "--data-dir", dir]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains(unknown));
}
