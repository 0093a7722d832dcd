//! How long a message whose agent calls all failed stays away before it comes back, by
//! how many times it has been received: a schedule as data (`AGENT_RETRY_BACKOFF`),
//! whose last wait repeats. The default grows from a minute to SQS's fifteen-minute
//! hop, so that with the default receive limit (30) a message outlives about six and a
//! half hours of agent outage before it is dead-lettered, rather than the five minutes
//! that a fixed minute and five receives gave.

use std::time::Duration;

/// The longest wait: SQS delays a message by at most 15 minutes per hop.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// The default schedule, in seconds; the last repeats.
pub const DEFAULT_BACKOFF: &str = "60,120,240,480,900";

/// The waits before a message comes back after its `n`-th receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveBackoff {
    waits: Vec<Duration>,
}

/// A schedule that does not parse: why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BackoffError(String);

impl Default for ReceiveBackoff {
    fn default() -> Self {
        Self::parse(DEFAULT_BACKOFF).expect("the default schedule parses")
    }
}

impl ReceiveBackoff {
    /// Parses `60,120,240` (seconds, comma-separated); one number is a fixed wait.
    pub fn parse(raw: &str) -> Result<Self, BackoffError> {
        let mut waits = Vec::new();
        for part in raw.split(',').map(str::trim) {
            let wait = part
                .parse::<f64>()
                .ok()
                .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
                .ok_or_else(|| {
                    BackoffError(format!(
                        "`{part}` is not a number of seconds (expected a list such as {DEFAULT_BACKOFF})"
                    ))
                })?;
            if wait > MAX_BACKOFF {
                return Err(BackoffError(format!(
                    "`{part}` is longer than SQS's 900 s limit per hop"
                )));
            }
            waits.push(wait);
        }
        Ok(Self { waits })
    }

    /// The wait after the `receive`-th receive (from 1); past the schedule's end, its last.
    pub fn after_receive(&self, receive: u32) -> Duration {
        let index = usize::try_from(receive.saturating_sub(1)).unwrap_or(usize::MAX);
        self.waits
            .get(index)
            .or(self.waits.last())
            .copied()
            .unwrap_or_default()
    }

    /// The time a message spends waiting over `receives` receives that all found the
    /// agent down: how long an outage it outlives before it is dead-lettered.
    pub fn outlasts(&self, receives: u32) -> Duration {
        (1..receives)
            .map(|receive| self.after_receive(receive))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_the_last_repeats() {
        let backoff = ReceiveBackoff::default();
        let waits: Vec<u64> = (1..=7)
            .map(|receive| backoff.after_receive(receive).as_secs())
            .collect();
        assert_eq!(waits, [60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(
            ReceiveBackoff::parse("1")
                .unwrap()
                .after_receive(9)
                .as_secs(),
            1
        );
    }

    #[test]
    fn the_defaults_outlive_six_hours_of_outage() {
        let outlasted = ReceiveBackoff::default().outlasts(30);
        assert!(outlasted >= Duration::from_secs(6 * 3600), "{outlasted:?}");
    }

    #[test]
    fn bad_schedules_say_why() {
        assert!(
            ReceiveBackoff::parse("60,soon")
                .unwrap_err()
                .0
                .contains("`soon`")
        );
        assert!(
            ReceiveBackoff::parse("1200")
                .unwrap_err()
                .0
                .contains("900 s")
        );
    }
}
