//! Which events fired, for tests (the `test-events` feature): a handle made with
//! [`Telemetry::recording`](crate::Telemetry::recording) notes the name of every event
//! emitted through it, or through a handle derived from it, in order.

use std::sync::{Arc, Mutex, PoisonError};

/// The names of the events emitted so far, oldest first.
#[derive(Debug, Clone, Default)]
pub struct EventRecorder {
    names: Arc<Mutex<Vec<&'static str>>>,
}

impl EventRecorder {
    /// Notes that `name` fired.
    pub(crate) fn note(&self, name: &'static str) {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(name);
    }

    /// Every event emitted so far, oldest first.
    pub fn names(&self) -> Vec<&'static str> {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
