//! The AWS host's two halves of the request queue, made in one place: the producer
//! writes a request's DynamoDB record and sends its SQS message side by side
//! ([`SideBySide`]); the consumer is the SQS queue itself, with its dead-letter queue.

use super::SqsQueue;
use revops_core::{
    Clock,
    ports::{SideBySide, TrackingStore},
};
use std::sync::Arc;

/// The producer and the consumer over the queue at `queue_url` (dead letters to
/// `dead_letter_url`, when there is one), recording in `store`.
pub fn queue_pair(
    client: aws_sdk_sqs::Client,
    queue_url: &str,
    dead_letter_url: Option<&str>,
    store: Arc<dyn TrackingStore>,
    clock: Arc<dyn Clock>,
) -> (SideBySide, SqsQueue) {
    let mut queue = SqsQueue::new(client, queue_url);
    if let Some(url) = dead_letter_url {
        queue = queue.with_dead_letter_queue(url);
    }
    let producer = SideBySide::new(Arc::new(queue.clone()), store, clock);
    (producer, queue)
}
