//! What a receiver gets: the body as given and the Standard Webhooks headers.

use crate::receiver::{deliverer, id, recording};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use revops_core::{
    ports::{Delivered, Deliverer},
    signing::WebhookSigner,
};
use revops_delivery::HttpDelivererConfig;
use sha2::Sha256;

const KEY_ONE: &[u8] = b"the first test key, 32 bytes ok!";
const KEY_TWO: &[u8] = b"a second key, being rotated in";

fn secret(key: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(key))
}

/// The signature recomputed independently: `v1,` + base64 HMAC-SHA256 of `{id}.{ts}.{body}`.
fn expected(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn a_receiver_gets_the_body_and_the_signed_headers() {
    let (target, recorder) = recording().await;
    let deliverer = deliverer(HttpDelivererConfig {
        signer: Some(WebhookSigner::parse(&secret(KEY_ONE)).unwrap()),
        ..HttpDelivererConfig::default()
    });
    let webhook_id = id();
    let body = br#"{"answer":"42","note":"caf\u00e9 \u2713"}"#;

    let delivered = deliverer.deliver(&target, &webhook_id, 1, body).await;

    assert_eq!(delivered, Ok(Delivered { status: 200 }));
    let received = recorder.all();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.body.as_ref(), body);
    assert_eq!(header(&request.headers, "content-type"), "application/json");
    assert_eq!(
        header(&request.headers, "user-agent"),
        format!("revops-webhook-gateway/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        header(&request.headers, "webhook-id"),
        webhook_id.to_string()
    );
    let timestamp = header(&request.headers, "webhook-timestamp");
    let seconds: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - seconds).abs() <= 5);
    assert_eq!(
        header(&request.headers, "webhook-signature"),
        expected(KEY_ONE, &webhook_id.to_string(), timestamp, body)
    );
}

#[tokio::test]
async fn every_secret_signs_during_a_rotation() {
    let (target, recorder) = recording().await;
    let secrets = format!("{} {}", secret(KEY_ONE), secret(KEY_TWO));
    let deliverer = deliverer(HttpDelivererConfig {
        signer: Some(WebhookSigner::parse(&secrets).unwrap()),
        user_agent: "receiver-test/1".to_owned(),
        ..HttpDelivererConfig::default()
    });
    let webhook_id = id().to_string();

    deliverer
        .deliver(&target, &webhook_id.parse().unwrap(), 2, b"{}")
        .await
        .unwrap();

    let request = &recorder.all()[0];
    assert_eq!(header(&request.headers, "user-agent"), "receiver-test/1");
    let timestamp = header(&request.headers, "webhook-timestamp");
    let signatures: Vec<_> = header(&request.headers, "webhook-signature")
        .split(' ')
        .collect();
    assert_eq!(
        signatures,
        [
            expected(KEY_ONE, &webhook_id, timestamp, b"{}"),
            expected(KEY_TWO, &webhook_id, timestamp, b"{}"),
        ]
    );
}

#[tokio::test]
async fn without_a_signer_there_is_no_signature() {
    let (target, recorder) = recording().await;
    let deliverer = deliverer(HttpDelivererConfig::default());

    deliverer.deliver(&target, &id(), 1, b"{}").await.unwrap();

    let request = &recorder.all()[0];
    assert!(request.headers.get("webhook-signature").is_none());
    assert!(request.headers.get("webhook-id").is_some());
    assert!(request.headers.get("webhook-timestamp").is_some());
}
