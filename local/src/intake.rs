//! The local intake: a new request's tracking record and its queue message written in
//! one job of the database's writer, so that a request is recorded and queued, or
//! neither, and its `202` waits for one job rather than two. A failure of either write
//! is reported as the queue's (`QueueError::Unavailable`, with SQLite's reason).

use crate::{queue::SqliteQueue, store::insert_new_record};
use async_trait::async_trait;
use revops_core::ports::{Intake, NewRecord, QueueError, QueueMessage};
use std::time::Duration;

/// The intake over the SQLite queue and the tracking store in the queue's database
/// (the [`SqliteStore`](crate::SqliteStore) on that database reads what it writes).
pub struct SqliteIntake {
    queue: SqliteQueue,
}

impl SqliteIntake {
    /// The intake sending to `queue` and recording in its database.
    pub fn new(queue: SqliteQueue) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl Intake for SqliteIntake {
    async fn record_and_send(
        &self,
        record: NewRecord,
        message: QueueMessage,
    ) -> Result<String, QueueError> {
        self.queue
            .send_with(message, Duration::ZERO, move |c| {
                insert_new_record(c, &record)
            })
            .await
    }
}
