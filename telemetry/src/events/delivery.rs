//! The delivery's events: one attempt ended, a delivery reached its end.

use super::{AttemptOutcome, DeliveryOutcome, Event, ms, span_attribute};
use crate::{
    Telemetry,
    emf::{Record, catalog::*},
};
use std::time::Duration;

/// One delivery attempt ended.
#[derive(Debug, Clone)]
pub struct DeliveryAttemptFinished<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// The attempt's number.
    pub attempt: u32,
    /// How the attempt ended.
    pub outcome: AttemptOutcome,
    /// Time the attempt took.
    pub latency: Duration,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// What went wrong, if anything.
    pub error: Option<&'a str>,
    /// The answer's routing category, when known.
    pub category: Option<&'a str>,
}

impl Event for DeliveryAttemptFinished<'_> {
    const NAME: &'static str = "DeliveryAttemptFinished";

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
                outcome = self.outcome.as_str(),
                error,
                "delivery attempt failed"
            ),
        }
        span_attribute("revops.delivery.attempt", i64::from(self.attempt));
        span_attribute("revops.delivery.outcome", self.outcome.as_str());
        if let Some(code) = self.status_code {
            span_attribute("http.response.status_code", i64::from(code));
        }
        if let Some(error) = self.error {
            span_attribute("error.type", error.to_owned());
        }
        let record = telemetry
            .record(&[(OUTCOME, self.outcome.as_str())])
            .metric(&DELIVERY_ATTEMPTS, 1.0)
            .metric(&DELIVERY_LATENCY, ms(self.latency));
        telemetry.write(with_category(record, self.category), Some(self.tracking_id));
    }
}

/// A delivery reached its end.
#[derive(Debug, Clone)]
pub struct DeliveryFinished<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// How the delivery ended.
    pub outcome: DeliveryOutcome,
    /// Attempts made.
    pub attempts: u32,
    /// From `queued_at` to the receiver's 2xx, when delivered.
    pub end_to_end: Option<Duration>,
    /// The answer's routing category, when known.
    pub category: Option<&'a str>,
}

impl Event for DeliveryFinished<'_> {
    const NAME: &'static str = "DeliveryFinished";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(
            tracking_id = self.tracking_id,
            outcome = self.outcome.as_str(),
            attempts = self.attempts,
            end_to_end_ms = self.end_to_end.map(ms),
            category = self.category,
            "delivery finished"
        );
        if let Some(category) = self.category {
            span_attribute("revops.category", category.to_owned());
        }
        span_attribute("revops.delivery.final_outcome", self.outcome.as_str());
        let outcome = telemetry
            .record(&[(OUTCOME, self.outcome.as_str())])
            .metric(&DELIVERIES, 1.0);
        telemetry.write(
            with_category(outcome, self.category),
            Some(self.tracking_id),
        );
        let mut totals = telemetry.record(&[]).metric(
            &DELIVERY_RETRIES,
            f64::from(self.attempts.saturating_sub(1)),
        );
        if let Some(end_to_end) = self.end_to_end {
            totals = totals.metric(&END_TO_END_LATENCY, ms(end_to_end));
        }
        telemetry.write(with_category(totals, self.category), Some(self.tracking_id));
    }
}

/// `record` with the routing category as a property (not a dimension: four more
/// metric streams per metric would cost without telling an alarm anything new).
fn with_category(record: Record, category: Option<&str>) -> Record {
    match category {
        Some(category) => record.property("category", category),
        None => record,
    }
}
