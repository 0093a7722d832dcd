//! Telemetry in Lambda: JSON logs (unless `LOG_FORMAT` says otherwise), spans exported
//! over OTLP when configured (the ADOT collector layer listens on :4318), EMF lines on
//! standard output, a cold-start metric at init, and a flush before each invocation
//! returns so no span waits for the next one. With active tracing
//! (`AWS_XRAY_DAEMON_ADDRESS`), spans also go to the X-Ray daemon over UDP; spans it
//! could not send are reported after the flush as the `SpansDropped` metric.

use revops_telemetry::{
    LogFormat, LogOutput, Telemetry, TelemetryGuard, TraceSettings,
    emf::StdoutSink,
    events::{ColdStart, SpansDropped},
};
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

/// The function's telemetry: the guard that flushes spans, and the handle events use.
#[derive(Clone)]
pub struct LambdaTelemetry {
    guard: Arc<TelemetryGuard>,
    /// The dropped spans already reported.
    dropped_reported: Arc<AtomicU64>,
    /// The handle for events (its `Service` dimension is the function's role).
    pub handle: Telemetry,
}

impl LambdaTelemetry {
    /// Installs logging and tracing for `service` (`gateway`, `processor`,
    /// `agent-wrapper`) and records the cold start.
    pub fn init(service: &'static str) -> Result<Self, String> {
        let env = |name: &str| std::env::var(name).ok();
        let format = match env("LOG_FORMAT") {
            None => LogFormat::Json,
            Some(raw) => LogFormat::parse(Some(&raw)).map_err(|e| e.to_string())?,
        };
        let traces = TraceSettings::from_env(service, env);
        let guard = revops_telemetry::init(
            env("LOG_LEVEL").as_deref(),
            format,
            LogOutput::Direct,
            &traces,
        )?;
        let namespace = env("REVOPS_METRICS_NAMESPACE")
            .unwrap_or_else(|| revops_telemetry::DEFAULT_NAMESPACE.to_owned());
        let handle = Telemetry::new(service, namespace, Arc::new(StdoutSink));
        handle.emit(&ColdStart);
        Ok(Self {
            guard: Arc::new(guard),
            dropped_reported: Arc::default(),
            handle,
        })
    }

    /// Exports the spans of the invocation that just ended (off the async threads).
    pub async fn flush(&self) {
        let guard = self.guard.clone();
        if tokio::task::spawn_blocking(move || guard.flush())
            .await
            .is_err()
        {
            tracing::debug!("span flush task failed");
        }
        let dropped = self.guard.spans_dropped();
        let reported = self.dropped_reported.swap(dropped, Ordering::Relaxed);
        if dropped > reported {
            self.handle.emit(&SpansDropped {
                count: dropped - reported,
            });
        }
    }
}
