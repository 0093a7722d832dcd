//! The X-Ray UDP span exporter: in Lambda with active tracing (`AWS_XRAY_DAEMON_ADDRESS`
//! set), spans go to the X-Ray daemon Lambda runs beside the function, as OTLP in the
//! datagram format of AWS's ADOT X-Ray UDP exporters ([`datagram`]), so they reach X-Ray
//! with no collector to run. Only sampled spans are sent. Each span that carries
//! `revops.tracking_id` lists it in `aws.xray.annotations`, so X-Ray indexes it as the
//! annotation `revops_tracking_id`.
//!
//! Sending never blocks and never fails the caller: the socket is non-blocking, and a
//! span that cannot be sent (too large alone, or a send that fails) is counted in
//! [`DroppedSpans`] and left.

pub mod datagram;

use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_proto::{
    tonic::collector::trace::v1::ExportTraceServiceRequest,
    transform::{
        common::tonic::ResourceAttributesWithSchema,
        trace::tonic::group_spans_by_resource_and_scope,
    },
};
use opentelemetry_sdk::{
    Resource,
    error::OTelSdkResult,
    trace::{SpanData, SpanExporter},
};
use std::{
    io,
    net::{SocketAddr, ToSocketAddrs, UdpSocket},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

/// The variable Lambda sets to the daemon's address when active tracing is on.
pub const DAEMON_ADDRESS_VAR: &str = "AWS_XRAY_DAEMON_ADDRESS";
/// The span attribute listing which attributes X-Ray indexes as annotations.
pub const ANNOTATIONS_ATTRIBUTE: &str = "aws.xray.annotations";
/// The attribute indexed as an annotation, so a trace is found by its tracking id.
pub const TRACKING_ID_ATTRIBUTE: &str = "revops.tracking_id";

/// How many spans the exporter could not send, since it started. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct DroppedSpans(Arc<AtomicU64>);

impl DroppedSpans {
    /// The total so far.
    pub fn total(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, spans: usize) {
        self.0
            .fetch_add(u64::try_from(spans).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

/// The daemon's UDP address from `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or the SDKs'
/// two-address form `udp:host:port tcp:host:port` (the UDP one is used).
pub fn daemon_address(value: &str) -> Result<SocketAddr, String> {
    let udp = value
        .split_whitespace()
        .find_map(|part| part.strip_prefix("udp:"))
        .or_else(|| {
            value
                .split_whitespace()
                .find(|part| !part.starts_with("tcp:"))
        })
        .ok_or_else(|| format!("{DAEMON_ADDRESS_VAR} has no UDP address (got {value:?})"))?;
    udp.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            format!("{DAEMON_ADDRESS_VAR} must be host:port, as Lambda sets it (got {value:?})")
        })
}

/// The exporter.
#[derive(Debug)]
pub struct XrayUdpExporter {
    socket: UdpSocket,
    daemon: SocketAddr,
    resource: ResourceAttributesWithSchema,
    dropped: DroppedSpans,
}

impl XrayUdpExporter {
    /// An exporter sending to `daemon` from an ephemeral local port.
    pub fn new(daemon: SocketAddr) -> io::Result<Self> {
        let local: SocketAddr = if daemon.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        let socket = UdpSocket::bind(local)?;
        socket.set_nonblocking(true)?;
        Ok(Self {
            socket,
            daemon,
            resource: ResourceAttributesWithSchema::default(),
            dropped: DroppedSpans::default(),
        })
    }

    /// The count of spans it could not send.
    pub fn dropped(&self) -> DroppedSpans {
        self.dropped.clone()
    }

    /// Sends `spans` (sampled ones only), returning how many could not be sent.
    fn send(&self, spans: Vec<SpanData>) -> usize {
        let spans: Vec<SpanData> = spans
            .into_iter()
            .filter(|span| span.span_context.is_sampled())
            .map(annotated)
            .collect();
        if spans.is_empty() {
            return 0;
        }
        let request = ExportTraceServiceRequest {
            resource_spans: group_spans_by_resource_and_scope(spans, &self.resource),
        };
        let cut = datagram::datagrams(request, datagram::MAX_DATAGRAM_BYTES);
        let mut dropped = cut.too_large;
        for (bytes, spans) in cut.parts {
            if let Err(error) = self.socket.send_to(&bytes, self.daemon) {
                tracing::debug!(%error, spans, "a span datagram was not sent to the X-Ray daemon");
                dropped += spans;
            }
        }
        dropped
    }
}

impl SpanExporter for XrayUdpExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let dropped = self.send(batch);
        if dropped > 0 {
            self.dropped.add(dropped);
        }
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.into();
    }
}

/// `span`, listing its tracking id attribute as an X-Ray annotation when it has one.
fn annotated(mut span: SpanData) -> SpanData {
    let has_tracking_id = span
        .attributes
        .iter()
        .any(|kv| kv.key.as_str() == TRACKING_ID_ATTRIBUTE);
    if has_tracking_id {
        span.attributes.push(KeyValue::new(
            ANNOTATIONS_ATTRIBUTE,
            Value::Array(Array::String(vec![StringValue::from(
                TRACKING_ID_ATTRIBUTE,
            )])),
        ));
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_address_is_read_in_both_forms_lambda_and_the_sdks_use() {
        let expected: SocketAddr = "127.0.0.1:2000".parse().unwrap();
        for value in [
            "127.0.0.1:2000",
            "udp:127.0.0.1:2000 tcp:127.0.0.1:2001",
            "tcp:127.0.0.1:2001 udp:127.0.0.1:2000",
        ] {
            assert_eq!(daemon_address(value), Ok(expected), "{value}");
        }
        for value in ["", "tcp:127.0.0.1:2001", "not an address"] {
            let error = daemon_address(value).unwrap_err();
            assert!(error.contains(DAEMON_ADDRESS_VAR), "{value}: {error}");
        }
    }
}
