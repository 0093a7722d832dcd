//! The local queue's producer half: a new request's tracking record and its queue
//! message written in one job of the database's writer, so that a request is recorded
//! and queued, or neither, and its `202` waits for one job rather than two. A failure of
//! either write is reported as the queue's (`QueueError::Unavailable`, with SQLite's
//! reason). [`queue_pair`] makes both halves over one database.

use crate::{Database, queue::SqliteQueue, store::NewRow};
use async_trait::async_trait;
use revops_core::{
    Clock,
    ports::{MessagingSystem, NewRecord, Queue, QueueError, QueueMessage, QueueProducer},
};
use std::{sync::Arc, time::Duration};

/// The producer over the SQLite queue and the tracking store in the queue's database
/// (the [`SqliteStore`](crate::SqliteStore) on that database reads what it writes).
pub struct SqliteProducer {
    queue: SqliteQueue,
}

/// The local queue's two halves over `db`: the producer the gateway hands requests to,
/// and the queue itself, which the workers consume (it dead-letters a message on its
/// `max_receives + 1`-th receive).
pub fn queue_pair(
    db: Database,
    clock: Arc<dyn Clock>,
    max_receives: u32,
) -> (SqliteProducer, SqliteQueue) {
    let queue = SqliteQueue::new(db, clock, max_receives);
    (SqliteProducer::new(queue.clone()), queue)
}

impl SqliteProducer {
    /// The producer sending to `queue` and recording in its database.
    pub fn new(queue: SqliteQueue) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl Queue for SqliteProducer {
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
impl QueueProducer for SqliteProducer {
    async fn record_and_send(
        &self,
        record: NewRecord,
        message: QueueMessage,
    ) -> Result<String, QueueError> {
        let row = NewRow::from(record);
        self.queue
            .send_with(message, Duration::ZERO, move |c| row.insert(c))
            .await
    }
}
