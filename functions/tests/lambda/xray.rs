//! Spans that reach X-Ray with no collector (issue 15): the three binaries run with
//! `AWS_XRAY_DAEMON_ADDRESS` pointing at the testkit's stand-in X-Ray daemon, which
//! decodes every datagram as the daemon would. Lambda's invocation headers are sampled,
//! as with active tracing: API Gateway's request starts a trace; the processor's
//! invocation continues the message's `AWSTraceHeader` in a segment of Lambda's own; the
//! wrapper's continues the processor's `Invoke` call.

use crate::support::{
    Deployment, SEED_REQUEST,
    events::{api_response, batch_item_failures, rest_api_get_status, rest_api_post, sqs_event},
};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use revops_core::Status;
use revops_testkit::{
    runtime_api::TraceHeader,
    span_tree::{RequestSpans, SERVER, find_span, span_names},
    wait_until,
    xray_daemon::XrayDaemon,
};
use std::time::Duration;

const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_requests_spans_from_all_three_functions_reach_the_xray_daemon_in_the_invocations_trace()
 {
    let daemon = XrayDaemon::start().await;
    let address = daemon.address();
    let xray = [("AWS_XRAY_DAEMON_ADDRESS", address.as_str())];
    // Bound whole: the parts not named here must keep running.
    let deployment = Deployment::start(&xray).await;
    let Deployment {
        stack,
        gateway,
        processor,
        ..
    } = &deployment;

    // API Gateway's sampled trace; the caller's own trace comes along as a traceparent.
    let invocation = TraceHeader::fresh(true);
    let traceparent = format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01");
    let response = gateway
        .call_traced(
            &rest_api_post(SEED_REQUEST, &[("traceparent", &traceparent)]),
            invocation.clone(),
        )
        .await;
    let (status, body) = api_response(&response);
    assert_eq!(status, 202, "{body}");
    let id = body["tracking_id"].as_str().unwrap().to_owned();

    let messages = stack.receive(1, 60, Duration::from_secs(5)).await;
    let message_header = messages[0]
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::AwsTraceHeader))
        .expect("the message carries AWSTraceHeader")
        .clone();
    let processor_invocation =
        TraceHeader::in_trace(&TraceHeader::parse(&message_header).unwrap().trace_id, true);
    let response = processor
        .call_traced(
            &sqs_event(&messages, &stack.queue_arn),
            processor_invocation.clone(),
        )
        .await;
    assert!(batch_item_failures(&response).is_empty(), "{response}");
    assert_eq!(stack.status(&id).await, Status::Delivered);

    let trace = invocation.trace_id.clone();
    assert_eq!(
        stack.record(&id).await.trace_id.as_deref(),
        Some(trace.as_str())
    );
    // A second invocation of the gateway: whatever the first left unsent goes now.
    let (status, body) = api_response(
        &gateway
            .call_traced(&rest_api_get_status(&id), TraceHeader::fresh(true))
            .await,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["trace_id"], trace.as_str(), "{body}");

    let spans = wait_until(
        Duration::from_secs(10),
        "spans from all three functions at the X-Ray daemon",
        || {
            let spans = daemon.trace(&trace);
            let all_there = ["gateway", "processor", "agent-wrapper"]
                .iter()
                .all(|service| spans.iter().any(|s| s.service_name == *service));
            async move { all_there.then_some(spans) }
        },
    )
    .await;
    assert!(daemon.errors().is_empty(), "{:?}", daemon.errors());

    let request = RequestSpans::find(&spans, Some("gateway"), Some("processor"));
    request.assert_chain(&invocation.parent);
    assert_eq!(
        request.server.links,
        [(CALLER_TRACE.to_owned(), CALLER_SPAN.to_owned())],
        "the caller's own trace is linked from the gateway's span"
    );
    let batch = find_span(&spans, Some("processor"), SERVER, "revops-webhook invoke");
    assert_eq!(
        batch.parent_span_id, processor_invocation.parent,
        "the processor's invocation span continues Lambda's segment"
    );
    let wrapped = find_span(
        &spans,
        Some("agent-wrapper"),
        SERVER,
        "revops-manager-agent-wrapper",
    );
    assert_eq!(
        wrapped.parent_span_id, request.agent.span_id,
        "the wrapper's invocation continues the processor's Invoke call"
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
    let everything = daemon.spans();
    assert!(
        everything.iter().all(|span| span.trace_id == trace),
        "no function sent a span outside the request's trace: {}",
        span_names(&everything)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_daemon_listening_every_function_still_does_its_work() {
    let gone = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = gone.local_addr().unwrap().to_string();
    drop(gone);
    let deployment = Deployment::start(&[("AWS_XRAY_DAEMON_ADDRESS", &address)]).await;
    let Deployment {
        stack,
        gateway,
        processor,
        bedrock,
        ..
    } = &deployment;

    let mut ids = Vec::new();
    for round in 0..3 {
        let response = gateway
            .call_traced(&rest_api_post(SEED_REQUEST, &[]), TraceHeader::fresh(true))
            .await;
        let (status, body) = api_response(&response);
        assert_eq!(status, 202, "round {round}: {body}");
        ids.push(body["tracking_id"].as_str().unwrap().to_owned());
    }
    let messages = stack.receive(3, 60, Duration::from_secs(5)).await;
    assert_eq!(messages.len(), 3);
    // The processor's invocation is traced, and so is its Invoke of the wrapper.
    let response = processor
        .call_traced(
            &sqs_event(&messages, &stack.queue_arn),
            TraceHeader::fresh(true),
        )
        .await;
    assert!(batch_item_failures(&response).is_empty(), "{response}");
    for id in &ids {
        assert_eq!(stack.status(id).await, Status::Delivered);
    }
    assert_eq!(bedrock.calls(), 3, "the wrapper asked once per request");
}
