//! One trace through the three binaries (issue 4): the caller's `traceparent` on the API
//! Gateway event → the gateway → the moto queue's message attributes → the processor →
//! the agent wrapper, invoked through the Lambda `Invoke` endpoint → Bedrock's
//! stand-in; then the webhook. Every binary exports to the testkit's OTLP receiver, and
//! every EMF line they print follows the specification and the catalog.

use crate::support::{
    Deployment, SEED_REQUEST, accept,
    events::{batch_item_failures, sqs_event},
};
use revops_core::Status;
use revops_telemetry::emf::validate_line;
use revops_testkit::{
    otlp::OtlpReceiver,
    span_tree::{RequestSpans, SERVER, descends_from, find_span, span_names},
    wait_until,
};
use std::time::Duration;

const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_runs_from_the_callers_post_through_all_three_functions_to_the_webhook() {
    let otlp = OtlpReceiver::start().await;
    let endpoint = otlp.endpoint();
    let otel = [("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())];
    let Deployment {
        stack,
        bedrock,
        receiver,
        gateway,
        wrapper,
        processor,
    } = Deployment::start(&otel).await;
    let wrapper = &wrapper.function;

    let traceparent = format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01");
    let id = accept(&gateway, SEED_REQUEST, &[("traceparent", &traceparent)]).await;
    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let response = processor
        .call(&sqs_event(&messages, &stack.queue_arn))
        .await;

    assert!(batch_item_failures(&response).is_empty(), "{response}");
    assert_eq!(
        wrapper.runtime.invocations(),
        1,
        "{}",
        wrapper.process.logs()
    );
    assert_eq!(bedrock.calls(), 1);
    assert_eq!(stack.status(&id).await, Status::Delivered);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);

    let expected = ["gateway", "processor", "agent-wrapper"];
    let spans = wait_until(
        Duration::from_secs(10),
        "spans from all three functions",
        || {
            let trace = otlp.trace(CALLER_TRACE);
            let all_there = expected
                .iter()
                .all(|service| trace.iter().any(|s| s.service_name == *service));
            async move { all_there.then_some(trace) }
        },
    )
    .await;
    let request = RequestSpans::find(&spans, Some("gateway"), Some("processor"));
    let wrapped = find_span(
        &spans,
        Some("agent-wrapper"),
        SERVER,
        "revops-manager-agent-wrapper",
    );
    request.assert_chain(CALLER_SPAN);
    assert!(
        descends_from(&spans, wrapped, request.agent),
        "the wrapper continues the processor's agent call: {}",
        span_names(&spans)
    );
    for span in &spans {
        assert_eq!(
            span.attribute("revops.tracking_id"),
            Some(id.as_str()),
            "{}:{} carries the tracking id",
            span.service_name,
            span.name
        );
    }
    assert_eq!(
        hits[0].header("traceparent"),
        Some(format!("00-{CALLER_TRACE}-{}-01", request.delivery.span_id).as_str()),
        "the receiver sees the delivery span of the caller's trace"
    );

    for function in [&gateway, &processor, wrapper] {
        let lines = function.process.stdout_lines();
        let mut names = Vec::new();
        for line in &lines {
            let metrics = validate_line(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            names.extend(metrics.into_iter().map(|m| m.name));
        }
        assert!(
            names.iter().any(|n| n == "ColdStarts"),
            "{} printed {names:?}",
            function.runtime.function_name()
        );
    }
}
