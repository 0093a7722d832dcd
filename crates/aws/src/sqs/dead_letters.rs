//! A replay's clean-up of the SQS dead-letter queue: the copies of the replayed requests'
//! messages are deleted, the others left for the next reader. SQS cannot delete by
//! content, so the queue is read through: every message is received (hidden for a
//! while, so one pass sees each once), a copy of a replayed request is deleted, and any
//! other is made visible again at the end.

use super::SqsQueue;
use crate::errors::describe;
use async_trait::async_trait;
use revops_core::{
    TrackingId,
    flows::{RequestMessage, message::TRACKING_ID_ATTRIBUTE},
    ports::{DeadLetterCopies, QueueError, QueueMessage},
};
use std::collections::HashSet;

/// How long a message read in the pass stays hidden: longer than a pass over a
/// dead-letter queue of ordinary size takes.
const PASS_VISIBILITY_SECONDS: i32 = 120;

#[async_trait]
impl DeadLetterCopies for SqsQueue {
    async fn discard(&self, ids: &[TrackingId]) -> Result<usize, QueueError> {
        let Some(url) = self.dead_letter_url.as_deref() else {
            return Ok(0);
        };
        let wanted: HashSet<String> = ids.iter().map(ToString::to_string).collect();
        let mut removed = 0;
        let mut others = Vec::new();
        loop {
            let page = self
                .client
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .visibility_timeout(PASS_VISIBILITY_SECONDS)
                // A long poll asks every SQS server, so an empty answer means empty.
                .wait_time_seconds(1)
                .message_attribute_names(TRACKING_ID_ATTRIBUTE)
                .send()
                .await
                .map_err(|error| QueueError::Unavailable(describe("ReceiveMessage", &error)))?;
            if page.messages().is_empty() {
                break;
            }
            for message in page.messages() {
                let Some(receipt) = message.receipt_handle() else {
                    continue;
                };
                if tracking_id_of(message).is_some_and(|id| wanted.contains(&id)) {
                    self.client
                        .delete_message()
                        .queue_url(url)
                        .receipt_handle(receipt)
                        .send()
                        .await
                        .map_err(|error| {
                            QueueError::Unavailable(describe("DeleteMessage", &error))
                        })?;
                    removed += 1;
                } else {
                    others.push(receipt.to_owned());
                }
            }
        }
        for receipt in others {
            // Visible again now; should this fail, it shows again when the pass's
            // visibility timeout ends.
            if let Err(error) = self
                .client
                .change_message_visibility()
                .queue_url(url)
                .receipt_handle(receipt)
                .visibility_timeout(0)
                .send()
                .await
            {
                tracing::warn!(error = %describe("ChangeMessageVisibility", &error), "a dead letter stays hidden until the pass's visibility timeout ends");
            }
        }
        Ok(removed)
    }
}

/// The tracking id a dead letter's message names: its attribute, else its body's.
fn tracking_id_of(message: &aws_sdk_sqs::types::Message) -> Option<String> {
    let attribute = message
        .message_attributes()
        .and_then(|attributes| attributes.get(TRACKING_ID_ATTRIBUTE))
        .and_then(|value| value.string_value())
        .map(str::to_owned);
    attribute.or_else(|| {
        let body = QueueMessage {
            body: message.body()?.to_owned(),
            ..Default::default()
        };
        RequestMessage::decode(&body)
            .ok()
            .map(|decoded| decoded.tracking_id.to_string())
    })
}
