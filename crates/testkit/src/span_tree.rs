//! Reading one request's trace out of the spans an [`crate::otlp::OtlpReceiver`] kept:
//! finding a span by service, kind and name, walking parents, and the chain every host
//! must leave (server → producer → consumer → agent call and delivery).

use crate::otlp::SeenSpan;

/// OTLP span kind: server.
pub const SERVER: i32 = 2;
/// OTLP span kind: client.
pub const CLIENT: i32 = 3;
/// OTLP span kind: producer.
pub const PRODUCER: i32 = 4;
/// OTLP span kind: consumer.
pub const CONSUMER: i32 = 5;

/// The one span of `spans` with `kind` whose name starts with `name`, exported by
/// `service` when one is given; panics naming every span when there is none.
pub fn find_span<'a>(
    spans: &'a [SeenSpan],
    service: Option<&str>,
    kind: i32,
    name: &str,
) -> &'a SeenSpan {
    spans
        .iter()
        .find(|s| {
            service.is_none_or(|service| s.service_name == service)
                && s.kind == kind
                && s.name.starts_with(name)
        })
        .unwrap_or_else(|| {
            panic!(
                "no {service:?} span {name:?} of kind {kind} in {}",
                span_names(spans)
            )
        })
}

/// Every span as `service:name (kind)`, for failure messages.
pub fn span_names(spans: &[SeenSpan]) -> String {
    let names: Vec<String> = spans
        .iter()
        .map(|s| format!("{}:{} ({})", s.service_name, s.name, s.kind))
        .collect();
    names.join(", ")
}

/// Whether `ancestor` is `span`'s parent, or its parent's, and so on.
pub fn descends_from(spans: &[SeenSpan], span: &SeenSpan, ancestor: &SeenSpan) -> bool {
    let mut parent = span.parent_span_id.clone();
    for _ in 0..spans.len() {
        if parent == ancestor.span_id {
            return true;
        }
        match spans.iter().find(|s| s.span_id == parent) {
            Some(next) => parent = next.parent_span_id.clone(),
            None => return false,
        }
    }
    false
}

/// The five spans one request leaves, whichever host ran it.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpans<'a> {
    /// The gateway's `POST /webhook`.
    pub server: &'a SeenSpan,
    /// The gateway's `send <queue>`.
    pub producer: &'a SeenSpan,
    /// The processor's `process <queue>`.
    pub consumer: &'a SeenSpan,
    /// The processor's `invoke_agent …` call.
    pub agent: &'a SeenSpan,
    /// The processor's webhook `POST`.
    pub delivery: &'a SeenSpan,
}

impl<'a> RequestSpans<'a> {
    /// Finds the five among `spans` (one trace), by kind and name, the first two from
    /// `gateway` and the rest from `processor` when those services are given.
    pub fn find(spans: &'a [SeenSpan], gateway: Option<&str>, processor: Option<&str>) -> Self {
        Self {
            server: find_span(spans, gateway, SERVER, "POST /webhook"),
            producer: find_span(spans, gateway, PRODUCER, "send "),
            consumer: find_span(spans, processor, CONSUMER, "process "),
            agent: find_span(spans, processor, CLIENT, "invoke_agent"),
            delivery: find_span(spans, processor, CLIENT, "POST"),
        }
    }

    /// Asserts the chain: the server continues the caller's `caller_span`, the producer
    /// is the server's child, the consumer continues the producer through the message,
    /// and the agent call and the delivery are the consumer's children.
    pub fn assert_chain(&self, caller_span: &str) {
        assert_eq!(
            self.server.parent_span_id, caller_span,
            "the gateway continues the caller's trace"
        );
        assert_eq!(self.producer.parent_span_id, self.server.span_id);
        assert_eq!(
            self.consumer.parent_span_id, self.producer.span_id,
            "the consumer continues the message's context"
        );
        assert_eq!(self.agent.parent_span_id, self.consumer.span_id);
        assert_eq!(self.delivery.parent_span_id, self.consumer.span_id);
    }

    /// The five, in the order above.
    pub fn all(&self) -> [&'a SeenSpan; 5] {
        [
            self.server,
            self.producer,
            self.consumer,
            self.agent,
            self.delivery,
        ]
    }
}
