//! The host's own events: a process started; spans were dropped on their way to X-Ray.

use super::Event;
use crate::{Telemetry, emf::catalog::*};

/// A process started (in Lambda: a cold start).
#[derive(Debug, Clone, Default)]
pub struct ColdStart;

impl Event for ColdStart {
    const NAME: &'static str = "ColdStart";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::info!(service = telemetry.service(), "cold start");
        let record = telemetry.record(&[]).metric(&COLD_STARTS, 1.0);
        telemetry.write(record, None);
    }
}

/// The X-Ray exporter could not send `count` spans since the last report.
#[derive(Debug, Clone)]
pub struct SpansDropped {
    /// How many.
    pub count: u64,
}

impl Event for SpansDropped {
    const NAME: &'static str = "SpansDropped";

    fn emit(&self, telemetry: &Telemetry) {
        tracing::warn!(
            service = telemetry.service(),
            spans = self.count,
            "spans could not be sent to the X-Ray daemon"
        );
        #[allow(clippy::cast_precision_loss, reason = "a count of spans fits an f64")]
        let record = telemetry
            .record(&[])
            .metric(&SPANS_DROPPED, self.count as f64);
        telemetry.write(record, None);
    }
}
