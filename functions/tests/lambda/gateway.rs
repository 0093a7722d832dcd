//! `webhook-gateway` under the Runtime API: API Gateway events in, `202`s out, and the
//! request in the moto queue with its trace context and tracking record.

use crate::support::{
    Function, SEED_REQUEST, Stack, accept,
    events::{api_response, http_api_post, rest_api_get_status, rest_api_post},
};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use revops_core::Status;
use revops_telemetry::emf::validate_line;
use std::time::Duration;

const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";
const CALLER_STATE: &str = "rojo=00f067aa0ba902b7";

#[tokio::test]
async fn a_rest_api_post_is_queued_with_the_callers_trace_and_tracked() {
    let stack = Stack::create().await;
    let gateway = Function::gateway(&stack, &[]).await;
    let traceparent = format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01");

    let response = gateway
        .call(&rest_api_post(
            SEED_REQUEST,
            &[("traceparent", &traceparent), ("tracestate", CALLER_STATE)],
        ))
        .await;

    let (status, body) = api_response(&response);
    assert_eq!(status, 202, "{body}");
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "estimated_processing_time",
            "message",
            "queued_at",
            "status",
            "success",
            "tracking_id"
        ]
    );
    assert_eq!(body["success"], true);
    assert_eq!(body["status"], "queued");
    let tracking_id = body["tracking_id"].as_str().unwrap();

    let messages = stack.receive(1, 30, Duration::from_secs(5)).await;
    assert_eq!(messages.len(), 1, "one message in the queue");
    let message = &messages[0];
    let attribute = |name: &str| {
        message.message_attributes().unwrap()[name]
            .string_value()
            .unwrap()
            .to_owned()
    };
    assert_eq!(attribute("tracking_id"), tracking_id);
    let sent_traceparent = attribute("traceparent");
    assert!(
        sent_traceparent.starts_with(&format!("00-{CALLER_TRACE}-")),
        "the message continues the caller's trace: {sent_traceparent}"
    );
    assert!(
        !sent_traceparent.contains(CALLER_SPAN),
        "its parent is the gateway's span"
    );
    assert_eq!(attribute("tracestate"), CALLER_STATE);
    assert!(
        attribute("baggage").contains(&format!("tracking_id={tracking_id}")),
        "{}",
        attribute("baggage")
    );
    let xray = &message.attributes().unwrap()[&MessageSystemAttributeName::AwsTraceHeader];
    assert!(
        xray.starts_with("Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent="),
        "{xray}"
    );
    let queued: serde_json::Value = serde_json::from_str(message.body().unwrap()).unwrap();
    assert_eq!(queued["tracking_id"], tracking_id);

    let record = stack.record(tracking_id).await;
    assert_eq!(record.status, Status::Queued);
    assert_eq!(record.source_system, "external_app");

    let emf = gateway.process.stdout_lines();
    let names: Vec<String> = emf
        .iter()
        .flat_map(|line| validate_line(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .map(|metric| metric.name)
        .collect();
    for expected in ["ColdStarts", "RequestsAccepted", "GatewayLatency"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
}

#[tokio::test]
async fn an_http_api_post_is_accepted_too() {
    let stack = Stack::create().await;
    let gateway = Function::gateway(&stack, &[]).await;

    let response = gateway.call(&http_api_post(SEED_REQUEST, &[])).await;

    let (status, body) = api_response(&response);
    assert_eq!(status, 202, "{body}");
    let tracking_id = body["tracking_id"].as_str().unwrap();
    let messages = stack.receive(1, 30, Duration::from_secs(5)).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].message_attributes().unwrap()["tracking_id"].string_value(),
        Some(tracking_id)
    );
    assert_eq!(stack.status(tracking_id).await, Status::Queued);
}

#[tokio::test]
async fn a_request_missing_a_field_gets_a_400_naming_it_and_nothing_is_queued() {
    let stack = Stack::create().await;
    let gateway = Function::gateway(&stack, &[]).await;
    let without_query = r#"{"source_process":"test_system","timestamp":"2025-08-13T06:30:00Z","source_system":"external_app"}"#;

    let response = gateway.call(&rest_api_post(without_query, &[])).await;

    let (status, body) = api_response(&response);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["success"], false);
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["query"], "{body}");
    assert!(
        stack
            .receive(1, 30, Duration::from_secs(2))
            .await
            .is_empty()
    );
    assert_eq!(stack.queue_depth().await, (0, 0));
}

#[tokio::test]
async fn the_status_of_a_request_is_read_back_from_dynamodb() {
    let stack = Stack::create().await;
    let gateway = Function::gateway(&stack, &[]).await;
    let tracking_id = accept(&gateway, SEED_REQUEST, &[]).await;

    let response = gateway.call(&rest_api_get_status(&tracking_id)).await;

    let (status, body) = api_response(&response);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tracking_id"], tracking_id.as_str());
    assert_eq!(body["status"], "queued");
    assert_eq!(body["source_system"], "external_app");
    assert_eq!(body["events"][0]["status"], "queued");

    let unknown = gateway
        .call(&rest_api_get_status("0f1e2d3c-4b5a-4697-8877-665544332211"))
        .await;
    assert_eq!(api_response(&unknown).0, 404);
}
