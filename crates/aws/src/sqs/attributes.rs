//! The mapping between the port's string attributes and SQS's: every attribute is a
//! `String` message attribute, except `AWSTraceHeader`, which travels as the message
//! system attribute of that name (X-Ray's trace header) and comes back under the same
//! key. SQS refuses empty attribute values, so those are not sent.

use super::delay::whole_seconds;
use aws_sdk_sqs::types::{
    Message, MessageAttributeValue, MessageSystemAttributeName, MessageSystemAttributeNameForSends,
    MessageSystemAttributeValue,
};
use chrono::{DateTime, Utc};
use revops_core::ports::{QueueError, QueueMessage, Receipt, Received};
use std::{collections::HashMap, time::Duration};

/// The attribute key of the X-Ray trace header, sent and received as the SQS message
/// system attribute `AWSTraceHeader`.
pub const AWS_TRACE_HEADER: &str = "AWSTraceHeader";

/// The attribute a dead-lettered copy carries: why it was dead-lettered.
pub const DEAD_LETTER_REASON_ATTRIBUTE: &str = "revops_dead_letter_reason";

/// The longest visibility timeout SQS takes (12 hours).
const MAX_VISIBILITY: Duration = Duration::from_secs(43_200);

/// A visibility timeout in whole seconds, at most 12 hours.
pub(crate) fn visibility_seconds(visibility: Duration) -> i32 {
    whole_seconds(visibility.min(MAX_VISIBILITY))
}

/// The SQS message attributes for `message`'s attributes (all but the trace header).
pub(crate) fn message_attributes(
    message: &QueueMessage,
) -> Result<HashMap<String, MessageAttributeValue>, QueueError> {
    message
        .attributes
        .iter()
        .filter(|(name, value)| name.as_str() != AWS_TRACE_HEADER && !value.is_empty())
        .map(|(name, value)| {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| QueueError::Unavailable(format!("attribute {name}: {e}")))?;
            Ok((name.clone(), value))
        })
        .collect()
}

/// The system attributes for `message`: its trace header, if it has one.
pub(crate) fn system_attributes(
    message: &QueueMessage,
) -> Result<HashMap<MessageSystemAttributeNameForSends, MessageSystemAttributeValue>, QueueError> {
    let Some(header) = message
        .attributes
        .get(AWS_TRACE_HEADER)
        .filter(|header| !header.is_empty())
    else {
        return Ok(HashMap::new());
    };
    let value = MessageSystemAttributeValue::builder()
        .data_type("String")
        .string_value(header)
        .build()
        .map_err(|e| QueueError::Unavailable(format!("attribute {AWS_TRACE_HEADER}: {e}")))?;
    Ok([(MessageSystemAttributeNameForSends::AwsTraceHeader, value)].into())
}

/// A received SQS message as the port's [`Received`].
pub(crate) fn received_from_sdk(message: &Message) -> Received {
    let mut attributes: std::collections::BTreeMap<String, String> = message
        .message_attributes()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| Some((name.clone(), value.string_value()?.to_owned())))
        .collect();
    let system = message.attributes();
    let system_attribute = |name: MessageSystemAttributeName| {
        system
            .and_then(|system| system.get(&name))
            .map(String::as_str)
    };
    if let Some(header) = system_attribute(MessageSystemAttributeName::AwsTraceHeader) {
        attributes.insert(AWS_TRACE_HEADER.to_owned(), header.to_owned());
    }
    Received {
        message_id: message.message_id().unwrap_or_default().to_owned(),
        receipt: Receipt(message.receipt_handle().unwrap_or_default().to_owned()),
        message: QueueMessage {
            body: message.body().unwrap_or_default().to_owned(),
            attributes,
        },
        receive_count: receive_count(system_attribute(
            MessageSystemAttributeName::ApproximateReceiveCount,
        )),
        sent_at: sent_at(system_attribute(MessageSystemAttributeName::SentTimestamp)),
    }
}

/// `ApproximateReceiveCount`, or 1 when it is missing or unreadable.
pub(crate) fn receive_count(text: Option<&str>) -> u32 {
    text.and_then(|text| text.parse().ok()).unwrap_or(1)
}

/// `SentTimestamp` (epoch milliseconds), or now when it is missing or unreadable.
pub(crate) fn sent_at(text: Option<&str>) -> DateTime<Utc> {
    text.and_then(|text| text.parse::<i64>().ok())
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(Utc::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_header_is_a_system_attribute_and_empty_values_are_dropped() {
        let message = QueueMessage {
            body: "b".into(),
            attributes: [
                ("tracking_id".to_owned(), "t".to_owned()),
                ("tracestate".to_owned(), String::new()),
                (AWS_TRACE_HEADER.to_owned(), "Root=1-abc".to_owned()),
            ]
            .into(),
        };
        let regular = message_attributes(&message).unwrap();
        assert_eq!(regular.len(), 1);
        assert_eq!(regular["tracking_id"].string_value(), Some("t"));
        let system = system_attributes(&message).unwrap();
        assert_eq!(
            system[&MessageSystemAttributeNameForSends::AwsTraceHeader].string_value(),
            Some("Root=1-abc")
        );
    }

    #[test]
    fn counts_and_times_fall_back_when_missing() {
        assert_eq!(receive_count(Some("3")), 3);
        assert_eq!(receive_count(None), 1);
        assert_eq!(
            sent_at(Some("1700000000123")).timestamp_millis(),
            1_700_000_000_123
        );
        assert_eq!(visibility_seconds(Duration::from_secs(100_000)), 43_200);
    }
}
