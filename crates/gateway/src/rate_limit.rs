//! A rate limit per `source_system`: a token bucket each (GCRA, via `governor`), so one
//! noisy caller cannot crowd out the others; over it, `429` with `Retry-After`.
//! Configured by `RATE_LIMIT_PER_SOURCE` (requests per second, `0` turns it off; off by
//! default locally, 100 in Lambda) and `RATE_LIMIT_BURST`.

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};
use revops_core::config::{ConfigError, Env};
use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

/// Checks between sweeps of idle buckets.
const SWEEP_EVERY: u64 = 10_000;

/// The limiter.
pub struct SourceRateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
    checks: AtomicU64,
}

impl std::fmt::Debug for SourceRateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SourceRateLimit")
    }
}

impl SourceRateLimit {
    /// `per_second` requests a second per source, bursts of up to `burst`.
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            checks: AtomicU64::new(0),
        }
    }

    /// From `RATE_LIMIT_PER_SOURCE` (the host's `default_per_second` when unset) and
    /// `RATE_LIMIT_BURST` (default twice that); `None` when it is `0`, off.
    pub fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        default_per_second: u32,
    ) -> Result<Option<Self>, ConfigError> {
        let per_second: u32 = env.parse(
            "RATE_LIMIT_PER_SOURCE",
            default_per_second,
            "requests per second (0 turns it off)",
        )?;
        let Some(per_second) = NonZeroU32::new(per_second) else {
            return Ok(None);
        };
        let burst: u32 = env.parse(
            "RATE_LIMIT_BURST",
            per_second.get().saturating_mul(2),
            "a whole number",
        )?;
        let burst = NonZeroU32::new(burst)
            .ok_or_else(|| ConfigError::new("RATE_LIMIT_BURST", "must be at least 1"))?;
        Ok(Some(Self::new(per_second, burst)))
    }

    /// Takes a token for `source`; `Err` is how long until one is free.
    pub fn check(&self, source: &str) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&source.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_has_its_own_bucket() {
        let one = NonZeroU32::new(1).unwrap();
        let limit = SourceRateLimit::new(one, NonZeroU32::new(2).unwrap());
        assert!(limit.check("a").is_ok());
        assert!(limit.check("a").is_ok());
        let wait = limit.check("a").unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limit.check("b").is_ok(), "another source is not held up");
    }
}
