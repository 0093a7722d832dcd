//! Installs the process-wide subscriber once: the log layer (text or JSON on standard
//! error) and the OpenTelemetry layer. The guard flushes spans on demand (a Lambda
//! invocation's end) and on drop (process exit).

use crate::{LogFormat, TraceSettings, filter_for, otel::tracer_provider};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing_subscriber::{filter::LevelFilter, fmt, prelude::*};

/// Keeps the tracer provider; flushes it when asked and when dropped.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
}

impl TelemetryGuard {
    /// Exports every finished span now (blocking until done).
    pub fn flush(&self) {
        if let Err(error) = self.provider.force_flush() {
            tracing::debug!(%error, "span flush failed");
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        let _ = self.provider.shutdown();
    }
}

/// Installs logging and tracing for the process. Calling it again leaves the first
/// subscriber in place (and returns a guard over the new, unused provider).
pub fn init(
    level: Option<&str>,
    format: LogFormat,
    settings: &TraceSettings,
) -> Result<TelemetryGuard, String> {
    let provider = tracer_provider(settings)?;
    let tracer = provider.tracer("revops");
    opentelemetry::global::set_tracer_provider(provider.clone());
    // LOG_LEVEL filters log lines only: spans are traced whatever the log level.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(LevelFilter::INFO);
    let registry = tracing_subscriber::registry().with(otel);
    let installed = match format {
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_target(false)
                    .with_filter(filter_for(level)),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr)
                    .with_filter(filter_for(level)),
            )
            .try_init(),
    };
    drop(installed);
    Ok(TelemetryGuard { provider })
}
