//! Retries as data: a [`RetryPolicy`] (the waits between attempts, jitter, a cap on
//! `Retry-After`) and the one loop that applies it, [`run_with_retries`], which agent
//! calls and webhook deliveries share.

mod policy;
mod receive_backoff;
mod run;

pub use policy::{Jitter, RetryPolicy, ScheduleError};
pub use receive_backoff::{BackoffError, DEFAULT_BACKOFF, MAX_BACKOFF, ReceiveBackoff};
pub use run::{AfterFailure, RetryDecision, RetryOutcome, after_failure, run_with_retries};
