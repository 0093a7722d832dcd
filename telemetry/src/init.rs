//! Installs the process-wide subscriber once: the log layer (text or JSON on standard
//! error) and the OpenTelemetry layer. The guard flushes spans on demand (a Lambda
//! invocation's end) and on drop (process exit), and then the log lines still queued.

use crate::{LogFormat, TraceSettings, filter_for, otel::tracer_provider};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{filter::LevelFilter, fmt, fmt::writer::BoxMakeWriter, prelude::*};

/// What the background log writer gathers before a `write` call, at most.
const LOG_BUFFER_BYTES: usize = 64 * 1024;

/// How log lines reach standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogOutput {
    /// Written by the thread that logs, before it goes on: what a Lambda function needs,
    /// since its process may be frozen as soon as an invocation returns.
    Direct,
    /// Handed to a writer thread, which writes every line queued meanwhile with one
    /// `write` call, so a busy server does not make one per line. Nothing is dropped
    /// while the process runs: a full queue makes the logging thread wait, and the guard
    /// writes what is queued at exit. A process killed outright loses the lines still
    /// queued.
    Background,
}

/// Keeps the tracer provider and the log writer; flushes them when asked and when
/// dropped.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
    /// The background log writer's guard, if any: dropping it writes what is queued.
    _log_writer: Option<WorkerGuard>,
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
    output: LogOutput,
    settings: &TraceSettings,
) -> Result<TelemetryGuard, String> {
    let provider = tracer_provider(settings)?;
    let tracer = provider.tracer("revops");
    opentelemetry::global::set_tracer_provider(provider.clone());
    // LOG_LEVEL filters log lines only: spans are traced whatever the log level.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(LevelFilter::INFO);
    let (writer, log_writer) = match output {
        LogOutput::Direct => (BoxMakeWriter::new(std::io::stderr), None),
        LogOutput::Background => {
            let (writer, guard) = NonBlockingBuilder::default()
                .lossy(false)
                .thread_name("revops-log")
                // The writer thread flushes once it has written every line queued.
                .finish(std::io::BufWriter::with_capacity(
                    LOG_BUFFER_BYTES,
                    std::io::stderr(),
                ));
            (BoxMakeWriter::new(writer), Some(guard))
        }
    };
    let registry = tracing_subscriber::registry().with(otel);
    let installed = match format {
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_writer(writer)
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
                    .with_writer(writer)
                    .with_filter(filter_for(level)),
            )
            .try_init(),
    };
    drop(installed);
    Ok(TelemetryGuard {
        provider,
        _log_writer: log_writer,
    })
}
