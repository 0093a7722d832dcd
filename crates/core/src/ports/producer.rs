//! The request queue's producer half, which owns the intake: how an accepted request's
//! tracking record is written and its message sent. The message decides whether the
//! request is accepted; a record that fails alone is created later by the processor. A
//! host whose store and queue are separate services (AWS) writes both side by side
//! ([`SideBySide`]); a host that keeps both in one database (the local host) writes both
//! in one transaction, so a request is recorded and queued, or neither. Each host makes
//! its producer and consumer together, in one place (its `queue_pair`).

use super::{
    NewRecord, Queue, QueueError, QueueMessage, QueueSender, StatusUpdate, TrackingStore,
    queue::MessagingSystem,
};
use crate::{Clock, Status};
use async_trait::async_trait;
use std::{sync::Arc, time::Duration};

/// The producer half of the request queue: what the gateway hands an accepted request to.
#[async_trait]
pub trait QueueProducer: Queue {
    /// Writes `record` and sends `message` now; returns the message's id once it is
    /// durable. On an error the request is not accepted; a record written beside the
    /// refused message is marked `failed` where the store allows (best effort: it may
    /// stay `queued`, with no message). On success the record may still be missing. A
    /// host that writes both at once reports any failure as the queue's.
    async fn record_and_send(
        &self,
        record: NewRecord,
        message: QueueMessage,
    ) -> Result<String, QueueError>;
}

/// The producer over a separate store and queue: both writes at the same time, so an
/// accepted request waits for one round trip rather than two.
pub struct SideBySide {
    queue: Arc<dyn QueueSender>,
    store: Arc<dyn TrackingStore>,
    clock: Arc<dyn Clock>,
}

impl SideBySide {
    /// The producer over these adapters.
    pub fn new(
        queue: Arc<dyn QueueSender>,
        store: Arc<dyn TrackingStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            queue,
            store,
            clock,
        }
    }
}

#[async_trait]
impl Queue for SideBySide {
    fn name(&self) -> &str {
        self.queue.name()
    }

    fn system(&self) -> MessagingSystem {
        self.queue.system()
    }

    async fn ping(&self) -> Result<(), QueueError> {
        self.queue.ping().await
    }
}

#[async_trait]
impl QueueProducer for SideBySide {
    async fn record_and_send(
        &self,
        record: NewRecord,
        message: QueueMessage,
    ) -> Result<String, QueueError> {
        let tracking_id = record.tracking_id;
        let (created, sent) = tokio::join!(
            self.store.create(record),
            self.queue.send(message, Duration::ZERO)
        );
        match (created, sent) {
            (created, Ok(message_id)) => {
                if let Err(error) = created {
                    tracing::warn!(%tracking_id, %error, "queued without a tracking record; the processor will create it");
                }
                Ok(message_id)
            }
            (Ok(()), Err(error)) => {
                let update = StatusUpdate::new(Status::Failed, self.clock.now())
                    .detail("not accepted: the queue refused it")
                    .last_error(Some(error.to_string()));
                if let Err(store_error) = self.store.update(&tracking_id, update).await {
                    tracing::warn!(%tracking_id, error = %store_error, "could not mark a refused request");
                }
                Err(error)
            }
            (Err(_), Err(error)) => Err(error),
        }
    }
}
