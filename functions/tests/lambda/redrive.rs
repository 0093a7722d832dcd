//! A message moved back from the SQS dead-letter queue by other means than `revops dlq
//! replay` (a console redrive, `StartMessageMoveTask`; here, a send of the dead letter's
//! body and attributes, which is what a move does) is a replay: the queue-processor
//! binary delivers it once from the stored answer, without asking the agent again,
//! under the same `webhook-id`, and never drops it as finished.

use crate::support::{
    Function, SEED_REQUEST, Stack, accept,
    events::{batch_item_failures, sqs_record},
    functions::{bedrock_route, owned},
};
use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName};
use revops_core::Status;
use revops_testkit::{
    bedrock::{FakeBedrock, Reply},
    webhook::WebhookReceiver,
};
use serde_json::json;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU16, Ordering},
    },
    time::Duration,
};

#[tokio::test]
async fn a_message_redriven_from_the_dead_letter_queue_is_delivered_once_from_the_stored_answer() {
    let stack = Stack::create().await;
    let bedrock =
        FakeBedrock::answering(|_| Reply::text(&["**Deal Status for IXIS**", ": Negotiation"]))
            .await;
    let answer = Arc::new(AtomicU16::new(503));
    let receiver = WebhookReceiver::start({
        let answer = answer.clone();
        move |_| answer.load(Ordering::SeqCst)
    })
    .await;
    let gateway = Function::gateway(&stack, &[]).await;
    let id = accept(&gateway, SEED_REQUEST, &[]).await;
    let mut extra = bedrock_route(&bedrock.url());
    extra.extend(owned(&[("DELIVERY_RETRY_SCHEDULE", "0.05,0.05")]));
    let processor = Function::processor(&stack, &receiver.url(), extra).await;

    // The receiver is down: three attempts, then the processor dead-letters the message.
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let response = processor
        .call(&json!({ "Records": [sqs_record(&messages[0], &stack.queue_arn)] }))
        .await;
    assert!(batch_item_failures(&response).is_empty(), "{response}");
    assert_eq!(stack.status(&id).await, Status::DeadLettered);
    assert_eq!(receiver.hits().len(), 3);

    // The receiver is back; an operator moves the dead letter back to the queue.
    answer.store(200, Ordering::SeqCst);
    let dead = stack
        .clients
        .sqs
        .receive_message()
        .queue_url(&stack.dead_letter_url)
        .wait_time_seconds(1)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(dead.len(), 1, "the dead letter is in the dead-letter queue");
    let mut moved = stack
        .clients
        .sqs
        .send_message()
        .queue_url(&stack.queue_url)
        .message_body(dead[0].body().unwrap());
    for (name, value) in dead[0].message_attributes().into_iter().flatten() {
        moved = moved.message_attributes(
            name,
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value.string_value().unwrap_or_default())
                .build()
                .unwrap(),
        );
    }
    moved.send().await.unwrap();

    let redriven = stack.receive(1, 60, Duration::from_secs(5)).await;
    let response = processor
        .call(&json!({ "Records": [sqs_record(&redriven[0], &stack.queue_arn)] }))
        .await;
    assert!(batch_item_failures(&response).is_empty(), "{response}");
    let record = stack.record(&id).await;
    assert_eq!(
        record.status,
        Status::Delivered,
        "{}",
        processor.process.logs()
    );
    assert_eq!(bedrock.calls(), 1, "delivered from the stored answer");
    let hits = receiver.hits();
    assert_eq!(hits.len(), 4, "three failed attempts, then one delivery");
    assert!(
        hits.iter().all(|hit| hit.webhook_id() == id),
        "same webhook-id"
    );
    let redrive_step = record.events.iter().any(|event| {
        event.status == Status::Queued
            && event
                .detail
                .as_deref()
                .is_some_and(|detail| detail.contains("a redrive of the dead-letter queue"))
    });
    assert!(redrive_step, "{:?}", record.events);
    assert_eq!(
        record
            .events
            .iter()
            .filter(|event| event.status == Status::AgentCompleted)
            .count(),
        1
    );
}
