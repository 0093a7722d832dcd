//! SQS delivers at least once: a record that reaches the processor twice, in one batch
//! or in two invocations, asks the agent once and is delivered once.

use crate::support::{
    Function, SEED_REQUEST, Stack, accept,
    events::{batch_item_failures, sqs_event, sqs_record},
    functions::bedrock_route,
};
use revops_core::Status;
use revops_testkit::{
    bedrock::{FakeBedrock, Reply},
    webhook::WebhookReceiver,
};
use serde_json::json;
use std::time::Duration;

/// A stand-in for Bedrock that answers every question.
async fn bedrock() -> FakeBedrock {
    FakeBedrock::answering(|_| Reply::text(&["**Deal Status for IXIS**", ": Negotiation"])).await
}

#[tokio::test]
async fn the_same_record_twice_in_one_batch_asks_once_and_delivers_once() {
    let stack = Stack::create().await;
    let bedrock = bedrock().await;
    let receiver = WebhookReceiver::always(200).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let id = accept(&gateway, SEED_REQUEST, &[]).await;
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let record = sqs_record(&messages[0], &stack.queue_arn);
    let processor =
        Function::processor(&stack, &receiver.url(), bedrock_route(&bedrock.url())).await;

    let response = processor
        .call(&json!({ "Records": [record.clone(), record] }))
        .await;

    assert!(batch_item_failures(&response).is_empty(), "{response}");
    assert_eq!(bedrock.calls(), 1, "{}", processor.process.logs());
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].webhook_id(), id);
    assert_eq!(stack.status(&id).await, Status::Delivered);
}

#[tokio::test]
async fn a_message_received_again_after_delivery_is_dropped_without_asking_again() {
    let stack = Stack::create().await;
    let bedrock = bedrock().await;
    let receiver = WebhookReceiver::always(200).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let id = accept(&gateway, SEED_REQUEST, &[]).await;
    // Received once, hidden for 1 s, then received again: two copies, two receipts.
    let first = stack.receive(1, 1, Duration::from_secs(5)).await;
    let second = stack.receive(1, 60, Duration::from_secs(5)).await;
    assert_eq!(first[0].message_id(), second[0].message_id());
    assert_ne!(first[0].receipt_handle(), second[0].receipt_handle());
    let processor =
        Function::processor(&stack, &receiver.url(), bedrock_route(&bedrock.url())).await;

    let answers = [
        processor.call(&sqs_event(&first, &stack.queue_arn)).await,
        processor.call(&sqs_event(&second, &stack.queue_arn)).await,
    ];

    assert_eq!(bedrock.calls(), 1, "{}", processor.process.logs());
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].webhook_id(), id);
    for answer in &answers {
        assert!(batch_item_failures(answer).is_empty(), "{answer}");
    }
    assert_eq!(stack.queue_depth().await, (0, 0), "the message is gone");
    assert_eq!(stack.status(&id).await, Status::Delivered);
}
