//! The wrapper's retry policy: the shared retry loop around one agent, each call cut
//! short at the deadline, no wait begun that would end past it.

use revops_core::{
    ports::{Agent, AgentAnswer, AgentError, AgentQuestion},
    retry::{RetryOutcome, RetryPolicy, run_with_retries},
};
use tokio::time::Instant;

/// Asks `agent` until it answers, the error is permanent, `policy`'s waits are spent, or
/// the next wait would end past `deadline`; then returns the answer or the last error.
///
/// A call still running at `deadline` is abandoned with [`AgentError::Timeout`], so the
/// function returns by the deadline (give it some margin before a hard limit such as the
/// Lambda function's own timeout).
pub async fn ask_with_retries(
    agent: &dyn Agent,
    question: &AgentQuestion,
    policy: &RetryPolicy,
    deadline: Option<Instant>,
) -> Result<AgentAnswer, AgentError> {
    let outcome = run_with_retries(
        policy,
        1,
        deadline,
        |attempt| ask_once(agent, question, attempt, deadline),
        AgentError::retry_decision,
    )
    .await;
    match outcome {
        RetryOutcome::Succeeded { value, attempts } => {
            if attempts > 1 {
                tracing::info!(attempts, "agent answered after retries");
            }
            Ok(value)
        }
        RetryOutcome::GaveUp {
            error,
            attempts,
            exhausted,
        } => {
            tracing::warn!(attempts, exhausted, %error, "agent gave no answer");
            Err(error)
        }
        RetryOutcome::Deferred {
            error,
            attempts,
            wait,
        } => {
            tracing::warn!(
                attempts,
                next_wait_ms = wait.as_millis(),
                %error,
                "agent gave no answer; the next attempt would end past the deadline"
            );
            Err(error)
        }
    }
}

async fn ask_once(
    agent: &dyn Agent,
    question: &AgentQuestion,
    attempt: u32,
    deadline: Option<Instant>,
) -> Result<AgentAnswer, AgentError> {
    tracing::debug!(attempt, "asking the agent");
    let Some(deadline) = deadline else {
        return agent.ask(question).await;
    };
    let started = Instant::now();
    tokio::time::timeout_at(deadline, agent.ask(question))
        .await
        .unwrap_or_else(|_| Err(AgentError::Timeout(started.elapsed())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use chrono::Utc;
    use revops_core::{TrackingId, retry::Jitter};
    use std::{collections::VecDeque, sync::Mutex, time::Duration};

    /// Answers with the scripted results, in order.
    struct Scripted(Mutex<VecDeque<Result<(), AgentError>>>);

    impl Scripted {
        fn new(results: impl IntoIterator<Item = Result<(), AgentError>>) -> Self {
            Self(Mutex::new(results.into_iter().collect()))
        }
        fn left(&self) -> usize {
            self.0.lock().unwrap().len()
        }
    }

    #[async_trait]
    impl Agent for Scripted {
        async fn ask(&self, _: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
            let next = self.0.lock().unwrap().pop_front().unwrap();
            next.map(|()| AgentAnswer {
                response: "ok".to_owned(),
                session_id: "s1".to_owned(),
                answered_at: Utc::now(),
                ..Default::default()
            })
        }
    }

    /// Never answers.
    struct Silent;

    #[async_trait]
    impl Agent for Silent {
        async fn ask(&self, _: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
            std::future::pending().await
        }
    }

    fn question() -> AgentQuestion {
        AgentQuestion {
            tracking_id: TrackingId::new(),
            query: "What is the deal status for IXIS?".to_owned(),
            session_id: None,
        }
    }

    fn policy(seconds: &[u64]) -> RetryPolicy {
        RetryPolicy::new(
            seconds.iter().copied().map(Duration::from_secs).collect(),
            Jitter::None,
            Duration::from_secs(60),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_on_the_schedule() {
        let agent = Scripted::new([
            Err(AgentError::Throttled { retry_after: None }),
            Err(AgentError::Unavailable("down".to_owned())),
            Ok(()),
        ]);
        let started = Instant::now();
        let answer = ask_with_retries(&agent, &question(), &policy(&[2, 4, 8]), None).await;
        assert_eq!(answer.unwrap().response, "ok");
        assert_eq!(started.elapsed(), Duration::from_secs(6));
        assert_eq!(agent.left(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rejection_is_not_retried() {
        let agent = Scripted::new([Err(AgentError::Rejected("no".to_owned())), Ok(())]);
        let result = ask_with_retries(&agent, &question(), &policy(&[2]), None).await;
        assert_eq!(result, Err(AgentError::Rejected("no".to_owned())));
        assert_eq!(agent.left(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_the_deadline_returns_the_last_error() {
        let agent = Scripted::new([
            Err(AgentError::Unavailable("first".to_owned())),
            Err(AgentError::Unavailable("second".to_owned())),
            Ok(()),
        ]);
        let deadline = Instant::now() + Duration::from_secs(5);
        let result = ask_with_retries(&agent, &question(), &policy(&[2, 4]), Some(deadline)).await;
        assert_eq!(result, Err(AgentError::Unavailable("second".to_owned())));
        assert_eq!(agent.left(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_running_at_the_deadline_is_abandoned() {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(3);
        let result = ask_with_retries(&Silent, &question(), &policy(&[1]), Some(deadline)).await;
        assert_eq!(result, Err(AgentError::Timeout(Duration::from_secs(3))));
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }
}
