//! The retry policy: how long to wait before each attempt after the first.

use std::time::Duration;

/// How randomness is mixed into each wait, so that many clients failing together do
/// not retry together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Jitter {
    /// Exactly the scheduled wait.
    None,
    /// Anywhere from zero up to the scheduled wait ("full jitter").
    Full,
    /// The scheduled wait plus up to `ratio` of it on top: never sooner than scheduled.
    Added {
        /// The largest share of the wait added, e.g. `0.2` for up to 20 %.
        ratio: f64,
    },
}

impl Jitter {
    /// Applies the jitter to `base`, with `unit` a uniform sample from `[0, 1)`.
    pub fn apply(self, base: Duration, unit: f64) -> Duration {
        let unit = unit.clamp(0.0, 1.0);
        match self {
            Jitter::None => base,
            Jitter::Full => base.mul_f64(unit),
            Jitter::Added { ratio } => base + base.mul_f64(ratio.max(0.0) * unit),
        }
    }
}

/// A schedule string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid retry schedule {input:?}: {problem} (expected seconds separated by commas, such as \"2,4,8\")"
)]
pub struct ScheduleError {
    input: String,
    problem: String,
}

/// The waits between attempts, jitter, and the longest `Retry-After` honoured.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    waits: Vec<Duration>,
    jitter: Jitter,
    retry_after_cap: Duration,
}

/// The delivery schedule's default, in seconds: the seeds' 2, 4 and 8 s, doubling to
/// about 17 minutes, then hourly steps; about 22 hours of retries in all.
pub const DEFAULT_DELIVERY_WAITS: &[u64] = &[
    2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1800, 3600, 7200, 14400, 21600, 28800,
];

/// The agent's default: the seeds' 2, 4 and 8 s.
pub const DEFAULT_AGENT_WAITS: &[u64] = &[2, 4, 8];

/// The longest `Retry-After` honoured by default (one hour).
pub const DEFAULT_RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

impl RetryPolicy {
    /// A policy with these waits, jitter and `Retry-After` cap.
    pub fn new(waits: Vec<Duration>, jitter: Jitter, retry_after_cap: Duration) -> Self {
        Self {
            waits,
            jitter,
            retry_after_cap,
        }
    }

    /// The default for webhook deliveries (see `DEFAULT_DELIVERY_WAITS`), 20 % jitter added.
    pub fn delivery_default() -> Self {
        Self::from_seconds(DEFAULT_DELIVERY_WAITS)
    }

    /// The default for agent calls (see `DEFAULT_AGENT_WAITS`), 20 % jitter added.
    pub fn agent_default() -> Self {
        Self::from_seconds(DEFAULT_AGENT_WAITS)
    }

    fn from_seconds(seconds: &[u64]) -> Self {
        Self::new(
            seconds.iter().copied().map(Duration::from_secs).collect(),
            Jitter::Added { ratio: 0.2 },
            DEFAULT_RETRY_AFTER_CAP,
        )
    }

    /// Parses a schedule such as `"2,4,8"` or `"0.5, 1.5"` (seconds), keeping this
    /// policy's jitter and cap. An empty string means no retries.
    pub fn with_schedule(&self, schedule: &str) -> Result<Self, ScheduleError> {
        let error = |problem: String| ScheduleError {
            input: schedule.to_owned(),
            problem,
        };
        let waits = if schedule.trim().is_empty() {
            Vec::new()
        } else {
            schedule
                .split(',')
                .map(|part| {
                    let part = part.trim();
                    let seconds: f64 = part
                        .parse()
                        .map_err(|_| error(format!("{part:?} is not a number of seconds")))?;
                    Duration::try_from_secs_f64(seconds)
                        .map_err(|_| error(format!("{part:?} is not a non-negative duration")))
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Self {
            waits,
            ..self.clone()
        })
    }

    /// The same policy with another jitter.
    pub fn with_jitter(self, jitter: Jitter) -> Self {
        Self { jitter, ..self }
    }

    /// The scheduled waits, before jitter.
    pub fn waits(&self) -> &[Duration] {
        &self.waits
    }

    /// The most attempts this policy allows, the first included.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.waits.len()).map_or(u32::MAX, |n| n.saturating_add(1))
    }

    /// How long to wait before attempt `next_attempt` (2 for the first retry), given a
    /// `Retry-After` hint from the failed attempt; `None` once the schedule is spent.
    ///
    /// The wait is the jittered schedule, or the hint when it is longer (the hint capped).
    pub fn wait_before(
        &self,
        next_attempt: u32,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        self.wait_before_with(next_attempt, retry_after, rand::random::<f64>())
    }

    /// [`Self::wait_before`] with the jitter's uniform sample given, for tests.
    pub fn wait_before_with(
        &self,
        next_attempt: u32,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Option<Duration> {
        let index = usize::try_from(next_attempt.checked_sub(2)?).ok()?;
        let base = *self.waits.get(index)?;
        let jittered = self.jitter.apply(base, unit);
        let hinted = retry_after.map_or(Duration::ZERO, |hint| hint.min(self.retry_after_cap));
        Some(jittered.max(hinted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn the_default_delivery_schedule_starts_like_the_seeds_and_lasts_about_a_day() {
        let policy = RetryPolicy::delivery_default();
        assert_eq!(&policy.waits()[..3], &[S(2), S(4), S(8)]);
        let total: Duration = policy.waits().iter().sum();
        assert!(total > S(18 * 3600) && total < S(30 * 3600), "{total:?}");
    }

    #[test]
    fn schedules_parse_from_seconds() {
        let policy = RetryPolicy::agent_default()
            .with_schedule(" 0.5, 2 ,10")
            .unwrap();
        assert_eq!(policy.waits(), &[Duration::from_millis(500), S(2), S(10)]);
        assert_eq!(policy.max_attempts(), 4);
        assert_eq!(
            RetryPolicy::agent_default()
                .with_schedule("")
                .unwrap()
                .max_attempts(),
            1
        );
        let error = RetryPolicy::agent_default()
            .with_schedule("2,soon")
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"soon\""), "{error}");
        assert!(RetryPolicy::agent_default().with_schedule("-1").is_err());
    }

    #[test]
    fn retry_after_wins_when_longer_and_is_capped() {
        let policy = RetryPolicy::new(vec![S(2)], Jitter::None, S(60));
        assert_eq!(policy.wait_before_with(2, None, 0.5), Some(S(2)));
        assert_eq!(policy.wait_before_with(2, Some(S(1)), 0.5), Some(S(2)));
        assert_eq!(policy.wait_before_with(2, Some(S(30)), 0.5), Some(S(30)));
        assert_eq!(policy.wait_before_with(2, Some(S(999)), 0.5), Some(S(60)));
        assert_eq!(policy.wait_before_with(3, None, 0.5), None);
        assert_eq!(policy.wait_before_with(1, None, 0.5), None);
    }

    proptest! {
        #[test]
        fn full_jitter_stays_within_zero_and_the_wait(ms in 0u64..10_000_000, unit in 0.0f64..1.0) {
            let base = Duration::from_millis(ms);
            let wait = Jitter::Full.apply(base, unit);
            prop_assert!(wait <= base);
        }

        #[test]
        fn added_jitter_is_never_sooner_than_scheduled(
            ms in 0u64..10_000_000, unit in 0.0f64..1.0, ratio in 0.0f64..1.0
        ) {
            let base = Duration::from_millis(ms);
            let wait = Jitter::Added { ratio }.apply(base, unit);
            prop_assert!(wait >= base);
            prop_assert!(wait <= base + base.mul_f64(ratio) + Duration::from_nanos(1));
        }

        #[test]
        fn a_wait_exists_for_every_retry_the_schedule_allows(
            waits in proptest::collection::vec(0u64..100_000, 0..20),
            hint in proptest::option::of(0u64..10_000),
        ) {
            let policy = RetryPolicy::new(
                waits.iter().copied().map(Duration::from_millis).collect(),
                Jitter::Added { ratio: 0.2 },
                Duration::from_millis(5_000),
            );
            for attempt in 2..=policy.max_attempts() {
                let wait = policy.wait_before(attempt, hint.map(Duration::from_millis)).unwrap();
                let base = Duration::from_millis(waits[attempt as usize - 2]);
                prop_assert!(wait >= base);
                prop_assert!(wait <= (base + base / 5).max(Duration::from_millis(5_000)) + Duration::from_nanos(1));
            }
            prop_assert_eq!(policy.wait_before(policy.max_attempts() + 1, None), None);
        }
    }
}
