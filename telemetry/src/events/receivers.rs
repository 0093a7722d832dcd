//! The receivers' health events: a circuit opened or closed, a delivery that waited on an
//! open circuit instead of being attempted. The origin is in the log line and a property
//! of the EMF line, never a metric dimension (receivers are many; the dashboards and the
//! alarm count them all together).

use super::Event;
use crate::{Telemetry, emf::catalog::*};

/// Which way a receiver's circuit moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitChange {
    /// It opened: deliveries to the origin wait.
    Opened,
    /// It closed: a probe was delivered.
    Closed,
}

/// A receiver's circuit opened or closed.
#[derive(Debug, Clone)]
pub struct CircuitChanged<'a> {
    /// The receiver's origin.
    pub origin: &'a str,
    /// Which way.
    pub change: CircuitChange,
    /// Failed attempts in a row when it opened.
    pub failures: u32,
    /// The failure that opened it.
    pub error: Option<&'a str>,
}

impl Event for CircuitChanged<'_> {
    const NAME: &'static str = "CircuitChanged";

    fn emit(&self, telemetry: &Telemetry) {
        let metric = match self.change {
            CircuitChange::Opened => {
                tracing::warn!(
                    origin = self.origin,
                    failures = self.failures,
                    error = self.error,
                    "receiver circuit opened: deliveries to it wait for a probe"
                );
                &RECEIVER_CIRCUITS_OPENED
            }
            CircuitChange::Closed => {
                tracing::info!(
                    origin = self.origin,
                    "receiver circuit closed: a probe got through"
                );
                &RECEIVER_CIRCUITS_CLOSED
            }
        };
        let record = telemetry
            .record(&[])
            .metric(metric, 1.0)
            .property("origin", self.origin);
        telemetry.write(record, None);
    }
}

/// A delivery waited on an open circuit: no attempt was made, none was spent.
#[derive(Debug, Clone)]
pub struct DeliveryShortCircuited<'a> {
    /// The request's tracking id.
    pub tracking_id: &'a str,
    /// The receiver's origin.
    pub origin: &'a str,
}

impl Event for DeliveryShortCircuited<'_> {
    const NAME: &'static str = "DeliveryShortCircuited";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(
            tracking_id = self.tracking_id,
            origin = self.origin,
            "receiver circuit open; the delivery waits without an attempt"
        );
        let record = telemetry
            .record(&[])
            .metric(&DELIVERIES_SHORT_CIRCUITED, 1.0)
            .property("origin", self.origin);
        telemetry.write(record, Some(self.tracking_id));
    }
}
