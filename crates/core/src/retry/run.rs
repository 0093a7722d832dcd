//! The retry loop: call, classify the failure, wait as the policy says, call again; stop
//! when the error is permanent, the schedule is spent, or the next wait would end past a
//! deadline (the caller then defers the work, e.g. back to the queue with a delay).

use super::RetryPolicy;
use std::{future::Future, time::Duration};
use tokio::time::Instant;

/// What a failed attempt means for the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Permanent: do not try again.
    Stop,
    /// Transient: try again, no sooner than `after` if the failure said so (`Retry-After`).
    Retry {
        /// The failure's own hint of when to come back.
        after: Option<Duration>,
    },
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum RetryOutcome<T, E> {
    /// An attempt succeeded.
    Succeeded {
        /// Its value.
        value: T,
        /// The number of the attempt that succeeded.
        attempts: u32,
    },
    /// The last attempt failed and no other will be made: the error was permanent
    /// (`exhausted` false) or the schedule is spent (`exhausted` true).
    GaveUp {
        /// The last error.
        error: E,
        /// The number of the last attempt.
        attempts: u32,
        /// Whether the schedule ran out (as opposed to a permanent error).
        exhausted: bool,
    },
    /// The next attempt is due but its wait would end past the deadline: the caller
    /// should make attempt `attempts + 1` after `wait`, elsewhere.
    Deferred {
        /// The last error.
        error: E,
        /// The number of the last attempt made.
        attempts: u32,
        /// The wait before the next attempt.
        wait: Duration,
    },
}

/// What follows failed attempt `attempt`, as a run decides it: a caller that writes
/// each step down (the delivery, which records when the next attempt is due) runs its
/// own loop on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again after this wait.
    Retry(Duration),
    /// Try again after this wait, which would end past the deadline: elsewhere.
    Defer(Duration),
    /// No more attempts: the error is permanent (`exhausted` false) or the schedule is
    /// spent (`exhausted` true).
    GiveUp {
        /// Whether the schedule ran out.
        exhausted: bool,
    },
}

/// What follows failed attempt `attempt`, whose failure `decision` classified, under
/// `policy` and before `deadline`.
pub fn after_failure(
    policy: &RetryPolicy,
    attempt: u32,
    decision: RetryDecision,
    deadline: Option<Instant>,
) -> AfterFailure {
    let RetryDecision::Retry { after } = decision else {
        return AfterFailure::GiveUp { exhausted: false };
    };
    let Some(wait) = policy.wait_before(attempt + 1, after) else {
        return AfterFailure::GiveUp { exhausted: true };
    };
    if deadline.is_some_and(|deadline| Instant::now() + wait > deadline) {
        return AfterFailure::Defer(wait);
    }
    AfterFailure::Retry(wait)
}

/// Runs `op` (given the attempt number, from `first_attempt`) until it succeeds or
/// `should_retry` or `policy` says to stop, or the next wait would end past `deadline`.
pub async fn run_with_retries<T, E, F, Fut, C>(
    policy: &RetryPolicy,
    first_attempt: u32,
    deadline: Option<Instant>,
    mut op: F,
    should_retry: C,
) -> RetryOutcome<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Fn(&E) -> RetryDecision,
{
    let mut attempt = first_attempt.max(1);
    loop {
        let error = match op(attempt).await {
            Ok(value) => {
                return RetryOutcome::Succeeded {
                    value,
                    attempts: attempt,
                };
            }
            Err(error) => error,
        };
        match after_failure(policy, attempt, should_retry(&error), deadline) {
            AfterFailure::Retry(wait) => tokio::time::sleep(wait).await,
            AfterFailure::Defer(wait) => {
                return RetryOutcome::Deferred {
                    error,
                    attempts: attempt,
                    wait,
                };
            }
            AfterFailure::GiveUp { exhausted } => {
                return RetryOutcome::GaveUp {
                    error,
                    attempts: attempt,
                    exhausted,
                };
            }
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::Jitter;
    use std::cell::Cell;

    fn policy(seconds: &[u64]) -> RetryPolicy {
        RetryPolicy::new(
            seconds.iter().copied().map(Duration::from_secs).collect(),
            Jitter::None,
            Duration::from_secs(100),
        )
    }

    fn transient(_: &&str) -> RetryDecision {
        RetryDecision::Retry { after: None }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_on_the_schedule_until_success() {
        let calls = Cell::new(0);
        let started = Instant::now();
        let outcome = run_with_retries(
            &policy(&[2, 4, 8]),
            1,
            None,
            |attempt| {
                calls.set(calls.get() + 1);
                async move {
                    if attempt < 3 {
                        Err("busy")
                    } else {
                        Ok(attempt)
                    }
                }
            },
            transient,
        )
        .await;
        assert_eq!(
            outcome,
            RetryOutcome::Succeeded {
                value: 3,
                attempts: 3
            }
        );
        assert_eq!(calls.get(), 3);
        assert_eq!(started.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn stops_at_once_on_a_permanent_error() {
        let outcome: RetryOutcome<(), _> = run_with_retries(
            &policy(&[2, 4]),
            1,
            None,
            |_| async { Err("bad request") },
            |_| RetryDecision::Stop,
        )
        .await;
        assert_eq!(
            outcome,
            RetryOutcome::GaveUp {
                error: "bad request",
                attempts: 1,
                exhausted: false
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_when_the_schedule_is_spent() {
        let outcome: RetryOutcome<(), _> = run_with_retries(
            &policy(&[1, 1]),
            1,
            None,
            |_| async { Err("down") },
            transient,
        )
        .await;
        assert_eq!(
            outcome,
            RetryOutcome::GaveUp {
                error: "down",
                attempts: 3,
                exhausted: true
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn defers_a_wait_that_would_end_past_the_deadline() {
        let deadline = Instant::now() + Duration::from_secs(5);
        let outcome: RetryOutcome<(), _> = run_with_retries(
            &policy(&[2, 4, 8]),
            1,
            Some(deadline),
            |_| async { Err("down") },
            transient,
        )
        .await;
        assert_eq!(
            outcome,
            RetryOutcome::Deferred {
                error: "down",
                attempts: 2,
                wait: Duration::from_secs(4)
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn resumes_from_a_later_attempt_and_honours_retry_after() {
        let started = Instant::now();
        let outcome = run_with_retries(
            &policy(&[2, 4, 8]),
            3,
            None,
            |attempt| async move {
                if attempt == 3 {
                    Err("slow down")
                } else {
                    Ok(attempt)
                }
            },
            |_| RetryDecision::Retry {
                after: Some(Duration::from_secs(20)),
            },
        )
        .await;
        assert_eq!(
            outcome,
            RetryOutcome::Succeeded {
                value: 4,
                attempts: 4
            }
        );
        assert_eq!(started.elapsed(), Duration::from_secs(20));
    }
}
