//! Delivering a message's answer as a signed webhook: attempts in process while the next
//! wait is short, back to the queue when it is long, every attempt in the timeline.

use super::{Disposition, HandleOutcome, ProcessError, Processor};
use crate::{
    Category, Status,
    flows::{RequestMessage, known_record::KnownRecord, routing::url_variable},
    payload::WebhookPayload,
    ports::{AgentAnswer, Delivered, DeliveryError, DeliveryErrorKind, StatusUpdate, StoreError},
    retry::{RetryDecision, RetryOutcome, run_with_retries},
};
use revops_telemetry::events::{AttemptOutcome, DeliveryAttemptFinished};
use tokio::time::Instant;
use tracing::Instrument;

/// One delivery attempt's failure: the receiver's, or our own store's.
#[derive(Debug)]
enum AttemptError {
    Delivery(DeliveryError),
    Store(StoreError),
}

impl AttemptError {
    fn retry_decision(&self) -> RetryDecision {
        match self {
            AttemptError::Delivery(error) => error.retry_decision(),
            AttemptError::Store(_) => RetryDecision::Stop,
        }
    }
}

impl Processor {
    /// Whether `target` answered `410 Gone` before.
    fn is_gone(&self, target: &str) -> bool {
        self.gone.lock().is_ok_and(|gone| gone.contains(target))
    }

    /// Delivers `answer` with retries. `answered`, if given, is the unwritten step that
    /// stores the answer: the first write here carries it.
    pub(super) async fn deliver(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
        answer: &AgentAnswer,
        category: Category,
        attempts_before: u32,
        answered: Option<StatusUpdate>,
    ) -> Result<(HandleOutcome, Disposition), ProcessError> {
        let Some(target) = self.config.targets.url_for(category) else {
            let failed =
                StatusUpdate::new(Status::Failed, self.clock.now()).last_error(Some(format!(
                    "no webhook URL is configured for this {category} answer (set WEBHOOK_URL, \
                     or {} or GENERAL_WEBHOOK_URL)",
                    url_variable(category)
                )));
            self.update(known, following(failed, answered)).await?;
            return Ok((HandleOutcome::Failed, Disposition::Ack));
        };
        if self.is_gone(target) {
            let failed = StatusUpdate::new(Status::Failed, self.clock.now())
                .detail("not sent: the receiver answered 410 Gone to an earlier delivery")
                .last_error(Some(format!(
                    "{target} answered 410 Gone earlier; deliveries to it are disabled until the processor restarts"
                )));
            self.update(known, following(failed, answered)).await?;
            return Ok((HandleOutcome::Failed, Disposition::Ack));
        }
        let deadline = Instant::now() + self.config.inline_retry_budget;
        let mut answered = answered;
        let outcome = run_with_retries(
            &self.config.delivery_policy,
            attempts_before + 1,
            Some(deadline),
            |attempt| self.attempt(message, known, answer, target, attempt, answered.take()),
            AttemptError::retry_decision,
        )
        .await;
        match outcome {
            RetryOutcome::Succeeded { value, attempts } => {
                let status = if value.status == 0 {
                    String::new()
                } else {
                    format!("HTTP {} ", value.status)
                };
                self.update(
                    known,
                    StatusUpdate::new(Status::Delivered, self.clock.now())
                        .detail(format!("{status}from {target} on attempt {attempts}"))
                        .attempts(attempts)
                        .last_error(None),
                )
                .await?;
                Ok((HandleOutcome::Delivered { attempts }, Disposition::Ack))
            }
            RetryOutcome::GaveUp {
                error: AttemptError::Store(error),
                ..
            }
            | RetryOutcome::Deferred {
                error: AttemptError::Store(error),
                ..
            } => Err(error.into()),
            RetryOutcome::GaveUp {
                error: AttemptError::Delivery(error),
                attempts,
                exhausted: false,
            } => {
                self.update(
                    known,
                    StatusUpdate::new(Status::Failed, self.clock.now())
                        .detail(format!("attempt {attempts} failed and is not retried"))
                        .attempts(attempts)
                        .last_error(Some(error.message)),
                )
                .await?;
                Ok((HandleOutcome::Failed, Disposition::Ack))
            }
            RetryOutcome::GaveUp {
                error: AttemptError::Delivery(error),
                attempts,
                exhausted: true,
            } => {
                self.update(
                    known,
                    StatusUpdate::new(Status::DeadLettered, self.clock.now())
                        .detail(format!(
                            "all {attempts} attempts failed; moved to the dead-letter queue"
                        ))
                        .attempts(attempts)
                        .last_error(Some(error.message.clone())),
                )
                .await?;
                let disposition = Disposition::DeadLetter {
                    reason: error.message,
                };
                Ok((HandleOutcome::DeadLettered, disposition))
            }
            RetryOutcome::Deferred { wait, .. } => Ok((
                HandleOutcome::DeliveryRescheduled { after: wait },
                Disposition::Requeue { after: wait },
            )),
        }
    }

    /// One delivery attempt, recorded before (with the unwritten step `earlier`, if
    /// any) and, when it fails, after.
    async fn attempt(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
        answer: &AgentAnswer,
        target: &str,
        attempt: u32,
        earlier: Option<StatusUpdate>,
    ) -> Result<Delivered, AttemptError> {
        let id = &message.tracking_id;
        let delivering = StatusUpdate::new(Status::Delivering, self.clock.now())
            .detail(format!("attempt {attempt} to {target}"))
            .attempts(attempt);
        self.update(known, following(delivering, earlier))
            .await
            .map_err(AttemptError::Store)?;
        let payload = WebhookPayload::new(*id, &message.request, answer, target, self.clock.now());
        let body = serde_json::to_vec(&payload).expect("a webhook payload always serialises");
        let span = tracing::info_span!(
            "deliver",
            otel.name = "POST",
            otel.kind = "client",
            http.request.method = "POST",
            url.full = target,
            revops.tracking_id = %id,
            revops.delivery.attempt = attempt,
        );
        let started = Instant::now();
        let result = self
            .deliverer
            .deliver(target, id, attempt, &body)
            .instrument(span.clone())
            .await;
        let will_retry = result.as_ref().is_err_and(|error| {
            error.is_retryable() && attempt < self.config.delivery_policy.max_attempts()
        });
        span.in_scope(|| {
            let (outcome, status_code, error) = match &result {
                Ok(delivered) => (
                    AttemptOutcome::Success,
                    Some(delivered.status).filter(|s| *s != 0),
                    None,
                ),
                Err(error) => {
                    let outcome = if will_retry {
                        AttemptOutcome::Retrying
                    } else if error.is_retryable() {
                        AttemptOutcome::DeadLettered
                    } else {
                        AttemptOutcome::Failed
                    };
                    let code = match error.kind {
                        DeliveryErrorKind::Status { code, .. } => Some(code),
                        _ => None,
                    };
                    (outcome, code, Some(error.message.as_str()))
                }
            };
            self.telemetry.emit(&DeliveryAttemptFinished {
                tracking_id: &id.to_string(),
                attempt,
                outcome,
                latency: started.elapsed(),
                status_code,
                error,
                category: known.read(|record| record.category.map(Category::as_str)),
            });
        });
        drop(span);
        if let Err(DeliveryError {
            kind: DeliveryErrorKind::Status { code: 410, .. },
            ..
        }) = &result
        {
            tracing::warn!(
                target,
                "the receiver answered 410 Gone; no more deliveries go to it"
            );
            if let Ok(mut gone) = self.gone.lock() {
                gone.insert(target.to_owned());
            }
        }
        match result {
            Ok(delivered) => Ok(delivered),
            Err(error) => {
                if will_retry {
                    self.update(
                        known,
                        StatusUpdate::new(Status::RetryScheduled, self.clock.now())
                            .detail(format!("attempt {attempt} failed: {}", error.message))
                            .last_error(Some(error.message.clone())),
                    )
                    .await
                    .map_err(AttemptError::Store)?;
                }
                Err(AttemptError::Delivery(error))
            }
        }
    }
}

/// `update`, written after the unwritten step `earlier`, if there is one.
fn following(update: StatusUpdate, earlier: Option<StatusUpdate>) -> StatusUpdate {
    match earlier {
        Some(earlier) => update.after(earlier),
        None => update,
    }
}
