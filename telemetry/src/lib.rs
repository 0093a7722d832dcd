//! Telemetry for every binary, in one place: logs (`LOG_LEVEL`, `LOG_FORMAT`), traces
//! (OpenTelemetry with X-Ray-compatible ids, OTLP http/protobuf when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, the X-Ray daemon over UDP in Lambda, the local
//! trace store in `revops serve`), trace context propagation, and CloudWatch EMF
//! metrics from one catalog, written by events that also log and annotate the span.

pub mod agent_steps;
pub mod daily_file;
pub mod emf;
pub mod events;
mod handle;
mod init;
mod logging;
pub mod otel;
pub mod propagation;
pub mod trace_store;
pub mod xray_udp;

pub use events::Event;
pub use handle::{DEFAULT_NAMESPACE, Telemetry};
pub use init::{LogOutput, TelemetryGuard, init};
pub use logging::{LogFormat, UnknownLogFormat, filter_for};
pub use otel::TraceSettings;
