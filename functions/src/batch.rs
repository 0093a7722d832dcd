//! One SQS batch through the processor. Records are handled concurrently up to a bound,
//! each in its own consumer span (linked from the invocation's span); the answer lists
//! in `batchItemFailures` exactly the records that must come back, never the whole batch.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures_util::{StreamExt, stream};
use revops_aws::{SqsQueue, not_due_yet, received_from_event};
use revops_core::{flows::Processor, ports::RequestQueue};
use revops_telemetry::propagation;

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RecordResult {
    /// Done with (acked, rescheduled, dead-lettered): Lambda may delete it.
    Done,
    /// It must come back: report it in `batchItemFailures`.
    ComeBack(String),
}

/// Handles `event` with `processor`, `concurrency` records at a time.
pub async fn handle_batch(
    processor: &Processor,
    queue: &SqsQueue,
    event: SqsEvent,
    concurrency: usize,
) -> SqsBatchResponse {
    let span = tracing::Span::current();
    let received: Vec<_> = event.records.iter().map(received_from_event).collect();
    for message in &received {
        propagation::link_from(
            &span,
            message
                .message
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
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
