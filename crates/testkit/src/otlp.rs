//! An OTLP/HTTP trace receiver on loopback: it decodes what an exporter posts to
//! `/v1/traces` (protobuf) and keeps every span, for tests to check parents, kinds and
//! attributes.

use axum::{Router, body::Bytes, extract::State, routing::post};
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest,
    common::v1::{AnyValue, any_value},
    resource::v1::Resource,
    trace::v1::Span,
};
use prost::Message;
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tokio::task::JoinHandle;

/// A span as the tests read it.
#[derive(Debug, Clone)]
pub struct SeenSpan {
    /// The span's name.
    pub name: String,
    /// Its OTLP kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
    pub kind: i32,
    /// The trace id, in lower-case hex.
    pub trace_id: String,
    /// The span id, in lower-case hex.
    pub span_id: String,
    /// The parent's span id in hex; empty for a root span.
    pub parent_span_id: String,
    /// Its attributes, values as text (an array as `[a, b]`).
    pub attributes: Vec<(String, String)>,
    /// The `service.name` of the process that exported it.
    pub service_name: String,
    /// The spans it links to, as (trace id, span id) in hex.
    pub links: Vec<(String, String)>,
    /// When it started and ended, in nanoseconds since the Unix epoch.
    pub times: (u64, u64),
    /// Its status code: 0 unset, 1 ok, 2 error.
    pub status_code: i32,
}

impl SeenSpan {
    /// An attribute's value as text.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::ArrayValue(array)) => {
            let items: Vec<String> = array.values.iter().map(|v| text(Some(v))).collect();
            format!("[{}]", items.join(", "))
        }
        other => format!("{other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn service_name(resource: Option<&Resource>) -> String {
    resource
        .into_iter()
        .flat_map(|r| &r.attributes)
        .find(|kv| kv.key == "service.name")
        .map(|kv| text(kv.value.as_ref()))
        .unwrap_or_default()
}

fn seen(span: &Span, service_name: &str) -> SeenSpan {
    SeenSpan {
        name: span.name.clone(),
        kind: span.kind,
        trace_id: hex(&span.trace_id),
        span_id: hex(&span.span_id),
        parent_span_id: hex(&span.parent_span_id),
        attributes: span
            .attributes
            .iter()
            .map(|kv| (kv.key.clone(), text(kv.value.as_ref())))
            .collect(),
        service_name: service_name.to_owned(),
        links: span
            .links
            .iter()
            .map(|link| (hex(&link.trace_id), hex(&link.span_id)))
            .collect(),
        times: (span.start_time_unix_nano, span.end_time_unix_nano),
        status_code: span.status.as_ref().map_or(0, |status| status.code),
    }
}

/// The receiver; stops when dropped.
pub struct OtlpReceiver {
    addr: SocketAddr,
    spans: Arc<Mutex<Vec<SeenSpan>>>,
    task: JoinHandle<()>,
}

impl OtlpReceiver {
    /// Starts it on a free port.
    pub async fn start() -> Self {
        let spans = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/v1/traces", post(collect))
            .with_state(spans.clone());
        let (addr, task) = crate::loopback::serve(app).await;
        Self { addr, spans, task }
    }

    /// The base endpoint, as `OTEL_EXPORTER_OTLP_ENDPOINT` takes it.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<SeenSpan> {
        self.spans.lock().unwrap().clone()
    }

    /// The spans received so far that belong to the trace `trace_id` (hex).
    pub fn trace(&self, trace_id: &str) -> Vec<SeenSpan> {
        self.spans()
            .into_iter()
            .filter(|span| span.trace_id == trace_id)
            .collect()
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn collect(State(spans): State<Arc<Mutex<Vec<SeenSpan>>>>, body: Bytes) -> &'static str {
    let request = ExportTraceServiceRequest::decode(body).unwrap();
    spans.lock().unwrap().extend(seen_spans(&request));
    ""
}

/// Every span of an export request, as the tests read them.
pub fn seen_spans(request: &ExportTraceServiceRequest) -> Vec<SeenSpan> {
    let mut spans = Vec::new();
    for resource in &request.resource_spans {
        let service = service_name(resource.resource.as_ref());
        for scope in &resource.scope_spans {
            spans.extend(scope.spans.iter().map(|span| seen(span, &service)));
        }
    }
    spans
}
