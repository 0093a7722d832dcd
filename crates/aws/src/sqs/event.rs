//! The records of Lambda's SQS events as the port's [`Received`]: when Lambda polls the
//! queue, the processor gets its messages this way instead of through `receive`.

use super::attributes::{AWS_TRACE_HEADER, receive_count, sent_at};
use aws_lambda_events::event::sqs::SqsMessage;
use revops_core::ports::{QueueMessage, Receipt, Received};

/// One record of an SQS event: the body, the `String` message attributes, the receipt
/// handle, `ApproximateReceiveCount`, `SentTimestamp`, and the `AWSTraceHeader` system
/// attribute (under the key `AWSTraceHeader`, as `receive` of [`crate::SqsQueue`] gives it).
///
/// To return or dead-letter such a message through [`crate::SqsQueue`], hand the result
/// to [`crate::SqsQueue::remember`] first.
pub fn received_from_event(record: &SqsMessage) -> Received {
    let mut attributes: std::collections::BTreeMap<String, String> = record
        .message_attributes
        .iter()
        .filter_map(|(name, value)| Some((name.clone(), value.string_value.clone()?)))
        .collect();
    if let Some(header) = record.attributes.get(AWS_TRACE_HEADER) {
        attributes.insert(AWS_TRACE_HEADER.to_owned(), header.clone());
    }
    Received {
        message_id: record.message_id.clone().unwrap_or_default(),
        receipt: Receipt(record.receipt_handle.clone().unwrap_or_default()),
        message: QueueMessage {
            body: record.body.clone().unwrap_or_default(),
            attributes,
        },
        receive_count: receive_count(
            record
                .attributes
                .get("ApproximateReceiveCount")
                .map(String::as_str),
        ),
        sent_at: sent_at(record.attributes.get("SentTimestamp").map(String::as_str)),
    }
}
