//! The processor's flow for one queue message: ask the agent (once: the answer is
//! stored), then deliver the signed webhook, retrying in process while the next wait is
//! short and through the queue when it is long; every step lands in the timeline.

mod lease;

use super::{DeliveryTargets, RequestMessage, known_record::KnownRecord};
use crate::{
    Clock, Status, TrackingId,
    payload::WebhookPayload,
    ports::{
        Agent, AgentAnswer, AgentError, AgentQuestion, ConversationArchive, ConversationRecord,
        DeadLettered, Delivered, Deliverer, DeliveryError, DeliveryErrorKind, QueueError, Received,
        RequestQueue, StatusUpdate, StoreError, TrackingRecord, TrackingStore,
    },
    retry::{RetryDecision, RetryOutcome, RetryPolicy, run_with_retries},
};
use lease::Lease;
use revops_telemetry::{
    Telemetry,
    events::{
        AgentCallFinished, DeliveryAttemptFinished, DeliveryFinished, MessageDeadLettered,
        MessageReceived,
    },
    propagation,
};
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::time::Instant;
use tracing::Instrument;

/// How the processor retries.
#[derive(Debug, Clone)]
pub struct ProcessorConfig {
    /// Waits between agent calls for one message.
    pub agent_policy: RetryPolicy,
    /// Waits between delivery attempts (`DELIVERY_RETRY_SCHEDULE`).
    pub delivery_policy: RetryPolicy,
    /// The longest a delivery waits in process for its next attempt; a longer wait goes
    /// back to the queue, freeing the worker.
    pub inline_retry_budget: Duration,
    /// When the agent still fails after its retries, how long until the message returns.
    pub agent_backoff: Duration,
    /// How long a worker holds a request's lease (at least the queue's visibility
    /// timeout, so a duplicate copy of a message never runs beside the first).
    pub lease: Duration,
    /// Where webhooks go.
    pub targets: DeliveryTargets,
}

/// How long a duplicate copy of a message being worked on elsewhere waits to come back.
pub const BUSY_RETRY: Duration = Duration::from_secs(15);

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandleOutcome {
    /// Delivered (a receiver answered 2xx) after this many attempts.
    Delivered {
        /// Attempts in all.
        attempts: u32,
    },
    /// Failed for good (a permanent error).
    Failed,
    /// Delivery retries ran out; the message is in the dead-letter queue.
    DeadLettered,
    /// The next delivery attempt is back in the queue, due after this wait.
    DeliveryRescheduled {
        /// The wait.
        after: Duration,
    },
    /// The agent did not answer; the message returns after this wait.
    AgentRescheduled {
        /// The wait.
        after: Duration,
    },
    /// The request had already reached an end (a duplicate message); nothing was done.
    Duplicate,
    /// The message is not a request; it was dead-lettered.
    Undecodable,
    /// Another worker holds the request's lease (a duplicate copy); the message returns
    /// after [`BUSY_RETRY`].
    Busy,
}

impl HandleOutcome {
    /// Whether the message went back to the queue counting as a failed receive: a host
    /// whose queue deletes what the handler does not report (Lambda's SQS event source)
    /// must report these as failures.
    pub fn returned_to_queue(&self) -> bool {
        matches!(
            self,
            HandleOutcome::AgentRescheduled { .. } | HandleOutcome::Busy
        )
    }
}

/// What to do with the message once the work is done.
#[derive(Debug, Clone, PartialEq)]
enum Disposition {
    Ack,
    RetryLater { after: Duration, reason: String },
    Requeue { after: Duration },
    DeadLetter { reason: String },
}

/// The message could not be handled now; it stays in the queue and comes back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    /// The tracking store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The queue failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
}

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

/// The adapters a processor works through.
#[derive(Clone)]
pub struct ProcessorPorts {
    /// Answers questions.
    pub agent: Arc<dyn Agent>,
    /// Sends webhooks.
    pub deliverer: Arc<dyn Deliverer>,
    /// Tracks every request.
    pub store: Arc<dyn TrackingStore>,
    /// The request queue the messages come from.
    pub queue: Arc<dyn RequestQueue>,
    /// Keeps finished conversations.
    pub archive: Arc<dyn ConversationArchive>,
    /// Tells the time.
    pub clock: Arc<dyn Clock>,
    /// Logs, metrics and spans.
    pub telemetry: Telemetry,
}

/// The processor's side of the ports.
#[derive(Clone)]
pub struct Processor {
    agent: Arc<dyn Agent>,
    deliverer: Arc<dyn Deliverer>,
    store: Arc<dyn TrackingStore>,
    queue: Arc<dyn RequestQueue>,
    archive: Arc<dyn ConversationArchive>,
    clock: Arc<dyn Clock>,
    telemetry: Telemetry,
    config: Arc<ProcessorConfig>,
    /// Targets that answered `410 Gone`: no more attempts go to them.
    gone: Arc<Mutex<HashSet<String>>>,
}

impl Processor {
    /// A processor over these adapters.
    pub fn new(ports: ProcessorPorts, config: ProcessorConfig) -> Self {
        Self {
            agent: ports.agent,
            deliverer: ports.deliverer,
            store: ports.store,
            queue: ports.queue,
            archive: ports.archive,
            clock: ports.clock,
            telemetry: ports.telemetry,
            config: Arc::new(config),
            gone: Arc::default(),
        }
    }

    /// Handles one received message to its next resting point, inside a consumer span
    /// that continues the trace the message carries.
    pub async fn handle(&self, received: &Received) -> Result<HandleOutcome, ProcessError> {
        let span = tracing::info_span!(
            "process",
            otel.name = format!("process {}", self.queue.name()),
            otel.kind = "consumer",
            messaging.system = "aws_sqs",
            messaging.operation.r#type = "process",
            messaging.destination.name = self.queue.name(),
            messaging.message.id = %received.message_id,
            revops.tracking_id = tracing::field::Empty,
            trace_id = tracing::field::Empty,
        );
        propagation::continue_from(
            &span,
            received
                .message
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        if let Some(trace_id) = propagation::trace_id(&span) {
            span.record("trace_id", trace_id);
        }
        self.handle_in_span(received).instrument(span).await
    }

    async fn handle_in_span(&self, received: &Received) -> Result<HandleOutcome, ProcessError> {
        let message = match RequestMessage::decode(&received.message) {
            Ok(message) => message,
            Err(error) => {
                tracing::error!(message_id = %received.message_id, %error, "dead-lettering an undecodable message");
                self.queue
                    .dead_letter(&received.receipt, &error.to_string())
                    .await?;
                return Ok(HandleOutcome::Undecodable);
            }
        };
        let id = message.tracking_id;
        let id_text = id.to_string();
        tracing::Span::current().record("revops.tracking_id", id_text.as_str());
        let queue_wait = (self.clock.now() - received.sent_at)
            .to_std()
            .unwrap_or_default();
        self.telemetry.emit(&MessageReceived {
            tracking_id: &id_text,
            queue_wait,
            receive_count: received.receive_count,
        });
        let owner = received.receipt.0.as_str();
        let known = match self.take_lease(&message, received).await? {
            Lease::Held(known) => known,
            Lease::Finished(status) => {
                tracing::info!(tracking_id = %id, %status, "request already finished; dropping the duplicate message");
                self.queue.ack(&received.receipt).await?;
                return Ok(HandleOutcome::Duplicate);
            }
            Lease::Busy => {
                tracing::info!(tracking_id = %id, "another worker holds this request or has just written to it; the copy comes back later");
                self.queue
                    .retry_later(
                        &received.receipt,
                        BUSY_RETRY,
                        "another worker holds the request",
                    )
                    .await?;
                return Ok(HandleOutcome::Busy);
            }
        };
        let (outcome, disposition) = match self.work(&message, &known).await {
            Ok(done) => done,
            Err(error) => {
                self.release_lease(&id, owner).await;
                return Err(error);
            }
        };
        let finished = matches!(
            outcome,
            HandleOutcome::Delivered { .. } | HandleOutcome::Failed | HandleOutcome::DeadLettered
        );
        if finished {
            // A finished request keeps its lease until it runs out, which saves a write:
            // any copy of the message finds the request finished and is dropped.
            self.dispose(received, disposition).await?;
        } else {
            // The lease and the message are let go together, so a worker waits for one
            // write rather than two. Either order is safe: a copy of the message that
            // arrives in between finds the lease held and comes back later.
            let ((), disposed) = tokio::join!(
                self.release_lease(&id, owner),
                self.dispose(received, disposition)
            );
            disposed?;
        }
        self.emit_finished(&message, &outcome);
        if finished {
            self.export_conversation(&message, (*known).into_record())
                .await;
        }
        Ok(outcome)
    }

    /// Gives up the request's lease; a failure only means the lease runs out by itself.
    async fn release_lease(&self, id: &TrackingId, owner: &str) {
        if let Err(error) = self.store.release(id, owner).await {
            tracing::warn!(tracking_id = %id, %error, "could not release the lease; it will run out");
        }
    }

    /// The end of a delivery, as metrics: its outcome and, once delivered, the SLA latency.
    fn emit_finished(&self, message: &RequestMessage, outcome: &HandleOutcome) {
        let (final_outcome, attempts) = match outcome {
            HandleOutcome::Delivered { attempts } => ("delivered", *attempts),
            HandleOutcome::Failed => ("failed", 0),
            HandleOutcome::DeadLettered => ("dead_lettered", 0),
            _ => return,
        };
        let end_to_end = (final_outcome == "delivered").then(|| {
            (self.clock.now() - message.queued_at)
                .to_std()
                .unwrap_or_default()
        });
        self.telemetry.emit(&DeliveryFinished {
            tracking_id: &message.tracking_id.to_string(),
            outcome: final_outcome,
            attempts,
            end_to_end,
        });
    }

    /// Exports a finished conversation, whose record is `record`, to the archive. The
    /// request's outcome does not depend on it: a failure is logged, not retried.
    async fn export_conversation(&self, message: &RequestMessage, record: TrackingRecord) {
        let id = message.tracking_id;
        let response = record.answer.as_ref().map(|a| a.response.clone());
        let webhook_url = response.as_deref().and_then(|response| {
            self.config
                .targets
                .target_for(message.request.query.as_str(), response)
                .map(str::to_owned)
        });
        let conversation = ConversationRecord {
            tracking_id: id,
            source_system: record.source_system,
            source_process: record.source_process,
            query: message.request.query.as_str().to_owned(),
            response,
            session_id: record.answer.map(|a| a.session_id),
            status: record.status,
            attempts: record.attempts,
            last_error: record.last_error,
            webhook_url,
            queued_at: record.queued_at,
            finished_at: self.clock.now(),
            events: record.events,
        };
        if let Err(error) = self.archive.export(&conversation).await {
            tracing::warn!(tracking_id = %id, %error, "conversation not archived");
        }
    }

    /// Asks the agent if no answer is stored, then delivers. A new answer is stored by
    /// the delivery's first write, together with that step.
    async fn work(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
    ) -> Result<(HandleOutcome, Disposition), ProcessError> {
        let (stored_answer, attempts) =
            known.read(|record| (record.answer.clone(), record.attempts));
        let (answer, answered) = match stored_answer {
            Some(answer) => (answer, None),
            None => match self.ask_agent(message, known).await? {
                Ok((answer, answered)) => (answer, Some(answered)),
                Err(done) => return Ok(done),
            },
        };
        self.deliver(message, known, &answer, attempts, answered)
            .await
    }

    async fn dispose(
        &self,
        received: &Received,
        disposition: Disposition,
    ) -> Result<(), QueueError> {
        let receipt = &received.receipt;
        match disposition {
            Disposition::Ack => self.queue.ack(receipt).await,
            Disposition::RetryLater { after, reason } => {
                self.queue.retry_later(receipt, after, &reason).await
            }
            Disposition::Requeue { after } => self.queue.requeue(receipt, after).await,
            Disposition::DeadLetter { reason } => self.queue.dead_letter(receipt, &reason).await,
        }
    }

    /// Whether `target` answered `410 Gone` before.
    fn is_gone(&self, target: &str) -> bool {
        self.gone.lock().is_ok_and(|gone| gone.contains(target))
    }

    /// Marks a message the queue dead-lettered by itself (received too often).
    pub async fn handle_dead_lettered(&self, dead: &DeadLettered) -> Result<(), ProcessError> {
        let Ok(message) = RequestMessage::decode(&dead.message) else {
            tracing::error!(message_id = %dead.message_id, "an undecodable message was dead-lettered");
            return Ok(());
        };
        self.telemetry.emit(&MessageDeadLettered {
            tracking_id: Some(&message.tracking_id.to_string()),
        });
        let update = StatusUpdate::new(Status::DeadLettered, self.clock.now())
            .detail("received too many times without finishing; moved to the dead-letter queue")
            .last_error(dead.last_error.clone());
        self.store.update(&message.tracking_id, update).await?;
        match self.store.get(&message.tracking_id).await {
            Ok(Some(record)) => self.export_conversation(&message, record).await,
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(tracking_id = %message.tracking_id, %error, "cannot read the record to archive");
            }
        }
        Ok(())
    }

    /// Writes `update` to the request held, and notes it in `known`.
    async fn update(&self, known: &KnownRecord, update: StatusUpdate) -> Result<(), StoreError> {
        let id = known.tracking_id();
        self.store.update(&id, update.clone()).await?;
        known.written(&update);
        Ok(())
    }

    /// Asks the agent with retries. `Ok(Ok(..))`: the answer, and the `agent_completed`
    /// step that stores it, for the next write to carry. `Ok(Err(..))`: no answer, and
    /// what to do instead.
    #[allow(
        clippy::type_complexity,
        reason = "the one caller matches on the three outcomes at once"
    )]
    async fn ask_agent(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
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
            RetryOutcome::Succeeded { attempts, .. } => (*attempts, "success", None),
            RetryOutcome::GaveUp {
                error,
                attempts,
                exhausted: false,
            } => (*attempts, "failed", Some(error.to_string())),
            RetryOutcome::GaveUp {
                error, attempts, ..
            }
            | RetryOutcome::Deferred {
                error, attempts, ..
            } => (*attempts, "retrying", Some(error.to_string())),
        };
        span.in_scope(|| {
            self.telemetry.emit(&AgentCallFinished {
                tracking_id: &id.to_string(),
                attempts,
                outcome: agent_outcome,
                latency: started.elapsed(),
                error: error.as_deref(),
            });
        });
        drop(span);
        match outcome {
            RetryOutcome::Succeeded { value, attempts } => {
                let answered = StatusUpdate::new(Status::AgentCompleted, self.clock.now())
                    .detail(format!("the agent answered (call {attempts})"))
                    .answer(value.clone())
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
                        .last_error(Some(error.to_string())),
                )
                .await?;
                Ok(Err((HandleOutcome::Failed, Disposition::Ack)))
            }
            RetryOutcome::GaveUp { error, .. } | RetryOutcome::Deferred { error, .. } => {
                let after = self.config.agent_backoff;
                self.update(
                    known,
                    StatusUpdate::new(Status::RetryScheduled, self.clock.now())
                        .detail(format!(
                            "the agent did not answer; asking again in {}",
                            seconds(after)
                        ))
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

    /// Delivers `answer` with retries. `answered`, if given, is the unwritten step that
    /// stores the answer: the first write here carries it.
    async fn deliver(
        &self,
        message: &RequestMessage,
        known: &KnownRecord,
        answer: &AgentAnswer,
        attempts_before: u32,
        answered: Option<StatusUpdate>,
    ) -> Result<(HandleOutcome, Disposition), ProcessError> {
        let Some(target) = self
            .config
            .targets
            .target_for(message.request.query.as_str(), &answer.response)
        else {
            let failed = StatusUpdate::new(Status::Failed, self.clock.now()).last_error(Some(
                "no webhook URL is configured for this answer (set WEBHOOK_URL)".to_owned(),
            ));
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
                Ok(delivered) => ("success", Some(delivered.status).filter(|s| *s != 0), None),
                Err(error) => {
                    let outcome = if will_retry {
                        "retrying"
                    } else if error.is_retryable() {
                        "dead_lettered"
                    } else {
                        "failed"
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

/// A wait in seconds, for people: `4.2 s`.
fn seconds(wait: Duration) -> String {
    format!("{:.1} s", wait.as_secs_f64())
}
