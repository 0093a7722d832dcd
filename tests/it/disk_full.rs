//! A disk that runs low: `revops serve` with `REVOPS_MIN_FREE_DISK` just under the free
//! space it starts with, then a file that really takes the blocks (fallocate). New
//! requests get `503` with `Retry-After` and the code `disk_full`; the requests accepted
//! before are delivered all the same; one log line says why and each refusal counts in
//! `RequestsRejected`; freeing the space takes requests again, and nothing accepted is
//! lost.

use crate::support::{SEED_REQUEST, Switchable, binary::RevopsProcess, status, wait_until};
use revops_local::disk_space::free_bytes;
use serde_json::Value;
use std::{fs::File, path::Path, process::Stdio, time::Duration};

/// How far the floor sits under the free space at start, and the filler over it: room
/// for what the other tests write meanwhile, either way.
fn margin(free: u64) -> u64 {
    (1 << 30).min(free / 4)
}

/// Takes `bytes` of the disk for real: blocks reserved, not a sparse file.
fn fill(path: &Path, bytes: u64) {
    let file = File::create(path).unwrap();
    if rustix::fs::fallocate(&file, rustix::fs::FallocateFlags::empty(), 0, bytes).is_err() {
        // A file system without fallocate: write the bytes.
        use std::io::Write;
        let mut writer = std::io::BufWriter::new(&file);
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..bytes.div_ceil(1 << 20) {
            writer.write_all(&chunk).unwrap();
        }
        writer.flush().unwrap();
    }
    file.sync_all().unwrap();
}

async fn post(client: &reqwest::Client, base: &str) -> reqwest::Response {
    client
        .post(format!("{base}/webhook"))
        .header("content-type", "application/json")
        .body(SEED_REQUEST)
        .send()
        .await
        .unwrap()
}

async fn status_of(client: &reqwest::Client, base: &str, id: &str) -> String {
    let document = status(client, base, id).await;
    document["status"].as_str().unwrap_or_default().to_owned()
}

async fn wait_delivered(client: &reqwest::Client, base: &str, ids: &[String]) {
    for id in ids {
        wait_until(Duration::from_secs(30), "a delivery", || async {
            (status_of(client, base, id).await == "delivered").then_some(())
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_disk_refuses_new_requests_with_503_and_delivers_the_accepted_ones() {
    let receiver = Switchable::start(503).await;
    let url = receiver.receiver.url();
    let data_dir = tempfile::tempdir().unwrap();
    let log_path = data_dir.path().join("captured.log");
    let free = free_bytes(data_dir.path()).unwrap();
    let margin = margin(free);
    let floor = (free - margin).to_string();
    let revops = RevopsProcess::spawn_logging_to(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", url.as_str()),
            ("REVOPS_MIN_FREE_DISK", floor.as_str()),
            (
                "DELIVERY_RETRY_SCHEDULE",
                "0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5",
            ),
            ("RECEIVER_BREAKER_FAILURES", "1000"),
        ],
        Stdio::from(File::create(&log_path).unwrap()),
    );
    let base = revops.base.clone();
    let client = reqwest::Client::new();

    let mut accepted = Vec::new();
    for _ in 0..10 {
        let response = post(&client, &base).await;
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.unwrap();
        accepted.push(body["tracking_id"].as_str().unwrap().to_owned());
    }

    let filler = data_dir.path().join("filler.bin");
    fill(&filler, 2 * margin);
    let refused = wait_until(Duration::from_secs(10), "the intake to refuse", || async {
        let response = post(&client, &base).await;
        (response.status() == 503).then_some(response)
    })
    .await;
    assert_eq!(
        refused.headers()["retry-after"].to_str().unwrap(),
        "30",
        "the caller is told when to come back"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "disk_full");

    receiver.answer(200);
    wait_delivered(&client, &base, &accepted).await;
    assert_eq!(
        post(&client, &base).await.status(),
        503,
        "still refusing while the disk is low, though the deliveries went on"
    );

    std::fs::remove_file(&filler).unwrap();
    let taken = wait_until(
        Duration::from_secs(10),
        "the intake to take requests",
        || async {
            let response = post(&client, &base).await;
            (response.status() == 202).then_some(response)
        },
    )
    .await;
    let body: Value = taken.json().await.unwrap();
    let after = body["tracking_id"].as_str().unwrap().to_owned();
    wait_delivered(&client, &base, std::slice::from_ref(&after)).await;
    tokio::task::spawn_blocking(move || revops.terminate())
        .await
        .unwrap();

    let answered = receiver.accepted();
    for id in accepted.iter().chain([&after]) {
        assert!(
            receiver
                .webhook_ids_for(id)
                .iter()
                .any(|webhook| answered.contains_key(webhook)),
            "request {id} reached the receiver, which took it"
        );
    }
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.contains("disk is nearly full") && logs.contains("REVOPS_MIN_FREE_DISK"),
        "the refusal is logged with what to change:\n{logs}"
    );
    assert!(
        logs.contains("has room again"),
        "and so is its end:\n{logs}"
    );
    let emf = std::fs::read_to_string(data_dir.path().join("metrics.emf.jsonl")).unwrap();
    let refusals = emf
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|line| line["RequestsRejected"].is_number() && line["Reason"] == "disk_full")
        .count();
    assert!(refusals >= 2, "each refusal is counted ({refusals})");
}
