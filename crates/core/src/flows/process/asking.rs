//! Asking the agent for a message's answer, with retries; when it still does not
//! answer, the message comes back later.

use super::{Disposition, HandleOutcome, ProcessError, Processor};
use crate::{
    Status,
    flows::{RequestMessage, classify, known_record::KnownRecord},
    ports::{AgentAnswer, AgentError, AgentQuestion, StatusUpdate},
    retry::{RetryOutcome, run_with_retries},
};
use revops_telemetry::events::{AgentCallFinished, AgentOutcome, MessageDeadLettered};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

impl Processor {
    /// Asks the agent with retries. `Ok(Ok(..))`: the answer, and the `agent_completed`
    /// step that stores it, for the next write to carry. `Ok(Err(..))`: no answer, and
    /// what to do instead: after the `receive_count`-th receive, the message comes back
    /// after that receive's wait in `AGENT_RETRY_BACKOFF`, or, on the last receive
    /// (`REVOPS_MAX_RECEIVES`), is dead-lettered with the agent's last error.
    #[allow(
        clippy::type_complexity,
        reason = "the one caller matches on the three outcomes at once"
    )]
    pub(super) async fn ask_agent(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
        receive_count: u32,
    ) -> Result<Result<(AgentAnswer, StatusUpdate), (HandleOutcome, Disposition)>, ProcessError>
    {
        let id = &message.tracking_id;
        let question = AgentQuestion {
            tracking_id: *id,
            query: message.request.query.as_str().to_owned(),
            session_id: message
                .request
                .session_id
                .as_ref()
                .map(|s| s.as_str().to_owned()),
        };
        let span = tracing::info_span!(
            "invoke_agent",
            otel.name = "invoke_agent revops-manager-agent",
            otel.kind = "client",
            gen_ai.operation.name = "invoke_agent",
            revops.tracking_id = %id,
        );
        let started = Instant::now();
        let outcome = run_with_retries(
            &self.config.agent_policy,
            1,
            None,
            |_| self.agent.ask(&question),
            AgentError::retry_decision,
        )
        .instrument(span.clone())
        .await;
        let (attempts, agent_outcome, error) = match &outcome {
            RetryOutcome::Succeeded { attempts, .. } => (*attempts, AgentOutcome::Success, None),
            RetryOutcome::GaveUp {
                error,
                attempts,
                exhausted: false,
            } => (*attempts, AgentOutcome::Failed, Some(error.to_string())),
            RetryOutcome::GaveUp {
                error, attempts, ..
            }
            | RetryOutcome::Deferred {
                error, attempts, ..
            } => (*attempts, AgentOutcome::Retrying, Some(error.to_string())),
        };
        let answer = match &outcome {
            RetryOutcome::Succeeded { value, .. } => Some(value),
            _ => None,
        };
        span.in_scope(|| {
            self.telemetry.emit(&AgentCallFinished {
                tracking_id: &id.to_string(),
                attempts,
                outcome: agent_outcome,
                latency: started.elapsed(),
                error: error.as_deref(),
                tokens: answer
                    .and_then(|a| a.usage)
                    .map(|usage| (usage.input_tokens, usage.output_tokens)),
                agents_used: answer.map_or(&[], |a| a.agents_used.as_slice()),
            });
        });
        drop(span);
        let agent_calls = known.read(|record| record.agent_calls) + attempts;
        match outcome {
            RetryOutcome::Succeeded { value, attempts } => {
                let category = classify(&question.query, &value.response);
                let answered = StatusUpdate::new(Status::AgentCompleted, self.clock.now())
                    .detail(format!(
                        "the agent answered (call {attempts}); category {category}"
                    ))
                    .answer(value.clone())
                    .category(category)
                    .agent_calls(agent_calls)
                    .last_error(None);
                Ok(Ok((value, answered)))
            }
            RetryOutcome::GaveUp {
                error,
                exhausted: false,
                ..
            } => {
                self.update(
                    known,
                    StatusUpdate::new(Status::Failed, self.clock.now())
                        .detail("the agent refused the request")
                        .agent_calls(agent_calls)
                        .last_error(Some(error.to_string()))
                        .keep_request(&message.request),
                )
                .await?;
                Ok(Err((HandleOutcome::Failed, Disposition::Ack)))
            }
            RetryOutcome::GaveUp { error, .. } | RetryOutcome::Deferred { error, .. }
                if receive_count >= self.config.max_receives =>
            {
                let reason =
                    format!("the agent did not answer in {receive_count} receives: {error}");
                self.update(
                    known,
                    StatusUpdate::new(Status::DeadLettered, self.clock.now())
                        .detail(format!(
                            "the agent did not answer in {receive_count} receives; moved to the dead-letter queue"
                        ))
                        .agent_calls(agent_calls)
                        .last_error(Some(error.to_string()))
                        .keep_request(&message.request),
                )
                .await?;
                self.telemetry.emit(&MessageDeadLettered {
                    tracking_id: Some(&id.to_string()),
                });
                Ok(Err((
                    HandleOutcome::DeadLettered,
                    Disposition::DeadLetter { reason },
                )))
            }
            RetryOutcome::GaveUp { error, .. } | RetryOutcome::Deferred { error, .. } => {
                let after = self.config.agent_backoff.after_receive(receive_count);
                self.update(
                    known,
                    StatusUpdate::new(Status::RetryScheduled, self.clock.now())
                        .detail(format!(
                            "the agent did not answer; asking again in {}",
                            seconds(after)
                        ))
                        .agent_calls(agent_calls)
                        .last_error(Some(error.to_string())),
                )
                .await?;
                let disposition = Disposition::RetryLater {
                    after,
                    reason: error.to_string(),
                };
                Ok(Err((
                    HandleOutcome::AgentRescheduled { after },
                    disposition,
                )))
            }
        }
    }
}

/// A wait in seconds, for people: `4.2 s`.
fn seconds(wait: Duration) -> String {
    format!("{:.1} s", wait.as_secs_f64())
}
