//! `revops load` against the real `revops serve`: a thousand requests at a concurrency of
//! twenty, each accepted and delivered, the figures printed; a rate; absurd input
//! refused with exit 2 before anything is sent.

use crate::support::{Receiver, binary::RevopsProcess, binary::revops};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_requests_are_accepted_and_delivered_and_the_figures_printed() {
    let receiver = Receiver::always(200).await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = receiver.url();
    let server = RevopsProcess::spawn(data_dir.path(), &[("WEBHOOK_URL", url.as_str())]);
    let base = server.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        revops(&[
            "load",
            &base,
            "--requests",
            "1000",
            "--concurrency",
            "20",
            "--wait-delivered",
            "--format",
            "json",
        ])
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["sent"], 1000);
    assert_eq!(summary["accepted"], 1000);
    assert_eq!(summary["delivered"], 1000);
    assert_eq!(summary["failed"], 0);
    for figure in ["latency_ms", "e2e_ms"] {
        for quantile in ["p50", "p95", "p99"] {
            assert!(
                summary[figure][quantile]
                    .as_f64()
                    .is_some_and(|ms| ms > 0.0),
                "{figure} {quantile} in {summary}"
            );
        }
    }
    assert!(summary["latency_ms"]["p50"].as_f64() <= summary["latency_ms"]["p99"].as_f64());
    assert_eq!(receiver.hits().len(), 1000, "each delivered once");

    let base = server.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        revops(&[
            "load",
            &format!("{base}/"),
            "--requests",
            "50",
            "--rate",
            "200",
        ])
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(text.contains("50 accepted (202)"), "{text}");
    assert!(text.contains("202 latency: p50"), "{text}");
    server.terminate();
}

#[test]
fn absurd_input_is_refused_before_anything_is_sent() {
    for args in [
        &["load", "http://127.0.0.1:9/webhook", "--requests", "0"][..],
        &["load", "http://127.0.0.1:9/webhook", "--rate", "0"][..],
        &["load", "http://127.0.0.1:9/webhook", "--rate", "-3"][..],
        &["load", "http://127.0.0.1:9/webhook", "--concurrency", "0"][..],
        &[
            "load",
            "http://127.0.0.1:9/webhook",
            "--rate",
            "5",
            "--concurrency",
            "2",
        ][..],
        &["load", "not a url"][..],
        &["load", "ftp://127.0.0.1/webhook"][..],
    ] {
        let output = revops(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    }
}
