//! One trace per tracking id, from the POST to the delivery, and EMF metrics that follow
//! the specification and the catalog: the real binary with an OTLP/HTTP receiver and a
//! webhook receiver on loopback; and the same spans and the request's log lines kept in
//! the data directory with no collector at all.

use crate::support::{Receiver, SEED_REQUEST, binary::RevopsProcess, wait_until};
use revops_telemetry::{emf::validate_line, trace_store::request_telemetry};
use revops_testkit::{otlp::OtlpReceiver, span_tree::RequestSpans};
use serde_json::Value;
use std::{collections::HashSet, time::Duration};

const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_carries_the_tracking_id_from_the_post_to_the_delivery() {
    let otlp = OtlpReceiver::start().await;
    let receiver = Receiver::always(200).await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = receiver.url();
    let endpoint = otlp.endpoint();
    let revops = RevopsProcess::spawn(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", url.as_str()),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_SERVICE_NAME", "revops-test"),
        ],
    );

    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/webhook", revops.base))
        .header("content-type", "application/json")
        .header("traceparent", format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01"))
        .body(SEED_REQUEST)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let accepted: Value = response.json().await.unwrap();
    let tracking_id = accepted["tracking_id"].as_str().unwrap().to_owned();
    let hit = wait_until(Duration::from_secs(5), "the delivery", || async {
        receiver.hits().into_iter().next()
    })
    .await;
    let bad = client
        .post(format!("{}/webhook", revops.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    tokio::task::spawn_blocking(move || revops.terminate())
        .await
        .unwrap();

    let trace = otlp.trace(CALLER_TRACE);
    // Found by kind (server, producer, consumer, client, client) and name.
    let request = RequestSpans::find(&trace, None, None);
    request.assert_chain(CALLER_SPAN);
    let RequestSpans {
        server,
        producer,
        delivery,
        ..
    } = request;
    assert_eq!(
        request.all().map(|span| span.name.as_str()),
        [
            "POST /webhook",
            "send revops-local-requests",
            "process revops-local-requests",
            "invoke_agent revops-manager-agent",
            "POST"
        ]
    );
    for span in request.all() {
        assert_eq!(
            span.attribute("revops.tracking_id"),
            Some(tracking_id.as_str()),
            "{}",
            span.name
        );
    }
    assert_eq!(server.attribute("http.response.status_code"), Some("202"));
    // The local queue says what it is: SQLite, not SQS.
    assert_eq!(producer.attribute("messaging.system"), Some("sqlite"));
    assert_eq!(delivery.attribute("url.full"), Some(url.as_str()));
    assert_eq!(delivery.attribute("http.response.status_code"), Some("200"));

    let traceparent = hit.header("traceparent").unwrap();
    assert_eq!(
        traceparent,
        format!("00-{CALLER_TRACE}-{}-01", delivery.span_id),
        "the receiver sees the delivery span of the same trace"
    );

    let emf = std::fs::read_to_string(data_dir.path().join("metrics.emf.jsonl")).unwrap();
    let mut names = HashSet::new();
    for line in emf.lines() {
        let metrics = validate_line(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        names.extend(metrics.into_iter().map(|m| m.name));
        let value: Value = serde_json::from_str(line).unwrap();
        assert!(
            value.as_object().unwrap().contains_key("tracking_id"),
            "{line}"
        );
    }
    for expected in [
        "RequestsAccepted",
        "RequestsRejected",
        "GatewayLatency",
        "QueueWait",
        "AgentLatency",
        "DeliveryAttempts",
        "DeliveryLatency",
        "Deliveries",
        "EndToEndLatency",
    ] {
        assert!(
            names.contains(expected),
            "{expected} missing from {names:?}"
        );
    }
    let end_to_end: Vec<Value> = emf
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|v| v.get("EndToEndLatency").is_some())
        .collect();
    assert_eq!(end_to_end.len(), 1);
    assert_eq!(end_to_end[0]["tracking_id"], tracking_id.as_str());
    assert_eq!(end_to_end[0]["trace_id"], CALLER_TRACE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_keeps_a_delivered_requests_spans_and_log_lines_with_no_collector() {
    let receiver = Receiver::always(200).await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = receiver.url();
    let revops = RevopsProcess::spawn(
        data_dir.path(),
        &[("WEBHOOK_URL", url.as_str()), ("LOG_LEVEL", "info")],
    );
    let client = reqwest::Client::new();
    let post = |body: &'static str| {
        client
            .post(format!("{}/webhook", revops.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let accepted: Value = post(SEED_REQUEST).await.unwrap().json().await.unwrap();
    let tracking_id = accepted["tracking_id"].as_str().unwrap().to_owned();
    let other: Value = post(SEED_REQUEST).await.unwrap().json().await.unwrap();
    wait_until(Duration::from_secs(5), "both deliveries", || async {
        (receiver.hits().len() == 2).then_some(())
    })
    .await;
    let status: Value = client
        .get(format!("{}/webhook/{tracking_id}", revops.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || revops.terminate())
        .await
        .unwrap();

    let store = data_dir.path().join("traces");
    let (spans, logs) = request_telemetry(&store, &tracking_id).unwrap();
    let trace_id = status["trace_id"]
        .as_str()
        .expect("the status names the trace");
    assert!(
        spans.iter().all(|span| span.trace_id == trace_id),
        "only the request's trace"
    );
    let find = |kind: &str, name: &str| {
        spans
            .iter()
            .find(|span| span.kind == kind && span.name.starts_with(name))
            .unwrap_or_else(|| panic!("no {kind} span {name:?} among {spans:#?}"))
    };
    let server = find("server", "POST /webhook");
    let producer = find("producer", "send ");
    let consumer = find("consumer", "process ");
    let agent = find("client", "invoke_agent");
    let delivery = find("client", "POST");
    assert_eq!(producer.parent_span_id, server.span_id);
    assert_eq!(consumer.parent_span_id, producer.span_id);
    assert_eq!(agent.parent_span_id, consumer.span_id);
    assert_eq!(delivery.parent_span_id, consumer.span_id);
    for span in [server, producer, consumer, agent, delivery] {
        assert_eq!(
            span.tracking_id.as_deref(),
            Some(tracking_id.as_str()),
            "{}",
            span.name
        );
        assert_eq!(span.service, "revops");
    }
    assert_eq!(
        delivery.attributes["http.response.status_code"], 200,
        "{delivery:#?}"
    );
    // The demo agent's steps, under the agent call.
    let planning = find("client", "chat demo-intent-classifier");
    let sub_agent = find("internal", "invoke_agent DealAnalysisAgent");
    let data = find("client", "execute_tool sample-crm-data");
    assert_eq!(planning.parent_span_id, agent.span_id);
    assert_eq!(sub_agent.parent_span_id, agent.span_id);
    assert_eq!(data.parent_span_id, sub_agent.span_id);
    assert_eq!(data.attributes["gen_ai.agent.name"], "DealAnalysisAgent");
    assert!(planning.start >= agent.start && sub_agent.start >= planning.start);
    assert_eq!(
        status["agents_used"],
        serde_json::json!(["DemoManagerAgent", "DealAnalysisAgent"]),
        "{status}"
    );

    assert!(!logs.is_empty(), "the request's log lines are kept");
    for line in &logs {
        assert!(
            line.tracking_id.as_deref() == Some(tracking_id.as_str())
                || line.trace_id.as_deref() == Some(trace_id),
            "{line:?}"
        );
    }
    let other_id = other["tracking_id"].as_str().unwrap();
    assert!(
        logs.iter()
            .all(|line| line.tracking_id.as_deref() != Some(other_id)),
        "the other request's lines are not this one's"
    );
}
