//! The gateway's events: a request accepted (`202`) or refused.

use super::{Event, ms, span_attribute};
use crate::{Telemetry, emf::catalog::*};
use std::time::Duration;

/// The gateway queued a request and answered 202.
#[derive(Debug, Clone)]
pub struct RequestAccepted<'a> {
    /// Its tracking id.
    pub tracking_id: &'a str,
    /// Arrival to answer.
    pub latency: Duration,
}

impl Event for RequestAccepted<'_> {
    const NAME: &'static str = "RequestAccepted";

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
pub struct RequestRejected {
    /// The error code (`invalid_fields`, `payload_too_large`, `unavailable`, …): one of
    /// the API's fixed set, never text chosen at the call site (it is a metric dimension).
    pub reason: &'static str,
    /// The HTTP status answered.
    pub status: u16,
    /// Arrival to answer.
    pub latency: Duration,
}

impl Event for RequestRejected {
    const NAME: &'static str = "RequestRejected";

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
