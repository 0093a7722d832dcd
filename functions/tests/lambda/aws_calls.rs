//! The AWS calls one delivered request costs, counted on the wire (the testkit's
//! counting proxy in front of moto) as the three binaries make them, against
//! `infrastructure/calls-per-request.json`: the counts the cost model in
//! `revops-bench warm` multiplies by AWS's prices (BENCHMARKS.md). A change that adds or
//! removes a call fails here until that file, and so the model, follows it.

use crate::support::{Deployment, SEED_REQUEST, accept, events::sqs_event};
use revops_core::Status;
use revops_testkit::{counting_proxy::CountingProxy, moto};
use serde_json::Value;
use std::{collections::BTreeMap, time::Duration};

/// The calls the cost model assumes.
const MODEL: &str = include_str!("../../../infrastructure/calls-per-request.json");

/// A count in the model, as a number of calls.
fn count(value: &Value) -> usize {
    usize::try_from(value.as_u64().expect("a count")).unwrap()
}

/// The model's counts for `part` (`gateway` or `processor`), by operation.
fn model_calls(model: &Value, part: &str) -> BTreeMap<String, usize> {
    model[part]
        .as_object()
        .unwrap_or_else(|| panic!("no {part} in calls-per-request.json"))
        .iter()
        .map(|(call, n)| (call.clone(), count(n)))
        .collect()
}

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

    let model: Value = serde_json::from_str(MODEL).unwrap();
    // The gateway's calls for one request: the record, the message.
    assert_eq!(
        intake,
        model_calls(&model, "gateway"),
        "the gateway's calls"
    );
    // The processor's: the receiver's health (its circuit and whether its URL is
    // disabled, read at most once a second per receiver by each processor instance), the
    // record's steps (the lease, the answer, the delivery), the conversation archived,
    // and the message deleted once delivered.
    assert_eq!(
        processing,
        model_calls(&model, "processor"),
        "the processor's calls"
    );
    assert_eq!(
        wrapper.function.runtime.invocations(),
        count(&model["Lambda Invoke"]),
        "Lambda Invoke of the agent wrapper"
    );
    assert_eq!(
        bedrock.calls(),
        count(&model["Bedrock InvokeAgent"]),
        "Bedrock InvokeAgent"
    );
}
