//! No secret reaches a log line, a metric or a stored document: a full run of the real
//! binary with every secret configured and logging at `debug`, then a search of
//! everything it wrote.

use crate::support::{Receiver, Reply, SEED_REQUEST, binary::RevopsProcess, wait_until};
use sha2::{Digest, Sha256};
use std::{fs::File, process::Stdio, time::Duration};

const WEBHOOK_SECRET: &str = "whsec_b3V0Ym91bmQtc2lnbmluZy1zZWNyZXQtMTIzNDU=";
const INBOUND_SECRET: &str = "whsec_aW5ib3VuZC1zaWduaW5nLXNlY3JldC02Nzg5MA==";
const API_KEY: &str = "api-key-that-must-never-be-logged";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_writes_no_secret_anywhere() {
    let receiver = Receiver::scripted(vec![Reply::status(500)], Reply::status(200)).await;
    let data_dir = tempfile::tempdir().unwrap();
    let log_path = data_dir.path().join("captured.log");
    let hashed: String = Sha256::digest(API_KEY.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let keys = format!("crm:{hashed}");
    let url = receiver.url();
    let revops = RevopsProcess::spawn_logging_to(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", url.as_str()),
            ("WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("INBOUND_AUTH", "api-key,signature"),
            ("INBOUND_API_KEYS", keys.as_str()),
            ("INBOUND_WEBHOOK_SECRET", INBOUND_SECRET),
            ("DELIVERY_RETRY_SCHEDULE", "0.05"),
            ("LOG_LEVEL", "debug"),
            ("LOG_FORMAT", "json"),
        ],
        Stdio::from(File::create(&log_path).unwrap()),
    );
    let client = reqwest::Client::new();
    let post = |key: &'static str| {
        client
            .post(format!("{}/webhook", revops.base))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {key}"))
            .body(SEED_REQUEST)
            .send()
    };
    assert_eq!(post("a-wrong-key").await.unwrap().status(), 401);
    assert_eq!(post(API_KEY).await.unwrap().status(), 202);
    wait_until(Duration::from_secs(10), "the retried delivery", || async {
        (receiver.hits().len() >= 2).then_some(())
    })
    .await;
    tokio::task::spawn_blocking(move || revops.terminate())
        .await
        .unwrap();

    let files = walk(data_dir.path());
    assert!(
        files.iter().any(|f| f.ends_with("revops.sqlite")),
        "the database is searched too"
    );
    let written: Vec<u8> = files
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    let contains = |needle: &str| {
        written
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    assert!(
        contains("delivery attempt failed"),
        "the logs were captured"
    );
    for secret in [
        WEBHOOK_SECRET,
        WEBHOOK_SECRET.trim_start_matches("whsec_"),
        INBOUND_SECRET,
        INBOUND_SECRET.trim_start_matches("whsec_"),
        API_KEY,
        hashed.as_str(),
    ] {
        assert!(!contains(secret), "a secret was written: {secret}");
    }
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
