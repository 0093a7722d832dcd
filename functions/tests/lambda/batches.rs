//! `queue-processor` under the Runtime API with SQS batches built from messages really
//! received from moto: it reports in `batchItemFailures` exactly the records that must
//! come back, and never one that is done with.

use crate::support::{
    Function, InvokableWrapper, SEED_REQUEST, Stack, accept,
    events::{batch_item_failures, sqs_event},
    functions::bedrock_route,
    request_asking,
};
use revops_core::Status;
use revops_testkit::{
    bedrock::{FakeBedrock, Reply},
    webhook::WebhookReceiver,
};
use std::{collections::BTreeSet, time::Duration};

/// A stand-in for Bedrock that throttles every question about `throttled` and answers
/// the others.
async fn bedrock_throttling(throttled: &'static str) -> FakeBedrock {
    FakeBedrock::answering(move |request| {
        if request.input_text().contains(throttled) {
            Reply::http_error(429, "ThrottlingException", "Rate exceeded")
        } else {
            Reply::text(&["**Deal Status**", ": Negotiation"])
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_three_returns_exactly_the_record_whose_agent_stayed_throttled() {
    let stack = Stack::create().await;
    let bedrock = bedrock_throttling("GLOBEX").await;
    let receiver = WebhookReceiver::always(200).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let mut ids = Vec::new();
    for account in ["IXIS", "ACME", "GLOBEX"] {
        let query = format!("What is the deal status for {account}?");
        ids.push(accept(&gateway, &request_asking(&query), &[]).await);
    }
    let messages = stack.receive(3, 60, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 3);
    let message_id_of = |tracking_id: &str| {
        messages
            .iter()
            .find(|m| {
                m.message_attributes().unwrap()["tracking_id"].string_value() == Some(tracking_id)
            })
            .and_then(|m| m.message_id())
            .unwrap()
            .to_owned()
    };
    let processor =
        Function::processor(&stack, &receiver.url(), bedrock_route(&bedrock.url())).await;

    let response = processor
        .call(&sqs_event(&messages, &stack.queue_arn))
        .await;

    assert_eq!(
        batch_item_failures(&response),
        [message_id_of(&ids[2])],
        "{}",
        processor.process.logs()
    );
    let delivered: BTreeSet<String> = receiver
        .hits()
        .iter()
        .map(|hit| hit.webhook_id().to_owned())
        .collect();
    assert_eq!(delivered, BTreeSet::from([ids[0].clone(), ids[1].clone()]));
    for id in &ids[..2] {
        assert_eq!(stack.status(id).await, Status::Delivered);
    }
    let throttled = stack.record(&ids[2]).await;
    assert_eq!(throttled.status, Status::RetryScheduled);
    assert!(
        throttled
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("throttl"),
        "{:?}",
        throttled.last_error
    );
    let asked_about_globex = bedrock
        .requests()
        .iter()
        .filter(|r| r.input_text().contains("GLOBEX"))
        .count();
    assert_eq!(
        asked_about_globex, 2,
        "one call and one retry (AGENT_RETRY_SCHEDULE=0.05)"
    );

    // The returned record is visible again after AGENT_RETRY_BACKOFF (1 s); the two
    // delivered ones are gone.
    let again = stack.receive(3, 60, Duration::from_secs(5)).await;
    let again: Vec<&str> = again.iter().filter_map(|m| m.message_id()).collect();
    assert_eq!(again, [message_id_of(&ids[2])]);
}

#[tokio::test]
async fn a_receivers_400_fails_the_record_for_good_and_it_does_not_come_back() {
    let stack = Stack::create().await;
    let bedrock = bedrock_throttling("nothing is throttled").await;
    let receiver = WebhookReceiver::always(400).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let id = accept(
        &gateway,
        &request_asking("What is the deal status for IXIS?"),
        &[],
    )
    .await;
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let processor =
        Function::processor(&stack, &receiver.url(), bedrock_route(&bedrock.url())).await;

    let response = processor
        .call(&sqs_event(&messages, &stack.queue_arn))
        .await;

    assert!(batch_item_failures(&response).is_empty(), "{response}");
    assert_eq!(receiver.hits().len(), 1, "a 400 is not retried");
    let record = stack.record(&id).await;
    assert_eq!(record.status, Status::Failed);
    assert!(
        record
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("400"),
        "{:?}",
        record.last_error
    );
    assert_eq!(stack.queue_depth().await, (0, 0), "the message was deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_throttled_behind_the_wrapper_function_returns_the_record() {
    let stack = Stack::create().await;
    let bedrock = bedrock_throttling("IXIS").await;
    let receiver = WebhookReceiver::always(200).await;
    let gateway = Function::gateway(&stack, &[]).await;
    let wrapper = InvokableWrapper::start(&bedrock.url(), &[]).await;
    let id = accept(&gateway, SEED_REQUEST, &[]).await;
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let processor = Function::processor(&stack, &receiver.url(), wrapper.route()).await;

    let response = processor
        .call(&sqs_event(&messages, &stack.queue_arn))
        .await;

    assert_eq!(
        batch_item_failures(&response),
        [messages[0].message_id().unwrap()],
        "{}",
        processor.process.logs()
    );
    assert_eq!(
        wrapper.function.runtime.invocations(),
        2,
        "the processor asked the wrapper, then once more after the throttled answer"
    );
    assert_eq!(bedrock.calls(), 4, "each wrapper invocation retried once");
    assert!(receiver.hits().is_empty());
    let record = stack.record(&id).await;
    assert_eq!(record.status, Status::RetryScheduled);
    assert!(
        record
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("throttl"),
        "{:?}",
        record.last_error
    );
}
