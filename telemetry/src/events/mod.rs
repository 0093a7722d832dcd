//! Telemetry events. Code says `telemetry.emit(&DeliveryAttemptFinished { .. })`; the event
//! writes the log line, the EMF metrics and the current span's attributes together, so
//! the three never disagree. One file per area (`gateway`, `processor`, `delivery`,
//! `receivers`, `host`); outcomes are enums (`outcome`), never strings chosen at the call site. With
//! the `test-events` feature, a test can ask which events a flow emitted
//! (`EventRecorder`).

mod delivery;
mod gateway;
mod host;
mod outcome;
mod processor;
mod receivers;
#[cfg(feature = "test-events")]
mod recorder;

pub use delivery::{DeliveryAttemptFinished, DeliveryFinished};
pub use gateway::{RequestAccepted, RequestRejected};
pub use host::{ColdStart, SpansDropped};
pub use outcome::{AgentOutcome, AttemptOutcome, DeliveryOutcome};
pub use processor::{AgentCallFinished, MessageDeadLettered, MessageReceived, MessageReplayed};
pub use receivers::{CircuitChange, CircuitChanged, DeliveryShortCircuited};
#[cfg(feature = "test-events")]
pub use recorder::EventRecorder;

use std::time::Duration;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Something worth a log line, metrics and span attributes.
pub trait Event {
    /// The event's name (its type's), as a test sees it in an `EventRecorder`
    /// (feature `test-events`).
    const NAME: &'static str;

    /// Writes all three.
    fn emit(&self, telemetry: &crate::Telemetry);
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn span_attribute(key: &'static str, value: impl Into<opentelemetry::Value>) {
    tracing::Span::current().set_attribute(key, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emf::{MemorySink, validate_line};
    use crate::{Telemetry, emf::catalog::CATALOG};
    use std::sync::Arc;

    #[test]
    fn every_event_writes_valid_lines_carrying_the_tracking_id() {
        let sink = Arc::new(MemorySink::default());
        let telemetry = Telemetry::new("processor", "RevOps/Test", sink.clone());
        let id = "e7aeb7e9-5382-41a5-b858-f8010978cd26";
        let ms = Duration::from_millis(12);
        telemetry.emit(&RequestAccepted {
            tracking_id: id,
            latency: ms,
        });
        telemetry.emit(&RequestRejected {
            reason: "invalid_fields",
            status: 400,
            latency: ms,
        });
        telemetry.emit(&MessageReceived {
            tracking_id: id,
            queue_wait: ms,
            receive_count: 1,
            messaging_system: "aws_sqs",
        });
        telemetry.emit(&AgentCallFinished {
            tracking_id: id,
            attempts: 2,
            outcome: AgentOutcome::Success,
            latency: ms,
            error: None,
            tokens: Some((1200, 300)),
            agents_used: &["ManagerAgent".to_owned(), "DealAnalysisAgent".to_owned()],
        });
        telemetry.emit(&DeliveryAttemptFinished {
            tracking_id: id,
            attempt: 1,
            outcome: AttemptOutcome::Retrying,
            latency: ms,
            status_code: Some(500),
            error: Some("HTTP 500"),
            category: Some("deal_analysis"),
        });
        telemetry.emit(&DeliveryFinished {
            tracking_id: id,
            outcome: DeliveryOutcome::Delivered,
            attempts: 2,
            end_to_end: Some(ms),
            category: Some("deal_analysis"),
        });
        telemetry.emit(&MessageDeadLettered {
            tracking_id: Some(id),
        });
        telemetry.emit(&MessageReplayed {
            tracking_id: id,
            by: "revops dlq replay",
        });
        telemetry.emit(&DeliveryShortCircuited {
            tracking_id: id,
            origin: "https://hooks.example.com:443",
        });
        telemetry.emit(&ColdStart);
        telemetry.emit(&SpansDropped { count: 3 });
        for change in [CircuitChange::Opened, CircuitChange::Closed] {
            telemetry.emit(&CircuitChanged {
                origin: "https://hooks.example.com:443",
                change,
                failures: 5,
                error: Some("HTTP 503"),
            });
        }

        let lines = sink.lines();
        let mut names = Vec::new();
        for line in &lines {
            names.extend(validate_line(line).unwrap().into_iter().map(|m| m.name));
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            // A circuit belongs to a receiver, not to one request.
            let key = if line.contains("ReceiverCircuits") {
                "origin"
            } else {
                "tracking_id"
            };
            assert!(value.as_object().unwrap().contains_key(key), "{line}");
            assert_eq!(value["Service"], "processor");
        }
        let with_category = lines
            .iter()
            .filter(|line| line.contains(r#""category":"deal_analysis""#))
            .count();
        assert_eq!(
            with_category, 3,
            "the attempt's line and both of the delivery's end carry the category"
        );
        names.sort();
        names.dedup();
        let mut catalog: Vec<_> = CATALOG.iter().map(|m| m.name.to_owned()).collect();
        catalog.sort();
        assert_eq!(
            names, catalog,
            "every catalog metric is emitted by some event"
        );
    }
}
