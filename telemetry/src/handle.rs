//! The telemetry handle a host gives its flows: which service this is, the EMF namespace,
//! and where metric lines go. Cheap to clone.

use crate::emf::{MetricSink, NullSink, Record, catalog::SERVICE};
use std::sync::Arc;

/// The default EMF namespace.
pub const DEFAULT_NAMESPACE: &str = "RevOps/WebhookGateway";

/// The handle.
#[derive(Clone)]
pub struct Telemetry {
    inner: Arc<Inner>,
}

struct Inner {
    service: &'static str,
    namespace: String,
    sink: Arc<dyn MetricSink>,
    #[cfg(feature = "test-events")]
    recorder: Option<crate::events::EventRecorder>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry")
            .field("service", &self.inner.service)
            .field("namespace", &self.inner.namespace)
            .finish_non_exhaustive()
    }
}

impl Telemetry {
    /// A handle for `service` writing EMF lines in `namespace` to `sink`.
    pub fn new(
        service: &'static str,
        namespace: impl Into<String>,
        sink: Arc<dyn MetricSink>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                service,
                namespace: namespace.into(),
                sink,
                #[cfg(feature = "test-events")]
                recorder: None,
            }),
        }
    }

    /// A handle for `service` that writes no metrics and notes every event emitted
    /// through it (or a handle made from it with [`for_service`](Self::for_service)) in
    /// the returned recorder.
    #[cfg(feature = "test-events")]
    pub fn recording(service: &'static str) -> (Self, crate::events::EventRecorder) {
        let recorder = crate::events::EventRecorder::default();
        let telemetry = Self {
            inner: Arc::new(Inner {
                service,
                namespace: DEFAULT_NAMESPACE.to_owned(),
                sink: Arc::new(NullSink),
                recorder: Some(recorder.clone()),
            }),
        };
        (telemetry, recorder)
    }

    /// A handle that logs and traces but writes no metrics.
    pub fn without_metrics(service: &'static str) -> Self {
        Self::new(service, DEFAULT_NAMESPACE, Arc::new(NullSink))
    }

    /// The same sink and namespace for another service (the local host runs them all).
    pub fn for_service(&self, service: &'static str) -> Self {
        Self {
            inner: Arc::new(Inner {
                service,
                namespace: self.inner.namespace.clone(),
                sink: self.inner.sink.clone(),
                #[cfg(feature = "test-events")]
                recorder: self.inner.recorder.clone(),
            }),
        }
    }

    /// The service name (the `Service` dimension).
    pub fn service(&self) -> &'static str {
        self.inner.service
    }

    /// Records an event: its log line, metrics and span attributes.
    pub fn emit<E: crate::Event>(&self, event: &E) {
        #[cfg(feature = "test-events")]
        if let Some(recorder) = &self.inner.recorder {
            recorder.note(E::NAME);
        }
        event.emit(self);
    }

    /// A record whose dimensions are `Service` then `extra`.
    pub(crate) fn record(&self, extra: &[(&'static str, &str)]) -> Record {
        let mut dimensions = vec![(SERVICE, self.inner.service.to_owned())];
        dimensions.extend(
            extra
                .iter()
                .map(|(name, value)| (*name, (*value).to_owned())),
        );
        Record::new(dimensions)
    }

    /// Writes `record`, tagged with the tracking id (`null` when there is none) and the
    /// current trace id.
    pub(crate) fn write(&self, record: Record, tracking_id: Option<&str>) {
        let mut record = record.property("tracking_id", tracking_id);
        if let Some(trace_id) = crate::propagation::trace_id(&tracing::Span::current()) {
            record = record.property("trace_id", trace_id);
        }
        let now = chrono::Utc::now().timestamp_millis();
        for line in record.to_lines(&self.inner.namespace, now) {
            self.inner.sink.write_line(&line);
        }
    }
}
