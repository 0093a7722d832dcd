//! The OpenTelemetry tracer: X-Ray-compatible trace ids (so the same trace shows in
//! X-Ray), resource attributes naming the service and function, and up to three
//! exporters: OTLP http/protobuf when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, the X-Ray
//! daemon over UDP when `AWS_XRAY_DAEMON_ADDRESS` is (Lambda with active tracing), and
//! the local trace store when the host keeps one. With none, spans still get real ids,
//! so the trace context still flows to the webhook.

use crate::{
    trace_store::{SpanFileExporter, TraceStoreSettings},
    xray_udp::{DAEMON_ADDRESS_VAR, DroppedSpans, XrayUdpExporter, daemon_address},
};
use opentelemetry::KeyValue;
use opentelemetry_aws::trace::XrayIdGenerator;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};

/// Where and as what spans are exported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceSettings {
    /// `OTEL_SERVICE_NAME`, else the binary's own name.
    pub service_name: String,
    /// The Lambda function name (`faas.name`), when running in Lambda.
    pub faas_name: Option<String>,
    /// `cloud.provider` (`aws` in Lambda).
    pub cloud_provider: Option<String>,
    /// The full OTLP traces URL (`…/v1/traces`), if spans are exported.
    pub traces_endpoint: Option<String>,
    /// `AWS_XRAY_DAEMON_ADDRESS`, if spans go to the X-Ray daemon.
    pub xray_daemon: Option<String>,
    /// The local trace store, if the host keeps one (`revops serve` does).
    pub store: Option<TraceStoreSettings>,
}

impl TraceSettings {
    /// Settings from the standard variables: `OTEL_SERVICE_NAME`,
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// (`/v1/traces` appended), and Lambda's `AWS_LAMBDA_FUNCTION_NAME` and
    /// `AWS_XRAY_DAEMON_ADDRESS`. No store: the host that keeps one sets it.
    pub fn from_env(default_service: &str, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let traces_endpoint = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").or_else(|| {
            get("OTEL_EXPORTER_OTLP_ENDPOINT")
                .map(|base| format!("{}/v1/traces", base.trim_end_matches('/')))
        });
        let faas_name = get("AWS_LAMBDA_FUNCTION_NAME");
        Self {
            service_name: get("OTEL_SERVICE_NAME").unwrap_or_else(|| default_service.to_owned()),
            cloud_provider: faas_name.as_ref().map(|_| "aws".to_owned()),
            faas_name,
            traces_endpoint,
            xray_daemon: get(DAEMON_ADDRESS_VAR),
            store: None,
        }
    }
}

/// The tracer provider, and the X-Ray exporter's count of spans it could not send.
#[derive(Debug)]
pub struct Tracing {
    /// The provider.
    pub provider: SdkTracerProvider,
    /// What the X-Ray exporter dropped, when there is one.
    pub xray_dropped: Option<DroppedSpans>,
}

/// Builds the tracer provider; an exporter error (a malformed endpoint or daemon address,
/// a store that cannot be made) is returned.
pub fn tracer_provider(settings: &TraceSettings) -> Result<Tracing, String> {
    let mut attributes = Vec::new();
    if let Some(faas) = &settings.faas_name {
        attributes.push(KeyValue::new("faas.name", faas.clone()));
    }
    if let Some(provider) = &settings.cloud_provider {
        attributes.push(KeyValue::new("cloud.provider", provider.clone()));
    }
    let resource = Resource::builder()
        .with_service_name(settings.service_name.clone())
        .with_attributes(attributes)
        .build();
    let mut builder = SdkTracerProvider::builder()
        .with_id_generator(XrayIdGenerator::default())
        .with_resource(resource);
    if let Some(endpoint) = &settings.traces_endpoint {
        let exporter = SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint.clone())
            .build()
            .map_err(|e| format!("cannot build the OTLP exporter for {endpoint}: {e}"))?;
        builder = builder.with_batch_exporter(exporter);
    }
    let mut xray_dropped = None;
    if let Some(address) = &settings.xray_daemon {
        let daemon = daemon_address(address)?;
        let exporter = XrayUdpExporter::new(daemon)
            .map_err(|e| format!("cannot open a UDP socket for the X-Ray daemon: {e}"))?;
        xray_dropped = Some(exporter.dropped());
        builder = builder.with_batch_exporter(exporter);
    }
    if let Some(store) = &settings.store {
        let exporter = SpanFileExporter::new(&store.dir)
            .map_err(|e| format!("cannot keep spans in {}: {e}", store.dir.display()))?;
        builder = builder.with_batch_exporter(exporter);
    }
    Ok(Tracing {
        provider: builder.build(),
        xray_dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> TraceSettings {
        let map: HashMap<_, _> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        TraceSettings::from_env("revops", |name| map.get(name).cloned())
    }

    #[test]
    fn the_standard_variables_are_honoured() {
        assert_eq!(settings(&[]).traces_endpoint, None);
        assert_eq!(settings(&[]).service_name, "revops");
        let base = settings(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/"),
            ("OTEL_SERVICE_NAME", "gw"),
        ]);
        assert_eq!(
            base.traces_endpoint.as_deref(),
            Some("http://127.0.0.1:4318/v1/traces")
        );
        assert_eq!(base.service_name, "gw");
        let full = settings(&[
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://x/traces"),
            ("AWS_LAMBDA_FUNCTION_NAME", "revops-webhook"),
        ]);
        assert_eq!(full.traces_endpoint.as_deref(), Some("http://x/traces"));
        assert_eq!(full.faas_name.as_deref(), Some("revops-webhook"));
        assert_eq!(full.cloud_provider.as_deref(), Some("aws"));
        assert_eq!(full.xray_daemon, None);
        let lambda = settings(&[("AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129:2000")]);
        assert_eq!(lambda.xray_daemon.as_deref(), Some("169.254.79.129:2000"));
    }
}
