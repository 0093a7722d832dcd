//! The processor's flow for one queue message: ask the agent (once: the answer is
//! stored), then deliver the signed webhook, retrying in process while the next wait is
//! short and through the queue when it is long; every step lands in the timeline. This
//! file holds the flow around one message; its parts are `lease` (taking the request's
//! lease, with the record it is worked from), `asking` (the agent) and `delivery` (the
//! webhook's attempts).

mod asking;
mod breaker;
mod delivery;
mod lease;

use super::{
    DeliveryTargets, RequestMessage, classify, known_record::KnownRecord,
    message::REPLAYED_BY_ATTRIBUTE, replay::REDRIVE,
};
use crate::{
    Category, Clock, Status, TrackingId,
    config::PipelineSettings,
    ports::{
        Agent, BreakerPolicy, ConversationArchive, ConversationRecord, DeadLettered, Deliverer,
        QueueConsumer, QueueError, Received, ReceiverRegistry, StatusUpdate, StoreError,
        TrackingRecord, TrackingStore,
    },
    retry::{ReceiveBackoff, RetryPolicy},
};
use lease::Lease;
use revops_telemetry::{
    Telemetry,
    events::{
        DeliveryFinished, DeliveryOutcome, MessageDeadLettered, MessageReceived, MessageReplayed,
    },
    propagation,
};
use std::{sync::Arc, time::Duration};
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
    /// When the agent still fails after its retries, how long until the message returns,
    /// by how many times it has been received.
    pub agent_backoff: ReceiveBackoff,
    /// The receive on which a message whose agent calls all failed is dead-lettered.
    pub max_receives: u32,
    /// When a receiver's circuit opens, and for how long.
    pub breaker: BreakerPolicy,
    /// How long a worker holds a request's lease (at least the queue's visibility
    /// timeout, so a duplicate copy of a message never runs beside the first).
    pub lease: Duration,
    /// Where webhooks go.
    pub targets: DeliveryTargets,
}

impl ProcessorConfig {
    /// The configuration `settings` give, with a lease of `lease`.
    pub fn from_settings(settings: &PipelineSettings, lease: Duration) -> Self {
        Self {
            agent_policy: settings.agent_policy.clone(),
            delivery_policy: settings.delivery_policy.clone(),
            inline_retry_budget: settings.inline_retry_budget,
            agent_backoff: settings.agent_backoff.clone(),
            max_receives: settings.max_receives,
            breaker: settings.breaker,
            lease,
            targets: settings.targets.clone(),
        }
    }
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

    /// Whether the request reached its end with this message: delivered, failed or
    /// dead-lettered.
    fn is_end(&self) -> bool {
        matches!(
            self,
            HandleOutcome::Delivered { .. } | HandleOutcome::Failed | HandleOutcome::DeadLettered
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
    pub queue: Arc<dyn QueueConsumer>,
    /// Keeps finished conversations.
    pub archive: Arc<dyn ConversationArchive>,
    /// The receivers' circuits and disabled URLs.
    pub receivers: Arc<dyn ReceiverRegistry>,
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
    queue: Arc<dyn QueueConsumer>,
    archive: Arc<dyn ConversationArchive>,
    receivers: Arc<dyn ReceiverRegistry>,
    clock: Arc<dyn Clock>,
    telemetry: Telemetry,
    config: Arc<ProcessorConfig>,
    /// What this processor last read of each receiver's health.
    health: Arc<breaker::HealthCache>,
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
            receivers: ports.receivers,
            clock: ports.clock,
            telemetry: ports.telemetry,
            config: Arc::new(config),
            health: Arc::default(),
        }
    }

    /// The same processor, sitting out no delivery wait longer than `time_left` (a Lambda
    /// invocation's remaining time): a longer one goes back to the queue.
    pub fn within(&self, time_left: Duration) -> Self {
        let mut config = (*self.config).clone();
        config.inline_retry_budget = config.inline_retry_budget.min(time_left);
        Self {
            config: Arc::new(config),
            ..self.clone()
        }
    }

    /// Handles one received message to its next resting point, inside a consumer span
    /// that continues the trace the message carries.
    pub async fn handle(&self, received: &Received) -> Result<HandleOutcome, ProcessError> {
        let span = tracing::info_span!(
            "process",
            otel.name = format!("process {}", self.queue.name()),
            otel.kind = "consumer",
            messaging.system = self.queue.system(),
            messaging.operation.r#type = "process",
            messaging.destination.name = self.queue.name(),
            messaging.message.id = %received.message_id,
            revops.tracking_id = tracing::field::Empty,
            trace_id = tracing::field::Empty,
        );
        propagation::continue_span(&span, None, &received.message.attributes, None);
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
            messaging_system: self.queue.system(),
        });
        let owner = received.receipt.0.as_str();
        let known = match self.take_lease(&message, received).await? {
            Lease::Held(known) => {
                if received.receive_count <= 1
                    && let Some(by) = received.message.attributes.get(REPLAYED_BY_ATTRIBUTE)
                {
                    self.telemetry.emit(&MessageReplayed {
                        tracking_id: &id_text,
                        by,
                    });
                }
                known
            }
            Lease::Redriven(known) => {
                self.telemetry.emit(&MessageReplayed {
                    tracking_id: &id_text,
                    by: REDRIVE,
                });
                known
            }
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
        let (outcome, disposition) = match self.work(&message, &known, received.receive_count).await
        {
            Ok(done) => done,
            Err(error) => {
                self.release_lease(&id, owner).await;
                return Err(error);
            }
        };
        let finished = outcome.is_end();
        if finished && outcome != HandleOutcome::DeadLettered {
            // A delivered or failed request keeps its lease until it runs out, which
            // saves a write: any copy of the message finds the request finished and is
            // dropped. A dead-lettered one lets it go, so that a redrive of its dead
            // letter is taken up at once.
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
        self.emit_finished(&message, &outcome, known.read(|record| record.category));
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
    fn emit_finished(
        &self,
        message: &RequestMessage,
        outcome: &HandleOutcome,
        category: Option<Category>,
    ) {
        let (final_outcome, attempts) = match outcome {
            HandleOutcome::Delivered { attempts } => (DeliveryOutcome::Delivered, *attempts),
            HandleOutcome::Failed => (DeliveryOutcome::Failed, 0),
            HandleOutcome::DeadLettered => (DeliveryOutcome::DeadLettered, 0),
            _ => return,
        };
        let end_to_end = (final_outcome == DeliveryOutcome::Delivered).then(|| {
            (self.clock.now() - message.queued_at)
                .to_std()
                .unwrap_or_default()
        });
        self.telemetry.emit(&DeliveryFinished {
            tracking_id: &message.tracking_id.to_string(),
            outcome: final_outcome,
            attempts,
            end_to_end,
            category: category.map(Category::as_str),
        });
    }

    /// Exports a finished conversation, whose record is `record`, to the archive. The
    /// request's outcome does not depend on it: a failure is logged, not retried.
    async fn export_conversation(&self, message: &RequestMessage, record: TrackingRecord) {
        let id = message.tracking_id;
        let response = record.answer.as_ref().map(|a| a.response.clone());
        let category = record.category.or_else(|| {
            response
                .as_deref()
                .map(|response| classify(message.request.query.as_str(), response))
        });
        let webhook_url = category
            .and_then(|category| self.config.targets.url_for(category))
            .map(str::to_owned);
        let conversation = ConversationRecord {
            tracking_id: id,
            source_system: record.source_system,
            source_process: record.source_process,
            query: message.request.query.as_str().to_owned(),
            response,
            session_id: record.answer.as_ref().map(|a| a.session_id.clone()),
            answered_at: record.answer.as_ref().map(|a| a.answered_at),
            agents_used: record
                .answer
                .as_ref()
                .map(|a| a.agents_used.clone())
                .unwrap_or_default(),
            usage: record.answer.as_ref().and_then(|a| a.usage),
            category,
            agent_calls: record.agent_calls,
            trace_id: record.trace_id,
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
        receive_count: u32,
    ) -> Result<(HandleOutcome, Disposition), ProcessError> {
        let (stored_answer, stored_category, attempts) =
            known.read(|record| (record.answer.clone(), record.category, record.attempts));
        let (answer, answered) = match stored_answer {
            Some(answer) => (answer, None),
            None => match self.ask_agent(message, known, receive_count).await? {
                Ok((answer, answered)) => (answer, Some(answered)),
                Err(done) => return Ok(done),
            },
        };
        // Classified once, when the agent answered; an answer stored before categories
        // were kept is classified again, which gives the same category.
        let category = answered
            .as_ref()
            .and_then(|answered| answered.category)
            .or(stored_category)
            .unwrap_or_else(|| classify(message.request.query.as_str(), &answer.response));
        self.deliver(message, known, &answer, category, attempts, answered)
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
            .last_error(dead.last_error.clone())
            .keep_request(&message.request);
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
}
