//! The dead-letter queue's copies of requests' messages, as a replay sees them. A
//! replay sends a request's message anew from its record, so the copy it leaves in the
//! dead-letter queue is only clutter (and keeps the dead-letter alarm firing): the
//! replay removes it.

use super::QueueError;
use crate::TrackingId;
use async_trait::async_trait;

/// The dead-letter queue, as the operator's replay cleans it.
#[async_trait]
pub trait DeadLetterCopies: Send + Sync + 'static {
    /// Removes the dead-letter queue's copies of the messages of `ids`; returns how many
    /// copies were removed. Copies of other requests stay where they are.
    async fn discard(&self, ids: &[TrackingId]) -> Result<usize, QueueError>;
}
