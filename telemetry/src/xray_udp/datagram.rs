//! The datagrams the X-Ray daemon takes OTLP spans in, as AWS's ADOT X-Ray UDP span
//! exporters write them: the line `{"format":"json","version":1}`, then `T1S` (sampled
//! spans; `T1U` would mark unsampled ones, which are never sent), then the base64 of an
//! OTLP `ExportTraceServiceRequest` protobuf. A batch too large for one datagram is
//! halved until every part fits; a single span that cannot fit alone is left out and
//! counted.

use base64::{Engine, engine::general_purpose::STANDARD};
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest,
    trace::v1::{ResourceSpans, ScopeSpans, Span},
};
use prost::Message;

/// The header line every datagram starts with.
pub const HEADER: &str = "{\"format\":\"json\",\"version\":1}\n";
/// The marker of sampled spans, after the header.
pub const SAMPLED: &str = "T1S";
/// The largest datagram sent: under 64 KiB, and under IPv4's 65 507-byte UDP payload.
pub const MAX_DATAGRAM_BYTES: usize = 65_000;

/// A batch cut into datagrams.
#[derive(Debug, Default)]
pub struct Datagrams {
    /// Each datagram, ready to send, with how many spans it holds.
    pub parts: Vec<(Vec<u8>, usize)>,
    /// Spans left out because even alone they would not fit.
    pub too_large: usize,
}

/// Cuts the spans of `request` into datagrams of at most `max_bytes` each, every span
/// under its own resource and scope.
pub fn datagrams(request: ExportTraceServiceRequest, max_bytes: usize) -> Datagrams {
    let batch = Batch::from(request);
    let mut out = Datagrams::default();
    cut(&batch, &batch.spans, max_bytes, &mut out);
    out
}

/// `spans` in one datagram if they fit, else each half on its own.
fn cut(batch: &Batch, spans: &[(usize, Span)], max_bytes: usize, out: &mut Datagrams) {
    if spans.is_empty() {
        return;
    }
    match encode(&batch.request(spans), max_bytes) {
        Some(bytes) => out.parts.push((bytes, spans.len())),
        None if spans.len() == 1 => out.too_large += 1,
        None => {
            let (first, second) = spans.split_at(spans.len() / 2);
            cut(batch, first, max_bytes, out);
            cut(batch, second, max_bytes, out);
        }
    }
}

/// The datagram for `request`, if it fits in `max_bytes`.
fn encode(request: &ExportTraceServiceRequest, max_bytes: usize) -> Option<Vec<u8>> {
    let encoded_len = request.encoded_len();
    let size = HEADER.len() + SAMPLED.len() + encoded_len.div_ceil(3) * 4;
    if size > max_bytes {
        return None;
    }
    let mut text = String::with_capacity(size);
    text.push_str(HEADER);
    text.push_str(SAMPLED);
    STANDARD.encode_string(request.encode_to_vec(), &mut text);
    Some(text.into_bytes())
}

/// A request taken apart: the resources and scopes without their spans, and each span
/// with the index of its scope.
struct Batch {
    /// Each resource, its scopes emptied.
    resources: Vec<ResourceSpans>,
    /// Each scope, its spans emptied, with the index of its resource.
    scopes: Vec<(usize, ScopeSpans)>,
    /// Every span, with the index of its scope.
    spans: Vec<(usize, Span)>,
}

impl From<ExportTraceServiceRequest> for Batch {
    fn from(request: ExportTraceServiceRequest) -> Self {
        let mut batch = Batch {
            resources: Vec::new(),
            scopes: Vec::new(),
            spans: Vec::new(),
        };
        for mut resource in request.resource_spans {
            let resource_index = batch.resources.len();
            for mut scope in std::mem::take(&mut resource.scope_spans) {
                let scope_index = batch.scopes.len();
                batch.spans.extend(
                    std::mem::take(&mut scope.spans)
                        .into_iter()
                        .map(|span| (scope_index, span)),
                );
                batch.scopes.push((resource_index, scope));
            }
            batch.resources.push(resource);
        }
        batch
    }
}

impl Batch {
    /// A request holding `spans`, each under its scope and resource.
    fn request(&self, spans: &[(usize, Span)]) -> ExportTraceServiceRequest {
        let mut resources: Vec<Option<ResourceSpans>> = vec![None; self.resources.len()];
        let mut scopes: Vec<Option<ScopeSpans>> = vec![None; self.scopes.len()];
        for (scope, span) in spans {
            scopes[*scope]
                .get_or_insert_with(|| self.scopes[*scope].1.clone())
                .spans
                .push(span.clone());
        }
        for (index, scope) in scopes.into_iter().enumerate() {
            if let Some(scope) = scope {
                let resource = self.scopes[index].0;
                resources[resource]
                    .get_or_insert_with(|| self.resources[resource].clone())
                    .scope_spans
                    .push(scope);
            }
        }
        ExportTraceServiceRequest {
            resource_spans: resources.into_iter().flatten().collect(),
        }
    }
}
