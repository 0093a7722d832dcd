//! Delivering a message's answer as a signed webhook: attempts in process while the next
//! wait is short, back to the queue when it is long, every attempt in the timeline and
//! in the record's attempts, with when the next one is due. Each attempt first asks the
//! receiver's health (`breaker`): a disabled URL fails at once, an open circuit makes
//! the delivery wait in the queue without an attempt.

use super::{Disposition, HandleOutcome, ProcessError, Processor, breaker::Gate};
use crate::{
    AttemptResult, Category, DeliveryAttempt, Status,
    flows::{RequestMessage, known_record::KnownRecord, routing::url_variable},
    payload::WebhookPayload,
    ports::{
        AgentAnswer, Delivered, DeliveryError, DeliveryErrorKind, StatusUpdate, StoreError,
        origin_of,
    },
    retry::{AfterFailure, after_failure},
};
use revops_telemetry::events::{AttemptOutcome, DeliveryAttemptFinished, DeliveryShortCircuited};
use tokio::time::Instant;
use tracing::Instrument;

/// One attempt made: how it ended, what follows it, and its record.
struct Tried {
    result: Result<Delivered, DeliveryError>,
    /// What follows a failure (`None` on success).
    next: Option<AfterFailure>,
    attempt: DeliveryAttempt,
}

impl Processor {
    /// Delivers `answer` with retries. `answered`, if given, is the unwritten step that
    /// stores the answer: the first write here carries it. Each attempt is written down
    /// when it ends, with what follows it: the next attempt's due time, or the end.
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
            let failed = StatusUpdate::new(Status::Failed, self.clock.now())
                .last_error(Some(format!(
                    "no webhook URL is configured for this {category} answer (set WEBHOOK_URL, \
                     or {} or GENERAL_WEBHOOK_URL)",
                    url_variable(category)
                )))
                .keep_request(&message.request);
            self.update(known, following(failed, answered)).await?;
            return Ok((HandleOutcome::Failed, Disposition::Ack));
        };
        let deadline = Instant::now() + self.config.inline_retry_budget;
        let mut earlier = answered;
        let mut attempt = attempts_before + 1;
        loop {
            match self.gate(target).await? {
                Gate::Go => {}
                Gate::Disabled(disabled) => {
                    let failed = StatusUpdate::new(Status::Failed, self.clock.now())
                        .detail("not sent: the URL is disabled")
                        .last_error(Some(format!(
                            "{target} is disabled: it answered 410 Gone at {} ({}); \
                             `revops receivers enable {target}` lifts it",
                            disabled.at.to_rfc3339(),
                            disabled.reason
                        )))
                        .next_attempt_at(None)
                        .keep_request(&message.request);
                    self.update(known, following(failed, earlier)).await?;
                    return Ok((HandleOutcome::Failed, Disposition::Ack));
                }
                Gate::Wait { until, why } => {
                    let now = self.clock.now();
                    let waiting = StatusUpdate::new(Status::RetryScheduled, now)
                        .detail(why)
                        .next_attempt_at(Some(until));
                    self.update(known, following(waiting, earlier)).await?;
                    self.telemetry.emit(&DeliveryShortCircuited {
                        tracking_id: &message.tracking_id.to_string(),
                        origin: &origin_of(target),
                    });
                    let after = (until - now).to_std().unwrap_or_default();
                    return Ok((
                        HandleOutcome::DeliveryRescheduled { after },
                        Disposition::Requeue { after },
                    ));
                }
            }
            let tried = self
                .attempt(
                    message,
                    known,
                    answer,
                    target,
                    attempt,
                    earlier.take(),
                    deadline,
                )
                .await?;
            let now = self.clock.now();
            let (error, next) = match (tried.result, tried.next) {
                (Ok(delivered), _) => {
                    let status = if delivered.status == 0 {
                        String::new()
                    } else {
                        format!("HTTP {} ", delivered.status)
                    };
                    self.update(
                        known,
                        StatusUpdate::new(Status::Delivered, now)
                            .detail(format!("{status}from {target} on attempt {attempt}"))
                            .attempts(attempt)
                            .last_error(None)
                            .delivery_attempt(tried.attempt)
                            .next_attempt_at(None),
                    )
                    .await?;
                    return Ok((
                        HandleOutcome::Delivered { attempts: attempt },
                        Disposition::Ack,
                    ));
                }
                (Err(error), next) => (
                    error,
                    next.unwrap_or(AfterFailure::GiveUp { exhausted: false }),
                ),
            };
            let ended = StatusUpdate::new(Status::RetryScheduled, now)
                .attempts(attempt)
                .last_error(Some(error.message.clone()))
                .delivery_attempt(tried.attempt);
            match next {
                AfterFailure::Retry(wait) | AfterFailure::Defer(wait) => {
                    let due =
                        now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
                    let scheduled = ended
                        .detail(format!("attempt {attempt} failed: {}", error.message))
                        .next_attempt_at(Some(due));
                    self.update(known, scheduled).await?;
                    if let AfterFailure::Defer(wait) = next {
                        return Ok((
                            HandleOutcome::DeliveryRescheduled { after: wait },
                            Disposition::Requeue { after: wait },
                        ));
                    }
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                AfterFailure::GiveUp { exhausted: false } => {
                    let failed = StatusUpdate {
                        status: Status::Failed,
                        ..ended
                    }
                    .detail(format!("attempt {attempt} failed and is not retried"))
                    .next_attempt_at(None)
                    .keep_request(&message.request);
                    self.update(known, failed).await?;
                    return Ok((HandleOutcome::Failed, Disposition::Ack));
                }
                AfterFailure::GiveUp { exhausted: true } => {
                    let dead = StatusUpdate {
                        status: Status::DeadLettered,
                        ..ended
                    }
                    .detail(format!(
                        "all {attempt} attempts failed; moved to the dead-letter queue"
                    ))
                    .next_attempt_at(None)
                    .keep_request(&message.request);
                    self.update(known, dead).await?;
                    let disposition = Disposition::DeadLetter {
                        reason: error.message,
                    };
                    return Ok((HandleOutcome::DeadLettered, disposition));
                }
            }
        }
    }

    /// One delivery attempt: `delivering` written before it (with the unwritten step
    /// `earlier`, if any), then the webhook sent; what follows a failure is decided here,
    /// against `deadline`, so its metrics say whether another attempt comes.
    #[allow(
        clippy::too_many_arguments,
        reason = "the attempt's whole context, passed down from the one caller"
    )]
    async fn attempt(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
        answer: &AgentAnswer,
        target: &str,
        attempt: u32,
        earlier: Option<StatusUpdate>,
        deadline: Instant,
    ) -> Result<Tried, StoreError> {
        let id = &message.tracking_id;
        let delivering = StatusUpdate::new(Status::Delivering, self.clock.now())
            .detail(format!("attempt {attempt} to {target}"))
            .attempts(attempt);
        self.update(known, following(delivering, earlier)).await?;
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
        let at = self.clock.now();
        let started = Instant::now();
        let result = self
            .deliverer
            .deliver(target, id, attempt, &body)
            .instrument(span.clone())
            .await;
        let took = started.elapsed();
        let next = result.as_ref().err().map(|error| {
            after_failure(
                &self.config.delivery_policy,
                attempt,
                error.retry_decision(),
                Some(deadline),
            )
        });
        let (outcome, http_status, error) = match &result {
            Ok(delivered) => (
                AttemptOutcome::Success,
                Some(delivered.status).filter(|s| *s != 0),
                None,
            ),
            Err(error) => {
                let outcome = match next {
                    Some(AfterFailure::Retry(_) | AfterFailure::Defer(_)) => {
                        AttemptOutcome::Retrying
                    }
                    Some(AfterFailure::GiveUp { exhausted: true }) => AttemptOutcome::DeadLettered,
                    _ => AttemptOutcome::Failed,
                };
                let code = match error.kind {
                    DeliveryErrorKind::Status { code, .. } => Some(code),
                    _ => None,
                };
                (outcome, code, Some(error.message.as_str()))
            }
        };
        span.in_scope(|| {
            self.telemetry.emit(&DeliveryAttemptFinished {
                tracking_id: &id.to_string(),
                attempt,
                outcome,
                latency: took,
                status_code: http_status,
                error,
                category: known.read(|record| record.category.map(Category::as_str)),
            });
        });
        drop(span);
        let record = DeliveryAttempt {
            attempt,
            at,
            outcome: match outcome {
                AttemptOutcome::Success => AttemptResult::Success,
                AttemptOutcome::Retrying => AttemptResult::Retrying,
                AttemptOutcome::Failed | AttemptOutcome::DeadLettered => AttemptResult::Failed,
            },
            http_status,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            error: error.map(DeliveryAttempt::shortened),
        };
        self.note_attempt(target, &result).await;
        Ok(Tried {
            result,
            next,
            attempt: record,
        })
    }
}

/// `update`, written after the unwritten step `earlier`, if there is one.
fn following(update: StatusUpdate, earlier: Option<StatusUpdate>) -> StatusUpdate {
    match earlier {
        Some(earlier) => update.after(earlier),
        None => update,
    }
}
