//! The host's own events: a process started.

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
