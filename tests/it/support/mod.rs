//! What the tests share: a local host on port 0, scripted receivers, an agent that
//! counts its calls, and polling helpers.

pub mod agent;
pub mod alarms;
pub mod binary;
pub mod host;
pub mod switchable;

pub use agent::CountingAgent;
pub use host::TestHost;
pub use revops_testkit::wait_until;
pub use revops_testkit::webhook::{Reply, WebhookReceiver as Receiver, closed_port_url};
pub use switchable::Switchable;

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// `GET /webhook/{id}` on `base`, as JSON; the request must be known (`200`).
pub async fn status(client: &reqwest::Client, base: &str, id: &str) -> Value {
    let response = client
        .get(format!("{base}/webhook/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "status of {id}");
    response.json().await.unwrap()
}

/// The seed's request body, verbatim.
pub const SEED_REQUEST: &str = r#"{
    "source_process": "test_system",
    "timestamp": "2025-08-13T06:30:00Z",
    "source_system": "external_app",
    "query": "What is the deal status for IXIS?"
  }"#;

/// A Standard Webhooks secret for tests.
pub const TEST_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Seed 001's webhook body keys, sorted: a receiver sees exactly these.
pub const SEED_WEBHOOK_KEYS: [&str; 6] = [
    "ai_response",
    "original_query",
    "source_process",
    "source_system",
    "tracking_id",
    "webhook_metadata",
];

/// An object's keys, sorted.
pub fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// Verifies a `webhook-signature` as a receiver would, from the secret alone.
pub fn signature_verifies(
    secret: &str,
    id: &str,
    timestamp: &str,
    body: &[u8],
    header: &str,
) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    header.split(' ').any(|signature| signature == expected)
}
