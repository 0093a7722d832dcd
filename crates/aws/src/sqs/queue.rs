//! [`SqsQueue`]: the request queue on a standard SQS queue and its dead-letter queue.
//!
//! - `send` sends the body with every attribute as a `String` message attribute (the
//!   X-Ray header as the `AWSTraceHeader` system attribute), delayed by at most 15 min;
//!   a longer delay is chained through [`super::NOT_BEFORE_ATTRIBUTE`].
//! - `receive` asks for up to 10 messages with all their attributes; SQS dead-letters by
//!   itself (the source queue's redrive policy), so no batch carries dead letters.
//! - `ack` deletes, `retry_later` changes the visibility timeout, `requeue` sends a copy
//!   and deletes the original (so its receive count starts over), and `dead_letter` sends
//!   a copy with [`super::DEAD_LETTER_REASON_ATTRIBUTE`] to the dead-letter queue and
//!   deletes the original. The last two need the message itself, which SQS cannot look
//!   up by receipt: the queue keeps what it received, and a Lambda host hands it the
//!   event's records with [`SqsQueue::remember`].
//!
//! Standard queues only (no message group ids). SQS takes at most 10 message attributes
//! a message: the gateway's four and this module's two fit.

use super::{
    attributes::{
        DEAD_LETTER_REASON_ATTRIBUTE, message_attributes, received_from_sdk, system_attributes,
        visibility_seconds,
    },
    delay::{schedule, whole_seconds},
    in_flight::InFlight,
};
use crate::errors::describe;
use async_trait::async_trait;
use aws_sdk_sqs::{
    Client,
    types::{MessageSystemAttributeName, QueueAttributeName},
};
use revops_core::{
    Clock, SystemClock,
    ports::{
        MessagingSystem, Queue, QueueConsumer, QueueError, QueueMessage, QueueSender, Receipt,
        ReceiveBatch, Received,
    },
};
use std::{sync::Arc, time::Duration};

/// The most messages one ReceiveMessage call returns.
const MAX_BATCH: usize = 10;
/// The longest long-poll SQS allows.
const MAX_WAIT: Duration = Duration::from_secs(20);
/// The longest dead-letter reason kept on the copy.
const MAX_REASON_CHARS: usize = 1_000;

/// The request queue on SQS.
#[derive(Clone)]
pub struct SqsQueue {
    pub(super) client: Client,
    queue_url: String,
    pub(super) dead_letter_url: Option<String>,
    wait_time: Duration,
    clock: Arc<dyn Clock>,
    in_flight: Arc<InFlight>,
}

impl std::fmt::Debug for SqsQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsQueue")
            .field("queue_url", &self.queue_url)
            .field("dead_letter_url", &self.dead_letter_url)
            .field("wait_time", &self.wait_time)
            .finish_non_exhaustive()
    }
}

impl SqsQueue {
    /// The queue at `queue_url`, with no dead-letter queue, short polling and the system
    /// clock.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
            dead_letter_url: None,
            wait_time: Duration::ZERO,
            clock: Arc::new(SystemClock),
            in_flight: Arc::default(),
        }
    }

    /// With the dead-letter queue at `url`, where `dead_letter` sends messages.
    pub fn with_dead_letter_queue(mut self, url: impl Into<String>) -> Self {
        self.dead_letter_url = Some(url.into());
        self
    }

    /// With long polling: `receive` waits up to `wait` (at most 20 s) for a message.
    pub fn with_wait_time(mut self, wait: Duration) -> Self {
        self.wait_time = wait.min(MAX_WAIT);
        self
    }

    /// With another clock (for the due time of long delays).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// The dead-letter queue's URL, if one is configured.
    pub fn dead_letter_url(&self) -> Option<&str> {
        self.dead_letter_url.as_deref()
    }

    /// Keeps a message received some other way (a Lambda event record, see
    /// [`super::received_from_event`]) so that `requeue` and `dead_letter` can copy it.
    pub fn remember(&self, received: &Received) {
        self.in_flight
            .insert(&received.receipt.0, received.message.clone());
    }

    /// Sends `message` to `url` after `delay`; returns its message id.
    async fn send_to(
        &self,
        url: &str,
        message: QueueMessage,
        delay: Duration,
    ) -> Result<String, QueueError> {
        let (delay_seconds, message) = schedule(message, delay, self.clock.now());
        let attributes = message_attributes(&message)?;
        let system = system_attributes(&message)?;
        let sent = self
            .client
            .send_message()
            .queue_url(url)
            .message_body(message.body)
            .delay_seconds(delay_seconds)
            .set_message_attributes((!attributes.is_empty()).then_some(attributes))
            .set_message_system_attributes((!system.is_empty()).then_some(system))
            .send()
            .await
            .map_err(|error| QueueError::Unavailable(describe("SendMessage", &error)))?;
        Ok(sent.message_id().unwrap_or_default().to_owned())
    }

    /// Deletes the message received with `receipt`.
    async fn delete(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(&receipt.0)
            .send()
            .await
            .map_err(|error| {
                let stale = error
                    .as_service_error()
                    .is_some_and(|e| e.is_receipt_handle_is_invalid() || e.is_invalid_id_format());
                if stale {
                    QueueError::StaleReceipt
                } else {
                    QueueError::Unavailable(describe("DeleteMessage", &error))
                }
            })?;
        self.in_flight.forget(&receipt.0);
        Ok(())
    }

    /// The message received with `receipt`; a receipt this queue never saw is stale.
    fn held(&self, receipt: &Receipt) -> Result<QueueMessage, QueueError> {
        self.in_flight.get(&receipt.0).ok_or_else(|| {
            tracing::warn!(
                "a receipt this queue did not receive (a Lambda host must call remember)"
            );
            QueueError::StaleReceipt
        })
    }
}

/// `reason`, cut to [`MAX_REASON_CHARS`] characters.
fn shortened(reason: &str) -> String {
    reason.chars().take(MAX_REASON_CHARS).collect()
}

/// SQS's `messaging.system` on spans (OpenTelemetry's well-known value).
pub const SQS_MESSAGING_SYSTEM: MessagingSystem = "aws_sqs";

#[async_trait]
impl Queue for SqsQueue {
    fn system(&self) -> MessagingSystem {
        SQS_MESSAGING_SYSTEM
    }

    async fn ping(&self) -> Result<(), QueueError> {
        self.client
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|error| QueueError::Unavailable(describe("GetQueueAttributes", &error)))?;
        Ok(())
    }
}

#[async_trait]
impl QueueSender for SqsQueue {
    async fn send(&self, message: QueueMessage, delay: Duration) -> Result<String, QueueError> {
        self.send_to(&self.queue_url, message, delay).await
    }
}

#[async_trait]
impl QueueConsumer for SqsQueue {
    async fn receive(&self, max: usize, visibility: Duration) -> Result<ReceiveBatch, QueueError> {
        let max = max.min(MAX_BATCH);
        if max == 0 {
            return Ok(ReceiveBatch::default());
        }
        let answer = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(i32::try_from(max).unwrap_or(1))
            .visibility_timeout(visibility_seconds(visibility))
            .wait_time_seconds(whole_seconds(self.wait_time))
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .map_err(|error| QueueError::Unavailable(describe("ReceiveMessage", &error)))?;
        let messages: Vec<Received> = answer.messages().iter().map(received_from_sdk).collect();
        for received in &messages {
            self.remember(received);
        }
        Ok(ReceiveBatch {
            messages,
            dead_lettered: Vec::new(),
        })
    }

    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.delete(receipt).await
    }

    async fn retry_later(
        &self,
        receipt: &Receipt,
        delay: Duration,
        reason: &str,
    ) -> Result<(), QueueError> {
        tracing::debug!(reason, "returning a message to the queue");
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(&receipt.0)
            .visibility_timeout(visibility_seconds(delay))
            .send()
            .await
            .map_err(|error| {
                let stale = error.as_service_error().is_some_and(|e| {
                    e.is_receipt_handle_is_invalid() || e.is_message_not_inflight()
                });
                if stale {
                    QueueError::StaleReceipt
                } else {
                    QueueError::Unavailable(describe("ChangeMessageVisibility", &error))
                }
            })?;
        self.in_flight.forget(&receipt.0);
        Ok(())
    }

    async fn requeue(&self, receipt: &Receipt, delay: Duration) -> Result<(), QueueError> {
        let message = self.held(receipt)?;
        self.send_to(&self.queue_url, message, delay).await?;
        self.delete(receipt).await
    }

    async fn dead_letter(&self, receipt: &Receipt, reason: &str) -> Result<(), QueueError> {
        let Some(url) = self.dead_letter_url.clone() else {
            return Err(QueueError::Unavailable(
                "no dead-letter queue is configured".to_owned(),
            ));
        };
        let mut message = self.held(receipt)?;
        message
            .attributes
            .insert(DEAD_LETTER_REASON_ATTRIBUTE.to_owned(), shortened(reason));
        self.send_to(&url, message, Duration::ZERO).await?;
        self.delete(receipt).await
    }
}
