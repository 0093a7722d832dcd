//! Bad input gets a clear 4xx naming what is wrong, and is never queued.

use crate::support::TestHost;
use serde_json::{Value, json};

fn valid() -> Value {
    json!({
        "query": "What is the deal status for IXIS?",
        "source_system": "external_app",
        "source_process": "test_system",
        "timestamp": "2025-08-13T06:30:00Z"
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut body = valid();
    body[field] = value;
    body
}

fn without(field: &str) -> Value {
    let mut body = valid();
    body.as_object_mut().unwrap().remove(field);
    body
}

/// Posts `body` and returns the status and the names of the fields the error lists.
async fn rejected_fields(host: &TestHost, body: &Value) -> (u16, Vec<String>, Value) {
    let response = host.post(&body.to_string()).await;
    let status = response.status().as_u16();
    let error: Value = response.json().await.unwrap();
    let fields = error["error"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (status, fields, error)
}

#[tokio::test]
async fn each_rule_names_its_field() {
    let host = TestHost::start(&[]).await;
    let cases: Vec<(Value, &str)> = vec![
        (without("query"), "query"),
        (with("query", json!("   ")), "query"),
        (with("query", json!("x".repeat(8001))), "query"),
        (with("query", json!(42)), "query"),
        (without("source_system"), "source_system"),
        (with("source_system", json!("")), "source_system"),
        (with("source_system", json!("bad name!")), "source_system"),
        (
            with("source_system", json!("a".repeat(129))),
            "source_system",
        ),
        (without("source_process"), "source_process"),
        (with("source_process", json!("tab\there")), "source_process"),
        (without("timestamp"), "timestamp"),
        (with("timestamp", json!("2025-08-13 06:30")), "timestamp"),
        (with("timestamp", json!("2025-08-13T06:30:00")), "timestamp"),
        (with("session_id", json!("")), "session_id"),
        (with("session_id", json!({"id": 1})), "session_id"),
    ];
    for (body, field) in cases {
        let (status, fields, error) = rejected_fields(&host, &body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(fields, [field], "{body}");
        assert_eq!(error["success"], false);
        assert_eq!(error["error"]["code"], "invalid_fields");
        let problem = error["error"]["fields"][0]["problem"].as_str().unwrap();
        assert!(!problem.is_empty());
        assert!(error["error"]["message"].as_str().unwrap().contains(field));
    }
}

#[tokio::test]
async fn several_broken_fields_are_all_named() {
    let host = TestHost::start(&[]).await;
    let body = json!({"query": "", "source_system": "a b", "timestamp": "soon", "extra": true});
    let (status, fields, _) = rejected_fields(&host, &body).await;
    assert_eq!(status, 400);
    assert_eq!(
        fields,
        ["query", "source_system", "source_process", "timestamp"]
    );
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_limits_are_inclusive() {
    let host = TestHost::start(&[]).await;
    let mut body = with("query", json!("q".repeat(8000)));
    body["source_system"] = json!("s".repeat(128));
    body["session_id"] = json!("webhook_20250814_xyz123");
    body["priority"] = json!("high");
    let response = host.post(&body.to_string()).await;
    assert_eq!(response.status(), 202);
}

#[tokio::test]
async fn the_wrong_content_type_gives_415_and_a_large_body_413() {
    let host = TestHost::start(&[]).await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = host
            .client
            .post(host.url("/webhook"))
            .body(valid().to_string());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{content_type:?}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "unsupported_media_type");
    }
    let charset = host
        .client
        .post(host.url("/webhook"))
        .header("content-type", "application/json; charset=utf-8")
        .body(valid().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(charset.status(), 202);

    let huge = with("query", json!("x".repeat(70 * 1024)));
    let response = host.post(&huge.to_string()).await;
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn no_input_gets_a_5xx() {
    let host = TestHost::start(&[]).await;
    let bodies: Vec<String> = vec![
        String::new(),
        "null".into(),
        "[]".into(),
        "\"text\"".into(),
        "{".into(),
        "{\"query\": \"\u{0}\"}".into(),
        "{\"query\": 1e999}".into(),
        "{\"a\":".repeat(200),
        "[".repeat(10_000),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00]).into_owned(),
        json!({"query": "q", "source_system": "a", "source_process": "b", "timestamp": "9999-99-99T99:99:99Z"}).to_string(),
        json!({"query": ["q"], "source_system": null, "source_process": {}, "timestamp": 0}).to_string(),
    ];
    for body in bodies {
        let response = host.post(&body).await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{status} for {body:.60}");
    }
    for path in [
        "/webhook/not-an-id",
        "/webhook/e7aeb7e9-5382-41a5-b858-f8010978cd26",
        "/nowhere",
    ] {
        let response = host.client.get(host.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let response = host
        .client
        .delete(host.url("/webhook"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
}
