//! Trace context across process boundaries: W3C `traceparent`, `tracestate` and
//! `baggage` (holding the tracking id), and the X-Ray header, in and out of queue message
//! attributes, HTTP headers and invoke payloads.

use opentelemetry::{
    Context, KeyValue, baggage::BaggageExt, propagation::TextMapPropagator, trace::TraceContextExt,
};
use opentelemetry_aws::trace::XrayPropagator;
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use std::collections::{BTreeMap, HashMap};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The W3C trace context header and attribute.
pub const TRACEPARENT: &str = "traceparent";
/// The W3C vendor trace state.
pub const TRACESTATE: &str = "tracestate";
/// The W3C baggage; it carries `tracking_id`.
pub const BAGGAGE: &str = "baggage";
/// The X-Ray header on HTTP requests.
pub const XRAY_HEADER: &str = "x-amzn-trace-id";
/// The SQS system attribute that carries the X-Ray header.
pub const AWS_TRACE_HEADER: &str = "AWSTraceHeader";
/// The baggage key of the tracking id.
pub const TRACKING_ID_BAGGAGE: &str = "tracking_id";

/// Writes a context as the W3C fields (and the X-Ray header under `AWSTraceHeader`), for
/// a queue message's attributes or an invoke payload.
pub fn to_attributes(cx: &Context) -> BTreeMap<String, String> {
    let mut fields = HashMap::new();
    TraceContextPropagator::new().inject_context(cx, &mut fields);
    BaggagePropagator::new().inject_context(cx, &mut fields);
    let mut xray = HashMap::new();
    XrayPropagator::new().inject_context(cx, &mut xray);
    let mut attributes: BTreeMap<String, String> = fields.into_iter().collect();
    if let Some(header) = xray.remove(XRAY_HEADER) {
        attributes.insert(AWS_TRACE_HEADER.to_owned(), header);
    }
    attributes
}

/// The context carried by attributes or headers (names in any case): the W3C fields
/// when present, else the X-Ray header (`AWSTraceHeader` or `X-Amzn-Trace-Id`).
pub fn from_fields<K: AsRef<str>, V: AsRef<str>>(
    fields: impl IntoIterator<Item = (K, V)>,
) -> Context {
    let fields: HashMap<String, String> = fields
        .into_iter()
        .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.as_ref().to_owned()))
        .collect();
    let baggage = BaggagePropagator::new().extract(&fields);
    if fields.contains_key(TRACEPARENT) {
        return TraceContextPropagator::new().extract_with_context(&baggage, &fields);
    }
    let xray = fields
        .get(&AWS_TRACE_HEADER.to_ascii_lowercase())
        .or_else(|| fields.get(XRAY_HEADER));
    match xray {
        Some(header) => {
            let xray_fields = HashMap::from([(XRAY_HEADER.to_owned(), header.clone())]);
            XrayPropagator::new().extract_with_context(&baggage, &xray_fields)
        }
        None => baggage,
    }
}

/// The attributes a message sent inside `span` carries: its trace context, with the
/// tracking id in the baggage.
pub fn message_attributes(span: &tracing::Span, tracking_id: &str) -> BTreeMap<String, String> {
    to_attributes(&with_tracking_id(&span.context(), tracking_id))
}

/// `cx` with the tracking id in its baggage.
pub fn with_tracking_id(cx: &Context, tracking_id: &str) -> Context {
    cx.with_baggage([KeyValue::new(TRACKING_ID_BAGGAGE, tracking_id.to_owned())])
}

/// The attributes of a message that carries on the trace `trace_id` (32 hex digits)
/// from outside any span of it, as an operator's replay does: a new parent span id in
/// that trace, sampled, with the tracking id in the baggage. So a replayed request's
/// processing joins the trace its `POST` began. `None` when `trace_id` is not one.
pub fn resume_trace(trace_id: &str, tracking_id: &str) -> Option<BTreeMap<String, String>> {
    use opentelemetry::trace::{SpanContext, TraceFlags, TraceId, TraceState};
    use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
    let trace_id = TraceId::from_hex(trace_id)
        .ok()
        .filter(|id| *id != TraceId::INVALID)?;
    let span_context = SpanContext::new(
        trace_id,
        RandomIdGenerator::default().new_span_id(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let cx = Context::new().with_remote_span_context(span_context);
    Some(to_attributes(&with_tracking_id(&cx, tracking_id)))
}

/// Makes `span` a child of the context in `fields` (if it carries one).
pub fn continue_from<K: AsRef<str>, V: AsRef<str>>(
    span: &tracing::Span,
    fields: impl IntoIterator<Item = (K, V)>,
) {
    let parent = from_fields(fields);
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// The X-Ray header the host gives one invocation: in Lambda, the invocation's
/// `Lambda-Runtime-Trace-Id` (Lambda's own segment for it). The AWS host hands it to the
/// handlers; the local host has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvocationTrace(pub String);

impl InvocationTrace {
    /// The context it names, if it is a valid header of a sampled trace: what Lambda
    /// passes with active tracing when X-Ray keeps the trace.
    fn sampled(&self) -> Option<Context> {
        let fields = HashMap::from([(XRAY_HEADER.to_owned(), self.0.clone())]);
        let cx = XrayPropagator::new().extract(&fields);
        let span_context = cx.span().span_context().clone();
        (span_context.is_valid() && span_context.is_sampled()).then_some(cx)
    }
}

/// How every handler starts its span. Its parent is the invocation's X-Ray segment when
/// the host passed a sampled one, so the span sits in the trace X-Ray shows for the
/// invocation (a trace that `fields` carry from elsewhere is then linked); else the
/// trace that `fields` carry (the request's headers, a message's attributes, the
/// wrapper's payload); else a new trace. It records on the span its `trace_id` (for the
/// log lines) and, when it is known, `revops.tracking_id`. The span declares both fields
/// (empty).
pub fn continue_span<K: AsRef<str>, V: AsRef<str>>(
    span: &tracing::Span,
    invocation: Option<&InvocationTrace>,
    fields: impl IntoIterator<Item = (K, V)>,
    tracking_id: Option<&str>,
) {
    match invocation.and_then(InvocationTrace::sampled) {
        Some(segment) => {
            let carried = from_fields(fields).span().span_context().clone();
            let trace = segment.span().span_context().trace_id();
            let _ = span.set_parent(segment);
            if carried.is_valid() && carried.trace_id() != trace {
                span.add_link(carried);
            }
        }
        None => continue_from(span, fields),
    }
    if let Some(trace_id) = trace_id(span) {
        span.record("trace_id", trace_id);
    }
    if let Some(tracking_id) = tracking_id {
        span.record("revops.tracking_id", tracking_id);
    }
}

/// Adds a link from `span` to the context in `fields` (if it carries one): a batch's
/// span links to every message it handles.
pub fn link_from<K: AsRef<str>, V: AsRef<str>>(
    span: &tracing::Span,
    fields: impl IntoIterator<Item = (K, V)>,
) {
    let cx = from_fields(fields);
    let linked = cx.span().span_context().clone();
    if linked.is_valid() {
        span.add_link(linked);
    }
}

/// The headers an outbound HTTP request carries for `span`: `traceparent` (and
/// `tracestate` when there is one). Baggage stays inside: receivers are other teams.
pub fn outbound_headers(span: &tracing::Span) -> Vec<(&'static str, String)> {
    let mut fields = HashMap::new();
    TraceContextPropagator::new().inject_context(&span.context(), &mut fields);
    [TRACEPARENT, TRACESTATE]
        .into_iter()
        .filter_map(|name| fields.remove(name).map(|value| (name, value)))
        .collect()
}

/// The trace id of `span`, in hex, when it belongs to a trace.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    let cx = span.context();
    let span_context = cx.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    fn sampled_context() -> Context {
        let span_context = SpanContext::new(
            TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap(),
            SpanId::from_hex("53995c3f42cd8ad8").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        Context::new().with_remote_span_context(span_context)
    }

    #[test]
    fn a_resumed_trace_keeps_its_id_under_a_new_parent() {
        let trace = "5759e988bd862e3fe1be46a994272793";
        let attributes = resume_trace(trace, "e7aeb7e9-5382-41a5-b858-f8010978cd26").unwrap();
        let back = from_fields(&attributes);
        let span_context = back.span().span_context().clone();
        assert_eq!(span_context.trace_id().to_string(), trace);
        assert!(span_context.is_sampled());
        assert!(attributes[BAGGAGE].contains("tracking_id=e7aeb7e9"));
        assert!(resume_trace("not hex", "t").is_none());
        assert!(resume_trace("00000000000000000000000000000000", "t").is_none());
    }

    #[test]
    fn attributes_round_trip_the_trace_and_the_tracking_id() {
        let cx = with_tracking_id(&sampled_context(), "e7aeb7e9-5382-41a5-b858-f8010978cd26");
        let attributes = to_attributes(&cx);
        assert_eq!(
            attributes[TRACEPARENT],
            "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
        );
        assert!(attributes[BAGGAGE].contains("tracking_id=e7aeb7e9-5382-41a5-b858-f8010978cd26"));
        assert_eq!(
            attributes[AWS_TRACE_HEADER],
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        );
        let back = from_fields(&attributes);
        assert_eq!(
            back.span().span_context().trace_id(),
            cx.span().span_context().trace_id()
        );
        assert_eq!(
            back.baggage()
                .get(TRACKING_ID_BAGGAGE)
                .map(|v| v.to_string()),
            Some("e7aeb7e9-5382-41a5-b858-f8010978cd26".to_owned())
        );
    }

    #[test]
    fn only_a_sampled_invocation_segment_is_taken_as_the_parent() {
        let header = |sampled: u8| {
            InvocationTrace(format!(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled={sampled}"
            ))
        };
        let segment = header(1).sampled().expect("a sampled segment");
        let span_context = segment.span().span_context().clone();
        assert_eq!(
            span_context.trace_id().to_string(),
            "5759e988bd862e3fe1be46a994272793"
        );
        assert_eq!(span_context.span_id().to_string(), "53995c3f42cd8ad8");
        assert!(span_context.is_remote());
        assert!(
            header(0).sampled().is_none(),
            "X-Ray does not keep it: the carried context is continued instead"
        );
        assert!(InvocationTrace("not a header".into()).sampled().is_none());
    }

    #[test]
    fn the_xray_header_alone_is_enough() {
        let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        for name in ["AWSTraceHeader", "X-Amzn-Trace-Id"] {
            let cx = from_fields([(name, header)]);
            assert_eq!(
                cx.span().span_context().trace_id().to_string(),
                "5759e988bd862e3fe1be46a994272793",
                "{name}"
            );
        }
        assert!(
            !from_fields::<&str, &str>([])
                .span()
                .span_context()
                .is_valid()
        );
    }
}
