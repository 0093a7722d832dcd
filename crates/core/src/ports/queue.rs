//! The request queue's consumer half and its plain send, shaped after SQS: messages
//! with attributes, a visibility timeout on receive, and a dead-letter queue after too
//! many receives. The producer half, which owns the intake, is in `producer.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::{collections::BTreeMap, time::Duration};

/// A message: a body and string attributes (trace context, tracking id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueMessage {
    /// The body.
    pub body: String,
    /// The message attributes.
    pub attributes: BTreeMap<String, String>,
}

/// The handle of one receive of a message, for acking or returning it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Receipt(pub String);

/// A received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The message's id.
    pub message_id: String,
    /// The handle of this receive.
    pub receipt: Receipt,
    /// The message.
    pub message: QueueMessage,
    /// How many times it has been received, this time included.
    pub receive_count: u32,
    /// When it was (last) sent.
    pub sent_at: DateTime<Utc>,
}

/// A message the queue moved to the dead-letter queue while receiving, because it had
/// been received too many times without being acked or returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLettered {
    /// The message's id.
    pub message_id: String,
    /// The message.
    pub message: QueueMessage,
    /// The last reason it was returned for, if any.
    pub last_error: Option<String>,
}

/// What one receive returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiveBatch {
    /// Messages to handle.
    pub messages: Vec<Received>,
    /// Messages dead-lettered on the way (hosts whose queue does this by itself, like
    /// SQS, report none here).
    pub dead_lettered: Vec<DeadLettered>,
}

/// The queue could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// It cannot take or give messages now; try again later.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    /// The receipt is stale: the message was acked, returned or received again.
    #[error("receipt no longer valid")]
    StaleReceipt,
}

impl QueueError {
    /// Whether trying again may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, QueueError::Unavailable(_))
    }
}

/// The `messaging.system` of a queue on spans: OpenTelemetry's well-known value where
/// there is one (`aws_sqs`), else a name of the project's own.
pub type MessagingSystem = &'static str;

/// What every half of the request queue shares: what it says about itself on spans, and
/// whether it answers.
#[async_trait]
pub trait Queue: Send + Sync + 'static {
    /// The queue's name, for `messaging.destination.name`.
    fn name(&self) -> &str {
        "revops-requests"
    }

    /// The queue's `messaging.system`.
    fn system(&self) -> MessagingSystem;

    /// Whether the queue answers.
    async fn ping(&self) -> Result<(), QueueError>;
}

/// A queue's plain send, for a producer that writes the record beside the message
/// ([`SideBySide`](super::SideBySide)) rather than in the same transaction.
#[async_trait]
pub trait QueueSender: Queue {
    /// Sends a message, visible after `delay`. Returns only once the message is durable.
    async fn send(&self, message: QueueMessage, delay: Duration) -> Result<String, QueueError>;
}

/// The consumer half of the request queue: what the processor takes messages from and
/// settles them with.
#[async_trait]
pub trait QueueConsumer: Queue {
    /// Receives up to `max` visible messages, hiding each for `visibility`.
    async fn receive(&self, max: usize, visibility: Duration) -> Result<ReceiveBatch, QueueError>;

    /// Deletes a handled message.
    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError>;

    /// Makes a message visible again after `delay`; this receive counts towards the
    /// dead-letter limit (SQS's ChangeMessageVisibility).
    async fn retry_later(
        &self,
        receipt: &Receipt,
        delay: Duration,
        reason: &str,
    ) -> Result<(), QueueError>;

    /// Puts a message back as if sent anew after `delay`: its receive count starts over
    /// (on SQS: send a copy with a delay, then delete this one).
    async fn requeue(&self, receipt: &Receipt, delay: Duration) -> Result<(), QueueError>;

    /// Moves a message to the dead-letter queue now.
    async fn dead_letter(&self, receipt: &Receipt, reason: &str) -> Result<(), QueueError>;
}
