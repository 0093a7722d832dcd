//! The X-Ray UDP exporter against a stand-in daemon on loopback that decodes every
//! datagram as the X-Ray daemon would take it: the header line, `T1S`, base64, then the
//! OTLP protobuf.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use opentelemetry::{
    KeyValue,
    trace::{
        SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState, Tracer,
        TracerProvider as _,
    },
};
use opentelemetry_sdk::{
    Resource,
    trace::{SdkTracerProvider, SpanData, SpanEvents, SpanExporter, SpanLinks},
};
use revops_telemetry::xray_udp::{
    DroppedSpans, XrayUdpExporter, daemon_address, datagram::MAX_DATAGRAM_BYTES,
};
use revops_testkit::{wait_until, xray_daemon::XrayDaemon};
use std::{
    collections::HashSet,
    time::{Duration, SystemTime},
};

/// A provider exporting through the exporter to `daemon`, and the exporter's drop count.
fn provider(daemon: &XrayDaemon) -> (SdkTracerProvider, DroppedSpans) {
    let exporter = XrayUdpExporter::new(daemon_address(&daemon.address()).unwrap()).unwrap();
    let dropped = exporter.dropped();
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name("gateway").build())
        .with_batch_exporter(exporter)
        .build();
    (provider, dropped)
}

#[tokio::test]
async fn a_batch_larger_than_one_datagram_arrives_whole_across_datagrams() {
    let daemon = XrayDaemon::start().await;
    let (provider, dropped) = provider(&daemon);
    let tracer = provider.tracer("revops");
    let padding = "x".repeat(1_000);
    let mut sent = HashSet::new();
    for n in 0..300 {
        let span = tracer
            .span_builder(format!("step {n}"))
            .with_attributes([
                KeyValue::new("revops.tracking_id", format!("id-{n}")),
                KeyValue::new("padding", padding.clone()),
            ])
            .start(&tracer);
        sent.insert(
            opentelemetry::trace::Span::span_context(&span)
                .span_id()
                .to_string(),
        );
        drop(span);
    }
    provider.force_flush().unwrap();

    let spans = wait_until(Duration::from_secs(5), "all 300 spans", || {
        let spans = daemon.spans();
        async move { (spans.len() >= 300).then_some(spans) }
    })
    .await;
    assert!(daemon.errors().is_empty(), "{:?}", daemon.errors());
    let received: HashSet<String> = spans.iter().map(|s| s.span_id.clone()).collect();
    assert_eq!(received, sent, "every span arrives, once");
    let sizes = daemon.datagram_sizes();
    assert!(
        sizes.len() > 1,
        "300 KB of spans cannot fit in one datagram: {sizes:?}"
    );
    assert!(
        sizes.iter().all(|&size| size <= MAX_DATAGRAM_BYTES),
        "{sizes:?}"
    );
    let span = &spans[0];
    assert_eq!(span.service_name, "gateway");
    assert_eq!(
        span.attribute("aws.xray.annotations"),
        Some("[revops.tracking_id]"),
        "the tracking id is indexed as an X-Ray annotation"
    );
    assert_eq!(dropped.total(), 0);
}

/// A finished span, sampled or not, with an attribute of `padding` bytes.
fn span_data(id: u64, sampled: bool, padding: usize) -> SpanData {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    SpanData {
        span_context: SpanContext::new(
            TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap(),
            SpanId::from_bytes(id.to_be_bytes()),
            flags,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: "step".into(),
        start_time: SystemTime::now(),
        end_time: SystemTime::now(),
        attributes: vec![KeyValue::new("padding", "y".repeat(padding))],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: opentelemetry::InstrumentationScope::builder("revops").build(),
    }
}

#[tokio::test]
async fn unsampled_spans_are_not_sent_and_a_span_too_large_alone_is_counted_as_dropped() {
    let daemon = XrayDaemon::start().await;
    let exporter = XrayUdpExporter::new(daemon_address(&daemon.address()).unwrap()).unwrap();
    let dropped = exporter.dropped();

    exporter
        .export(vec![
            span_data(1, false, 10),
            span_data(2, true, 70_000),
            span_data(3, true, 10),
        ])
        .await
        .unwrap();

    let spans = wait_until(Duration::from_secs(5), "the sendable span", || {
        let spans = daemon.spans();
        async move { (!spans.is_empty()).then_some(spans) }
    })
    .await;
    let ids: Vec<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    assert_eq!(
        ids,
        ["0000000000000003"],
        "only the sampled span that fits is sent"
    );
    assert_eq!(
        dropped.total(),
        1,
        "the span too large for any datagram is counted"
    );
}

#[tokio::test]
async fn with_no_daemon_listening_exporting_still_succeeds() {
    let gone = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = gone.local_addr().unwrap();
    drop(gone);
    let exporter = XrayUdpExporter::new(address).unwrap();
    for round in 0..3 {
        let result = exporter.export(vec![span_data(round + 1, true, 10)]).await;
        assert!(result.is_ok(), "round {round}: {result:?}");
    }
}
