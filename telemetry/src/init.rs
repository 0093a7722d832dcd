//! Installs the process-wide subscriber once: the log layer (text or JSON on standard
//! error), the OpenTelemetry layer, and the local trace store's log layer when the host
//! keeps one. The guard flushes spans on demand (a Lambda invocation's end) and on drop
//! (process exit), and then the log lines still queued.

use crate::{
    LogFormat, TraceSettings, filter_for,
    otel::{Tracing, tracer_provider},
    trace_store::StoreLogLayer,
    xray_udp::DroppedSpans,
};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::io::IsTerminal;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{
    filter::{LevelFilter, Targets},
    fmt,
    fmt::writer::BoxMakeWriter,
    prelude::*,
};

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
    /// What the X-Ray exporter could not send, when there is one.
    xray_dropped: Option<DroppedSpans>,
    /// The background log writers' guards: dropping one writes what it has queued.
    _log_writers: Vec<WorkerGuard>,
}

impl TelemetryGuard {
    /// Exports every finished span now (blocking until done).
    pub fn flush(&self) {
        if let Err(error) = self.provider.force_flush() {
            tracing::debug!(%error, "span flush failed");
        }
    }

    /// How many spans the X-Ray exporter could not send since the process started.
    pub fn spans_dropped(&self) -> u64 {
        self.xray_dropped.as_ref().map_or(0, DroppedSpans::total)
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
    let Tracing {
        provider,
        xray_dropped,
    } = tracer_provider(settings)?;
    let tracer = provider.tracer("revops");
    opentelemetry::global::set_tracer_provider(provider.clone());
    // LOG_LEVEL filters log lines only: spans are traced whatever the log level. The
    // Lambda runtime's own span per invocation is left out: it would start a trace of
    // its own, apart from the invocation's X-Ray trace that the handlers continue. The
    // bridge's own attributes (source location, thread, module, busy and idle times) are
    // left out too: span names and attributes say where a span comes from, and timing
    // every enter and exit costs on the hot path.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_filter(
            Targets::new()
                .with_target("lambda_runtime", LevelFilter::OFF)
                .with_default(LevelFilter::INFO),
        );
    let mut log_writers = Vec::new();
    let store_logs = match &settings.store {
        Some(store) => {
            let (layer, guard) = StoreLogLayer::new(&store.dir)
                .map_err(|e| format!("cannot keep log lines in {}: {e}", store.dir.display()))?;
            log_writers.push(guard);
            Some(layer.with_filter(filter_for(level)))
        }
        None => None,
    };
    let writer = match output {
        LogOutput::Direct => BoxMakeWriter::new(std::io::stderr),
        LogOutput::Background => {
            let (writer, guard) = NonBlockingBuilder::default()
                .lossy(false)
                .thread_name("revops-log")
                // The writer thread flushes once it has written every line queued.
                .finish(std::io::BufWriter::with_capacity(
                    LOG_BUFFER_BYTES,
                    std::io::stderr(),
                ));
            log_writers.push(guard);
            BoxMakeWriter::new(writer)
        }
    };
    let registry = tracing_subscriber::registry().with(otel).with(store_logs);
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
        xray_dropped,
        _log_writers: log_writers,
    })
}
