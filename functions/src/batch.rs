//! One SQS batch through the processor. Records are handled concurrently up to a bound,
//! each in its own consumer span (linked from the invocation's span), and a message that
//! appears twice in the batch is handled once; the answer lists in `batchItemFailures`
//! exactly the records that must come back, never the whole batch.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures_util::{StreamExt, stream};
use revops_aws::{SqsQueue, not_due_yet, received_from_event};
use revops_core::{
    flows::{Processor, message::TRACKING_ID_ATTRIBUTE},
    ports::{QueueConsumer, Received},
};
use revops_telemetry::propagation;
use std::collections::HashSet;

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RecordResult {
    /// Done with (acked, rescheduled, dead-lettered): Lambda may delete it.
    Done,
    /// It must come back: report it in `batchItemFailures`.
    ComeBack(String),
}

/// The records with their copies left out: SQS may put one message in a batch twice,
/// and two copies handled at once would both ask the agent and both deliver. A copy left
/// out shares its message id with the copy handled, so Lambda keeps or deletes it with
/// that one.
fn once_each(records: impl IntoIterator<Item = Received>) -> Vec<Received> {
    let mut seen = HashSet::new();
    records
        .into_iter()
        .filter(|record| {
            let first = record.message_id.is_empty() || seen.insert(record.message_id.clone());
            if !first {
                tracing::info!(message_id = %record.message_id, "a second copy of a message in one batch; handling it once");
            }
            first
        })
        .collect()
}

/// The tracking id every record of `event` carries, when they all carry the same one (a
/// batch of one, usually): the invocation's span then carries it too.
pub fn single_tracking_id(event: &SqsEvent) -> Option<String> {
    let mut ids = event.records.iter().map(|record| {
        record
            .message_attributes
            .get(TRACKING_ID_ATTRIBUTE)
            .and_then(|attribute| attribute.string_value.clone())
    });
    let first = ids.next()??;
    ids.all(|id| id.as_deref() == Some(first.as_str()))
        .then_some(first)
}

/// Handles `event` with `processor`, `concurrency` records at a time.
pub async fn handle_batch(
    processor: &Processor,
    queue: &SqsQueue,
    event: SqsEvent,
    concurrency: usize,
) -> SqsBatchResponse {
    let span = tracing::Span::current();
    let received = once_each(event.records.iter().map(received_from_event));
    for message in &received {
        propagation::link_from(&span, &message.message.attributes);
    }
    let results: Vec<RecordResult> = stream::iter(received)
        .map(|received| async move {
            queue.remember(&received);
            if let Some(wait) = not_due_yet(&received, chrono::Utc::now()) {
                return match queue.requeue(&received.receipt, wait).await {
                    Ok(()) => RecordResult::Done,
                    Err(error) => {
                        tracing::error!(message_id = %received.message_id, %error, "cannot re-delay an early message");
                        RecordResult::ComeBack(received.message_id.clone())
                    }
                };
            }
            match processor.handle(&received).await {
                Ok(outcome) if outcome.returned_to_queue() => RecordResult::ComeBack(received.message_id.clone()),
                Ok(_) => RecordResult::Done,
                Err(error) => {
                    tracing::error!(message_id = %received.message_id, %error, "record not handled; it comes back");
                    RecordResult::ComeBack(received.message_id.clone())
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    for result in results {
        if let RecordResult::ComeBack(id) = result {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use revops_core::ports::{QueueMessage, Receipt};

    fn received(message_id: &str, receipt: &str) -> Received {
        Received {
            message_id: message_id.to_owned(),
            receipt: Receipt(receipt.to_owned()),
            message: QueueMessage::default(),
            receive_count: 1,
            sent_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_message_in_a_batch_twice_is_handled_once() {
        let kept = once_each([
            received("a", "r1"),
            received("b", "r2"),
            received("a", "r3"),
            received("", "r4"),
            received("", "r5"),
        ]);
        let receipts: Vec<&str> = kept.iter().map(|r| r.receipt.0.as_str()).collect();
        assert_eq!(receipts, ["r1", "r2", "r4", "r5"]);
    }
}
