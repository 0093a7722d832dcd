//! Nothing accepted is lost: the real `revops` binary takes 1000 requests, is killed
//! with SIGKILL while deliveries are in flight, and after a restart on the same data
//! directory every tracking id reaches the receiver.

use crate::support::{Receiver, Reply, binary::RevopsProcess, wait_until};
use std::{collections::HashSet, time::Duration};
use tokio::task::JoinSet;

const REQUESTS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_under_load_loses_nothing_that_was_accepted() {
    let receiver = Receiver::scripted(
        Vec::new(),
        Reply {
            status: 200,
            delay: Duration::from_millis(20),
        },
    )
    .await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = receiver.url();
    let env = [
        ("WEBHOOK_URL", url.as_str()),
        ("REVOPS_WORKERS", "4"),
        ("DELIVERY_RETRY_SCHEDULE", "0.1,0.2"),
    ];
    let first = RevopsProcess::spawn(data_dir.path(), &env);
    let base = first.base.clone();

    let client = reqwest::Client::new();
    let mut posts = JoinSet::new();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    for n in 0..REQUESTS {
        let client = client.clone();
        let url = format!("{base}/webhook");
        let permit = semaphore.clone().acquire_owned().await.unwrap();
        posts.spawn(async move {
            let body = serde_json::json!({
                "query": format!("What is the deal status for IXIS? ({n})"),
                "source_system": "durability_test",
                "source_process": "kill_9",
                "timestamp": "2025-08-13T06:30:00Z"
            });
            let response = client.post(url).json(&body).send().await.unwrap();
            drop(permit);
            assert_eq!(response.status(), 202);
            let accepted: serde_json::Value = response.json().await.unwrap();
            accepted["tracking_id"].as_str().unwrap().to_owned()
        });
    }
    let mut accepted = HashSet::new();
    while let Some(id) = posts.join_next().await {
        accepted.insert(id.unwrap());
    }
    assert_eq!(accepted.len(), REQUESTS);

    tokio::task::spawn_blocking(move || first.kill_9())
        .await
        .unwrap();
    let delivered_before_kill: HashSet<String> = receiver
        .hits()
        .iter()
        .map(|h| h.webhook_id().to_owned())
        .collect();
    assert!(
        delivered_before_kill.len() < REQUESTS,
        "the kill came after every delivery; the test proves nothing"
    );

    let second = RevopsProcess::spawn(data_dir.path(), &env);
    let delivered = wait_until(
        Duration::from_secs(120),
        "every accepted request to be delivered",
        || async {
            let delivered: HashSet<String> = receiver
                .hits()
                .iter()
                .map(|h| h.webhook_id().to_owned())
                .collect();
            accepted.is_subset(&delivered).then_some(delivered)
        },
    )
    .await;
    tokio::task::spawn_blocking(move || second.kill_9())
        .await
        .unwrap();

    assert_eq!(
        delivered.len(),
        REQUESTS,
        "only accepted ids were delivered"
    );
    for hit in receiver.hits() {
        assert_eq!(
            hit.json()["tracking_id"].as_str().unwrap(),
            hit.webhook_id(),
            "every copy, duplicates included, carries its tracking id as webhook-id"
        );
    }
}
