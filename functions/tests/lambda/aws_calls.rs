//! The AWS calls one delivered request costs, counted on the wire (the testkit's
//! counting proxy in front of moto) as the three binaries make them. BENCHMARKS.md's cost
//! model multiplies these counts by AWS's prices; this test pins them, so a change that
//! adds or removes a call fails here until the model is updated with it.

use crate::support::{Deployment, SEED_REQUEST, accept, events::sqs_event};
use revops_core::Status;
use revops_testkit::{counting_proxy::CountingProxy, moto};
use std::{collections::BTreeMap, time::Duration};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivered_request_costs_the_aws_calls_the_cost_model_assumes() {
    let proxy = CountingProxy::start(moto().endpoint()).await;
    let Deployment {
        stack,
        bedrock,
        receiver,
        gateway,
        wrapper,
        processor,
    } = Deployment::start(&[("AWS_ENDPOINT_URL", proxy.endpoint())]).await;
    // The functions' start-up calls (none today) are not a request's.
    proxy.take();

    let id = accept(&gateway, SEED_REQUEST, &[]).await;
    let intake = proxy.take();
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    processor
        .call(&sqs_event(&messages, &stack.queue_arn))
        .await;
    let processing = proxy.take();
    assert_eq!(stack.status(&id).await, Status::Delivered);
    assert_eq!(receiver.hits().len(), 1);

    let calls = |pairs: &[(&str, usize)]| -> BTreeMap<String, usize> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    assert_eq!(
        intake,
        calls(&[("DynamoDB PutItem", 1), ("SQS SendMessage", 1)]),
        "the gateway's calls for one request: the record, the message"
    );
    assert_eq!(
        processing,
        calls(&[
            // The receiver's health: its circuit and whether its URL is disabled, read at
            // most once a second per receiver by each processor instance.
            ("DynamoDB GetItem", 2),
            // The record's steps: the lease, the answer, the delivery.
            ("DynamoDB UpdateItem", 3),
            // The conversation archived.
            ("S3 PUT", 1),
            // The message, deleted once delivered.
            ("SQS DeleteMessage", 1),
        ]),
        "the processor's calls for one request"
    );
    assert_eq!(
        wrapper.function.runtime.invocations(),
        1,
        "Lambda Invoke of the agent wrapper"
    );
    assert_eq!(bedrock.calls(), 1, "Bedrock InvokeAgent");
}
