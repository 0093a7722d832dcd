//! Deliveries verify with the Standard Webhooks reference library: a delivery signed with
//! two rotated secrets is captured at a receiver and handed to
//! `scripts/verify_signatures.py` (PyPI `standardwebhooks`), which checks that it verifies
//! with each secret and that a tampered body or a stale timestamp fails.

mod venv;

use crate::support::{Receiver, SEED_REQUEST, TEST_SECRET, TestHost, wait_until};
use base64::{Engine, engine::general_purpose::STANDARD};
use revops_testkit::webhook::Hit;
use serde_json::{Value, json};
use std::{path::Path, process::Command, time::Duration};

/// The secret rotated in beside [`TEST_SECRET`].
const ROTATED_SECRET: &str = "whsec_YSByb3RhdGVkIHNlY3JldCBmb3IgdGhlIHRlc3RzISE=";
/// A secret the gateway never had.
const FOREIGN_SECRET: &str = "whsec_bmV2ZXIgY29uZmlndXJlZCBvbiB0aGUgZ2F0ZXdheS4=";

/// Writes the delivery and the secrets to check it with, runs the script, and returns
/// whether it passed and what it printed.
fn verify(hit: &Hit, secrets: &[&str], dir: &Path) -> (bool, String) {
    let headers: serde_json::Map<String, Value> = hit
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value.to_str().unwrap())))
        .collect();
    let file = dir.join("delivery.json");
    let delivery = json!({
        "headers": headers,
        "body_base64": STANDARD.encode(&hit.body),
        "secrets": secrets,
    });
    std::fs::write(&file, delivery.to_string()).unwrap();
    let output = Command::new(venv::python_with_standardwebhooks())
        .arg(venv::workspace().join("scripts/verify_signatures.py"))
        .arg(&file)
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

#[tokio::test]
async fn deliveries_verify_with_the_reference_library_and_tampering_fails() {
    let receiver = Receiver::always(200).await;
    let secrets = format!("{TEST_SECRET} {ROTATED_SECRET}");
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("WEBHOOK_SECRET", &secrets),
    ])
    .await;
    let response = host.post(SEED_REQUEST).await;
    assert_eq!(response.status(), 202);
    let hit = wait_until(Duration::from_secs(10), "the delivery", || async {
        receiver.hits().into_iter().next()
    })
    .await;
    host.stop().await;

    let dir = tempfile::tempdir().unwrap();
    let (passed, printed) = tokio::task::spawn_blocking({
        let hit = hit.clone();
        let dir = dir.path().to_owned();
        move || verify(&hit, &[TEST_SECRET, ROTATED_SECRET], &dir)
    })
    .await
    .unwrap();
    eprintln!("{printed}");
    assert!(
        passed,
        "the reference library refused the delivery:\n{printed}"
    );
    assert!(printed.contains("all signature checks passed"), "{printed}");

    let (passed, printed) =
        tokio::task::spawn_blocking(move || verify(&hit, &[FOREIGN_SECRET], dir.path()))
            .await
            .unwrap();
    assert!(!passed, "a foreign secret must not verify:\n{printed}");
    assert!(printed.contains("FAIL secret 1 of 1 verifies"), "{printed}");
}
