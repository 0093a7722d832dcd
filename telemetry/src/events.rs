//! Telemetry events. Code says `telemetry.emit(&DeliveryAttemptFinished { .. })`; the event
//! writes the log line, the EMF metrics and the current span's attributes together, so
//! the three never disagree.

use crate::{Telemetry, emf::catalog::*};
use std::time::Duration;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Something worth a log line, metrics and span attributes.
pub trait Event {
    /// Writes all three.
    fn emit(&self, telemetry: &Telemetry);
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn span_attribute(key: &'static str, value: impl Into<opentelemetry::Value>) {
    tracing::Span::current().set_attribute(key, value);
}

/// The gateway queued a request and answered 202.
#[derive(Debug, Clone)]
pub struct RequestAccepted<'a> {
    /// Its tracking id.
    pub tracking_id: &'a str,
    /// Arrival to answer.
    pub latency: Duration,
}

impl Event for RequestAccepted<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(
            tracking_id = self.tracking_id,
            latency_ms = ms(self.latency),
            "request queued"
        );
        span_attribute("revops.tracking_id", self.tracking_id.to_owned());
        let record = telemetry
            .record(&[])
            .metric(&REQUESTS_ACCEPTED, 1.0)
            .metric(&GATEWAY_LATENCY, ms(self.latency));
        telemetry.write(record, Some(self.tracking_id));
    }
}

/// The gateway refused a request.
#[derive(Debug, Clone)]
pub struct RequestRejected<'a> {
    /// The error code (`invalid_fields`, `payload_too_large`, `unavailable`, …).
    pub reason: &'a str,
    /// The HTTP status answered.
    pub status: u16,
    /// Arrival to answer.
    pub latency: Duration,
}

impl Event for RequestRejected<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        if self.status >= 500 {
            tracing::error!(
                reason = self.reason,
                status = self.status,
                "request not accepted"
            );
        } else {
            tracing::info!(
                reason = self.reason,
                status = self.status,
                "request rejected"
            );
        }
        span_attribute("revops.rejection_reason", self.reason.to_owned());
        let rejected = telemetry
            .record(&[(REASON, self.reason)])
            .metric(&REQUESTS_REJECTED, 1.0);
        telemetry.write(rejected, None);
        let latency = telemetry
            .record(&[])
            .metric(&GATEWAY_LATENCY, ms(self.latency));
        telemetry.write(latency, None);
    }
}

/// A worker took a message from the queue.
#[derive(Debug, Clone)]
pub struct MessageReceived<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// How long it waited in the queue.
    pub queue_wait: Duration,
    /// How many times it has been received.
    pub receive_count: u32,
}

impl Event for MessageReceived<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        tracing::debug!(
            tracking_id = self.tracking_id,
            receive_count = self.receive_count,
            queue_wait_ms = ms(self.queue_wait),
            "message received"
        );
        span_attribute(
            "messaging.aws_sqs.receive_count",
            i64::from(self.receive_count),
        );
        let record = telemetry
            .record(&[])
            .metric(&QUEUE_WAIT, ms(self.queue_wait));
        telemetry.write(record, Some(self.tracking_id));
    }
}

/// The agent was asked (with retries) and answered, or not.
#[derive(Debug, Clone)]
pub struct AgentCallFinished<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// Calls made.
    pub attempts: u32,
    /// `success`, `retrying` (it comes back later) or `failed`.
    pub outcome: &'a str,
    /// Time taken, retries included.
    pub latency: Duration,
    /// The last error, if it did not answer.
    pub error: Option<&'a str>,
}

impl Event for AgentCallFinished<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        match self.error {
            None => tracing::info!(
                tracking_id = self.tracking_id,
                attempts = self.attempts,
                latency_ms = ms(self.latency),
                "agent answered"
            ),
            Some(error) => tracing::warn!(
                tracking_id = self.tracking_id,
                attempts = self.attempts,
                outcome = self.outcome,
                error,
                "agent gave no answer"
            ),
        }
        span_attribute("revops.agent.attempts", i64::from(self.attempts));
        span_attribute("revops.agent.outcome", self.outcome.to_owned());
        let latency = telemetry
            .record(&[(OUTCOME, self.outcome)])
            .metric(&AGENT_LATENCY, ms(self.latency));
        telemetry.write(latency, Some(self.tracking_id));
        let retries = telemetry
            .record(&[])
            .metric(&AGENT_RETRIES, f64::from(self.attempts.saturating_sub(1)));
        telemetry.write(retries, Some(self.tracking_id));
    }
}

/// One delivery attempt ended.
#[derive(Debug, Clone)]
pub struct DeliveryAttemptFinished<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// The attempt's number.
    pub attempt: u32,
    /// `success`, `retrying`, `failed` or `dead_lettered`.
    pub outcome: &'a str,
    /// Time the attempt took.
    pub latency: Duration,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// What went wrong, if anything.
    pub error: Option<&'a str>,
}

impl Event for DeliveryAttemptFinished<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        match self.error {
            None => tracing::info!(
                tracking_id = self.tracking_id,
                attempt = self.attempt,
                status = self.status_code,
                latency_ms = ms(self.latency),
                "webhook delivered"
            ),
            Some(error) => tracing::warn!(
                tracking_id = self.tracking_id,
                attempt = self.attempt,
                outcome = self.outcome,
                error,
                "delivery attempt failed"
            ),
        }
        span_attribute("revops.delivery.attempt", i64::from(self.attempt));
        span_attribute("revops.delivery.outcome", self.outcome.to_owned());
        if let Some(code) = self.status_code {
            span_attribute("http.response.status_code", i64::from(code));
        }
        if let Some(error) = self.error {
            span_attribute("error.type", error.to_owned());
        }
        let record = telemetry
            .record(&[(OUTCOME, self.outcome)])
            .metric(&DELIVERY_ATTEMPTS, 1.0)
            .metric(&DELIVERY_LATENCY, ms(self.latency));
        telemetry.write(record, Some(self.tracking_id));
    }
}

/// A delivery reached its end.
#[derive(Debug, Clone)]
pub struct DeliveryFinished<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// `delivered`, `failed` or `dead_lettered`.
    pub outcome: &'a str,
    /// Attempts made.
    pub attempts: u32,
    /// From `queued_at` to the receiver's 2xx, when delivered.
    pub end_to_end: Option<Duration>,
}

impl Event for DeliveryFinished<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(
            tracking_id = self.tracking_id,
            outcome = self.outcome,
            attempts = self.attempts,
            end_to_end_ms = self.end_to_end.map(ms),
            "delivery finished"
        );
        span_attribute("revops.delivery.final_outcome", self.outcome.to_owned());
        let outcome = telemetry
            .record(&[(OUTCOME, self.outcome)])
            .metric(&DELIVERIES, 1.0);
        telemetry.write(outcome, Some(self.tracking_id));
        let mut totals = telemetry.record(&[]).metric(
            &DELIVERY_RETRIES,
            f64::from(self.attempts.saturating_sub(1)),
        );
        if let Some(end_to_end) = self.end_to_end {
            totals = totals.metric(&END_TO_END_LATENCY, ms(end_to_end));
        }
        telemetry.write(totals, Some(self.tracking_id));
    }
}

/// The queue dead-lettered a message received too often.
#[derive(Debug, Clone)]
pub struct MessageDeadLettered<'a> {
    /// The request's tracking id, if the message could be read.
    pub tracking_id: Option<&'a str>,
}

impl Event for MessageDeadLettered<'_> {
    fn emit(&self, telemetry: &Telemetry) {
        tracing::error!(
            tracking_id = self.tracking_id,
            "message received too many times; dead-lettered"
        );
        let record = telemetry.record(&[]).metric(&MESSAGES_DEAD_LETTERED, 1.0);
        telemetry.write(record, self.tracking_id);
    }
}

/// A process started (in Lambda: a cold start).
#[derive(Debug, Clone, Default)]
pub struct ColdStart;

impl Event for ColdStart {
    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(service = telemetry.service(), "cold start");
        let record = telemetry.record(&[]).metric(&COLD_STARTS, 1.0);
        telemetry.write(record, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emf::{MemorySink, validate_line};
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
        });
        telemetry.emit(&AgentCallFinished {
            tracking_id: id,
            attempts: 2,
            outcome: "success",
            latency: ms,
            error: None,
        });
        telemetry.emit(&DeliveryAttemptFinished {
            tracking_id: id,
            attempt: 1,
            outcome: "retrying",
            latency: ms,
            status_code: Some(500),
            error: Some("HTTP 500"),
        });
        telemetry.emit(&DeliveryFinished {
            tracking_id: id,
            outcome: "delivered",
            attempts: 2,
            end_to_end: Some(ms),
        });
        telemetry.emit(&MessageDeadLettered {
            tracking_id: Some(id),
        });
        telemetry.emit(&ColdStart);

        let lines = sink.lines();
        let mut names = Vec::new();
        for line in &lines {
            names.extend(validate_line(line).unwrap().into_iter().map(|m| m.name));
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(
                value.as_object().unwrap().contains_key("tracking_id"),
                "{line}"
            );
            assert_eq!(value["Service"], "processor");
        }
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
