//! One valid request, from the `202` to a signed delivery with exactly the seed's keys;
//! the alarms evaluated on the EMF lines it wrote leave none in ALARM.

use crate::support::alarms::{DRILL_TIME_SCALE, alarm_states, firing};
use crate::support::{
    Receiver, SEED_REQUEST, SEED_WEBHOOK_KEYS, TEST_SECRET, TestHost, host::timeline,
    signature_verifies, sorted_keys, wait_until,
};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn the_seed_request_is_answered_and_delivered_signed_with_the_seed_keys() {
    let receiver = Receiver::always(200).await;
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("WEBHOOK_SECRET", TEST_SECRET),
    ])
    .await;

    let response = host.post(SEED_REQUEST).await;
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(
        sorted_keys(&accepted),
        [
            "estimated_processing_time",
            "message",
            "queued_at",
            "status",
            "success",
            "tracking_id"
        ]
    );
    assert_eq!(accepted["success"], true);
    assert_eq!(accepted["message"], "Request queued for processing");
    assert_eq!(accepted["status"], "queued");
    assert_eq!(accepted["estimated_processing_time"], "30-60 seconds");
    let tracking_id = accepted["tracking_id"].as_str().unwrap().to_owned();
    assert!(chrono::DateTime::parse_from_rfc3339(accepted["queued_at"].as_str().unwrap()).is_ok());

    let hits = wait_until(
        Duration::from_secs(1),
        "the delivery (within a second)",
        || async {
            let hits = receiver.hits();
            (!hits.is_empty()).then_some(hits)
        },
    )
    .await;
    let document = host
        .wait_for_status(&tracking_id, "delivered", Duration::from_secs(5))
        .await;
    assert_eq!(receiver.hits().len(), 1, "exactly one delivery");
    let hit = &hits[0];

    let body = hit.json();
    assert_eq!(sorted_keys(&body), SEED_WEBHOOK_KEYS);
    assert_eq!(
        sorted_keys(&body["ai_response"]),
        ["response", "response_plain", "session_id", "timestamp"]
    );
    assert_eq!(
        sorted_keys(&body["webhook_metadata"]),
        ["delivered_at", "webhook_url"]
    );
    assert_eq!(body["tracking_id"], tracking_id.as_str());
    assert_eq!(body["source_system"], "external_app");
    assert_eq!(body["source_process"], "test_system");
    assert_eq!(body["original_query"], "What is the deal status for IXIS?");
    assert_eq!(
        body["webhook_metadata"]["webhook_url"],
        receiver.url().as_str()
    );
    let markdown = body["ai_response"]["response"].as_str().unwrap();
    let plain = body["ai_response"]["response_plain"].as_str().unwrap();
    assert!(markdown.contains("**Deal Status for IXIS**"), "{markdown}");
    assert!(markdown.contains("Negotiate"), "{markdown}");
    assert!(
        plain.contains("Deal Status for IXIS") && !plain.contains("**"),
        "{plain}"
    );
    assert!(
        body["ai_response"]["session_id"]
            .as_str()
            .unwrap()
            .starts_with("webhook_")
    );

    assert_eq!(hit.webhook_id(), tracking_id);
    assert_eq!(hit.header("content-type").unwrap(), "application/json");
    assert!(
        hit.header("user-agent")
            .unwrap()
            .starts_with("revops-webhook-gateway/")
    );
    let timestamp = hit.header("webhook-timestamp").unwrap();
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    assert!(signature_verifies(
        TEST_SECRET,
        &tracking_id,
        timestamp,
        &hit.body,
        hit.header("webhook-signature").unwrap()
    ));
    assert!(!signature_verifies(
        TEST_SECRET,
        &tracking_id,
        timestamp,
        b"{}",
        hit.header("webhook-signature").unwrap()
    ));

    assert_eq!(document["attempts"], 1);
    assert_eq!(document["last_error"], Value::Null);
    assert_eq!(document["source_system"], "external_app");
    assert_eq!(
        timeline(&document),
        [
            "queued",
            "processing",
            "agent_completed",
            "delivering",
            "delivered"
        ]
    );
    host.stop().await;

    // The alarms on the EMF lines of this healthy run (in the drills' compressed time):
    // none is in ALARM.
    let states = alarm_states(host.data_dir(), DRILL_TIME_SCALE);
    assert!(firing(&states).is_empty(), "{:#?}", firing(&states));
    assert_eq!(states["delivery-failure-rate"].state, "OK");
    assert_eq!(states["e2e-latency-p95"].state, "OK");
}

#[tokio::test]
async fn without_a_webhook_url_deliveries_go_to_the_outbox() {
    let mut host = TestHost::start(&[]).await;
    let tracking_id = host.post_seed().await;
    host.wait_for_status(&tracking_id, "delivered", Duration::from_secs(5))
        .await;
    let outbox = host.host.as_ref().unwrap().data_dir().join("outbox.jsonl");
    let text = std::fs::read_to_string(outbox).unwrap();
    let line: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["tracking_id"], tracking_id.as_str());
    assert!(
        line["webhook_metadata"]["webhook_url"]
            .as_str()
            .unwrap()
            .starts_with("file://")
    );
    host.stop().await;
}

#[tokio::test]
async fn health_answers_while_the_store_does() {
    let mut host = TestHost::start(&[]).await;
    let response = host.client.get(host.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    host.stop().await;
}
