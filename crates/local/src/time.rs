//! Times as the database stores them: microseconds since the Unix epoch.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// `at` in microseconds.
pub fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// Microseconds back to a time (the epoch for values out of range).
pub fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// A duration in microseconds, saturating.
pub fn duration_micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}
