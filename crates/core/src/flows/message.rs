//! The request queue's message: the parsed request, its tracking id and when it was
//! queued, as JSON in the body; the tracking id again as a message attribute so it can be
//! read without decoding the body.

use super::super::{
    InboundRequest, TrackingId,
    ports::{NewRecord, QueueMessage, TrackingRecord},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The attribute that carries the tracking id.
pub const TRACKING_ID_ATTRIBUTE: &str = "tracking_id";

/// The attribute a replayed request's message carries: who or what put it back.
pub const REPLAYED_BY_ATTRIBUTE: &str = "revops_replayed_by";

/// A queued request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestMessage {
    /// Its tracking id.
    pub tracking_id: TrackingId,
    /// The request, as validated at the gateway.
    pub request: InboundRequest,
    /// When the gateway queued it.
    pub queued_at: DateTime<Utc>,
}

/// A message body that is not a queued request (it is dead-lettered at once).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("undecodable queue message: {0}")]
pub struct MessageError(pub String);

impl RequestMessage {
    /// The queue message for this request.
    pub fn encode(&self) -> QueueMessage {
        QueueMessage {
            body: serde_json::to_string(self).expect("a request message always serialises"),
            attributes: [(
                TRACKING_ID_ATTRIBUTE.to_owned(),
                self.tracking_id.to_string(),
            )]
            .into_iter()
            .collect(),
        }
    }

    /// The message of a request known by its record, to send it again: `None` when the
    /// record does not keep its request (it was written before requests were kept).
    pub fn from_record(record: &TrackingRecord) -> Option<Self> {
        Some(Self {
            tracking_id: record.tracking_id,
            request: record.request.clone()?,
            queued_at: record.queued_at,
        })
    }

    /// The tracking record the gateway creates for this request, in the trace
    /// `trace_id`.
    pub fn new_record(&self, trace_id: Option<String>) -> NewRecord {
        NewRecord {
            tracking_id: self.tracking_id,
            source_system: self.request.source_system.as_str().to_owned(),
            source_process: self.request.source_process.as_str().to_owned(),
            queued_at: self.queued_at,
            trace_id,
        }
    }

    /// Decodes a queue message, validating the request again.
    pub fn decode(message: &QueueMessage) -> Result<Self, MessageError> {
        serde_json::from_str(&message.body).map_err(|e| MessageError(e.to_string()))
    }
}

/// A request message queued now, for tests.
#[cfg(test)]
pub(crate) fn sample() -> RequestMessage {
    let body = br#"{"query":"q","source_system":"a","source_process":"b","timestamp":"2025-08-13T06:30:00Z"}"#;
    RequestMessage {
        tracking_id: TrackingId::new(),
        request: InboundRequest::parse(body).unwrap().request,
        queued_at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_carries_the_tracking_id_attribute() {
        let message = sample();
        let encoded = message.encode();
        assert_eq!(
            encoded.attributes[TRACKING_ID_ATTRIBUTE],
            message.tracking_id.to_string()
        );
        assert_eq!(RequestMessage::decode(&encoded).unwrap(), message);
    }

    #[test]
    fn garbage_and_invalid_requests_do_not_decode() {
        let garbage = QueueMessage {
            body: "not json".into(),
            ..Default::default()
        };
        assert!(RequestMessage::decode(&garbage).is_err());
        let mut invalid = sample().encode();
        invalid.body = invalid.body.replace("\"q\"", "\"  \"");
        assert!(RequestMessage::decode(&invalid).is_err());
    }

    #[test]
    fn a_timestamp_the_gateway_would_refuse_does_not_decode() {
        // Found by the decode_message fuzz target: chrono's own parser takes a signed
        // three-digit year, which RFC 3339 (and so the gateway) does not.
        let mut message = sample().encode();
        message.body = message
            .body
            .replace("2025-08-13T06:30:00Z", "-025-08-13T06:30:00Z");
        let error = RequestMessage::decode(&message).unwrap_err();
        assert!(error.to_string().contains("RFC 3339"), "{error}");
    }
}
