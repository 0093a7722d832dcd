//! Receiver health across Lambda instances: two queue-processor processes on one stack
//! (moto) share the receivers' state in DynamoDB. A `410` one instance met disables the
//! URL for the other; a circuit one instance opened makes the other's delivery wait
//! without an attempt.

use crate::support::{
    Function, SEED_REQUEST, Stack, accept,
    events::{batch_item_failures, sqs_record},
    functions::{bedrock_route, owned},
};
use revops_core::{Status, ports::ReceiverRegistry};
use revops_testkit::{
    bedrock::{FakeBedrock, Reply},
    webhook::WebhookReceiver,
};
use serde_json::json;
use std::time::Duration;

async fn bedrock() -> FakeBedrock {
    FakeBedrock::answering(|_| Reply::text(&["**Deal Status for IXIS**", ": Negotiation"])).await
}

/// Two processors on `stack` delivering to `receiver`, with `extra` variables.
async fn two_processors(
    stack: &Stack,
    receiver: &WebhookReceiver,
    bedrock: &FakeBedrock,
    extra: &[(&str, &str)],
) -> (Function, Function) {
    let env = || {
        let mut env = bedrock_route(&bedrock.url());
        env.extend(owned(extra));
        env
    };
    (
        Function::processor(stack, &receiver.url(), env()).await,
        Function::processor(stack, &receiver.url(), env()).await,
    )
}

/// Accepts one request and hands its message to `processor`.
async fn one_request_through(stack: &Stack, gateway: &Function, processor: &Function) -> String {
    let id = accept(gateway, SEED_REQUEST, &[]).await;
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let response = processor
        .call(&json!({ "Records": [sqs_record(&messages[0], &stack.queue_arn)] }))
        .await;
    assert!(batch_item_failures(&response).is_empty(), "{response}");
    id
}

#[tokio::test]
async fn a_410_met_by_one_instance_disables_the_url_for_the_other() {
    let stack = Stack::create().await;
    let bedrock = bedrock().await;
    let receiver = WebhookReceiver::always(410).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let (first, second) = two_processors(&stack, &receiver, &bedrock, &[]).await;

    let gone = one_request_through(&stack, &gateway, &first).await;
    assert_eq!(stack.status(&gone).await, Status::Failed);
    let refused = one_request_through(&stack, &gateway, &second).await;
    let record = stack.record(&refused).await;
    assert_eq!(record.status, Status::Failed);
    assert!(
        record
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("disabled")),
        "{record:?}"
    );
    assert_eq!(receiver.hits().len(), 1, "the second instance sent nothing");
    let (_, disabled) = stack.store().list().await.unwrap();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].url, receiver.url());
}

#[tokio::test]
async fn a_circuit_one_instance_opened_makes_the_others_delivery_wait() {
    let stack = Stack::create().await;
    let bedrock = bedrock().await;
    let receiver = WebhookReceiver::always(503).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let (first, second) = two_processors(
        &stack,
        &receiver,
        &bedrock,
        &[
            ("RECEIVER_BREAKER_FAILURES", "2"),
            ("RECEIVER_BREAKER_COOLDOWN", "60"),
            ("DELIVERY_RETRY_SCHEDULE", "0.05,0.05,0.05"),
        ],
    )
    .await;

    // Two failures open the circuit; the first request's third attempt waits on it.
    let opened = one_request_through(&stack, &gateway, &first).await;
    assert_eq!(receiver.hits().len(), 2);
    let record = stack.record(&opened).await;
    assert_eq!(record.status, Status::RetryScheduled);
    assert!(record.next_attempt_at.is_some());
    assert_eq!(record.delivery_attempts.len(), 2);

    let waiting = one_request_through(&stack, &gateway, &second).await;
    assert_eq!(
        receiver.hits().len(),
        2,
        "the second instance made no attempt"
    );
    let record = stack.record(&waiting).await;
    assert_eq!(record.status, Status::RetryScheduled);
    assert!(record.delivery_attempts.is_empty(), "no attempt spent");
    assert!(
        record
            .events
            .last()
            .and_then(|event| event.detail.as_deref())
            .is_some_and(|detail| detail.contains("circuit")),
        "{:?}",
        record.events
    );
}
