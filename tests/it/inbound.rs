//! Who may queue requests, how often, and what a repeated `Idempotency-Key` gets: the
//! API as callers see it with inbound authentication, rate limits and idempotency on.

use crate::support::{SEED_REQUEST, TestHost};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CALLER_KEY: &str = "k3y-for-the-crm";
const INBOUND_SECRET: &str = "whsec_c2lnbmluZy1zZWNyZXQtZm9yLWluYm91bmQ=";

fn hashed(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sign(id: &str, timestamp: i64, body: &str) -> String {
    let key = STANDARD
        .decode(INBOUND_SECRET.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

async fn authenticated_host() -> TestHost {
    let keys = format!("crm:{}", hashed(CALLER_KEY));
    TestHost::start(&[
        ("INBOUND_AUTH", "api-key,signature"),
        ("INBOUND_API_KEYS", &keys),
        ("INBOUND_WEBHOOK_SECRET", INBOUND_SECRET),
    ])
    .await
}

async fn post_with(host: &TestHost, headers: &[(&str, String)]) -> (u16, Value) {
    let mut request = host
        .client
        .post(host.url("/webhook"))
        .header("content-type", "application/json")
        .body(SEED_REQUEST);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// How many requests the host has recorded, by reading the status of each id it gave.
fn ids(bodies: &[Value]) -> Vec<String> {
    bodies
        .iter()
        .filter_map(|b| b["tracking_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn requests_without_valid_credentials_get_401_and_queue_nothing() {
    let mut host = authenticated_host().await;
    let now = chrono::Utc::now().timestamp();
    let stale = now - 6 * 60;
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("unsigned, no key", vec![]),
        (
            "wrong key",
            vec![("authorization", "Bearer not-the-key".into())],
        ),
        ("wrong x-api-key", vec![("x-api-key", "nope".into())]),
        (
            "bad signature",
            vec![
                ("webhook-id", "msg_1".into()),
                ("webhook-timestamp", now.to_string()),
                ("webhook-signature", sign("msg_1", now, "{}")),
            ],
        ),
        (
            "stale timestamp",
            vec![
                ("webhook-id", "msg_2".into()),
                ("webhook-timestamp", stale.to_string()),
                ("webhook-signature", sign("msg_2", stale, SEED_REQUEST)),
            ],
        ),
    ];
    for (case, headers) in cases {
        let (status, body) = post_with(&host, &headers).await;
        assert_eq!(status, 401, "{case}");
        assert_eq!(body["error"]["code"], "unauthorized", "{case}");
        assert!(body.get("tracking_id").is_none());
    }

    let (status, first) =
        post_with(&host, &[("authorization", format!("Bearer {CALLER_KEY}"))]).await;
    assert_eq!(status, 202);
    let (status, _) = post_with(&host, &[("x-api-key", CALLER_KEY.into())]).await;
    assert_eq!(status, 202);

    let signed = vec![
        ("webhook-id", "msg_3".into()),
        ("webhook-timestamp", now.to_string()),
        ("webhook-signature", sign("msg_3", now, SEED_REQUEST)),
    ];
    let (status, _) = post_with(&host, &signed).await;
    assert_eq!(status, 202, "a signed request is accepted");
    let (status, body) = post_with(&host, &signed).await;
    assert_eq!(status, 401, "the same webhook-id again is a replay");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("replay")
    );

    let id = ids(&[first])[0].clone();
    let unauthenticated = host
        .client
        .get(host.url(&format!("/webhook/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unauthenticated.status(),
        401,
        "statuses need credentials too"
    );
    let authenticated = host
        .client
        .get(host.url(&format!("/webhook/{id}")))
        .header("x-api-key", CALLER_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(authenticated.status(), 200);
    let health = host.client.get(host.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "health needs no credentials");
    host.stop().await;
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_first_tracking_id() {
    let mut host = TestHost::start(&[]).await;
    let key = [("idempotency-key", "order-42".to_owned())];
    let (status, first) = post_with(&host, &key).await;
    assert_eq!(status, 202);
    let (status, again) = post_with(&host, &key).await;
    assert_eq!(status, 202);
    assert_eq!(again["tracking_id"], first["tracking_id"]);
    assert_eq!(again["queued_at"], first["queued_at"]);
    let (_, other) = post_with(&host, &[("idempotency-key", "order-43".to_owned())]).await;
    assert_ne!(other["tracking_id"], first["tracking_id"]);
    let (_, unkeyed) = post_with(&host, &[]).await;
    assert_ne!(unkeyed["tracking_id"], first["tracking_id"]);
    let (status, error) = post_with(&host, &[("idempotency-key", " ".to_owned())]).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["fields"][0]["field"], "Idempotency-Key");

    let timeout = std::time::Duration::from_secs(5);
    for other_id in [&other, &unkeyed] {
        let other_id = other_id["tracking_id"].as_str().unwrap();
        host.wait_for_status(other_id, "delivered", timeout).await;
    }
    let id = first["tracking_id"].as_str().unwrap();
    let document = host.wait_for_status(id, "delivered", timeout).await;
    let processing = document["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "processing")
        .count();
    assert_eq!(processing, 1, "the repeat queued nothing");
    assert_eq!(
        host.agent.calls(),
        3,
        "three distinct requests, three answers"
    );
    host.stop().await;
}

#[tokio::test]
async fn a_source_over_its_rate_limit_gets_429_with_retry_after() {
    let mut host =
        TestHost::start(&[("RATE_LIMIT_PER_SOURCE", "1"), ("RATE_LIMIT_BURST", "2")]).await;
    assert_eq!(post_with(&host, &[]).await.0, 202);
    assert_eq!(post_with(&host, &[]).await.0, 202);
    let response = host
        .client
        .post(host.url("/webhook"))
        .header("content-type", "application/json")
        .body(SEED_REQUEST)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let other = SEED_REQUEST.replace("external_app", "another_app");
    let response = host
        .client
        .post(host.url("/webhook"))
        .header("content-type", "application/json")
        .body(other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202, "another source has its own bucket");
    host.stop().await;
}
