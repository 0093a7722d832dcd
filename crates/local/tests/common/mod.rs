//! What the adapter tests share: a clock the test moves by hand.

use chrono::{DateTime, Utc};
use revops_core::Clock;
use std::{sync::Mutex, time::Duration};

/// A clock that stands still until the test moves it.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock at the current time.
    pub fn now_ish() -> Self {
        Self(Mutex::new(Utc::now()))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += chrono::Duration::from_std(by).unwrap();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}
