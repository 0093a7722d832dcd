//! The JSON documents callers and receivers see: the `202` answer to `POST /webhook` and
//! the webhook body of seed 001. Their keys are the contract; tests pin them.

use crate::{InboundRequest, TrackingId, ports::AgentAnswer};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// `queued_at`'s form, as the seed shows it: `2025-08-14T09:18:33.360478+00:00`.
pub fn format_queued_at(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// The webhook's timestamps' form, as the seed shows it: `2025-08-14T09:20:00.000Z`.
pub fn format_webhook_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The body of `202 Accepted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedResponse {
    /// Always `true`.
    pub success: bool,
    /// `Request queued for processing`.
    pub message: String,
    /// The request's tracking id.
    pub tracking_id: TrackingId,
    /// When it was queued.
    pub queued_at: String,
    /// The seeds' estimate, `30-60 seconds`.
    pub estimated_processing_time: String,
    /// `queued`.
    pub status: String,
}

impl AcceptedResponse {
    /// The answer for a request queued at `queued_at`.
    pub fn new(tracking_id: TrackingId, queued_at: DateTime<Utc>) -> Self {
        Self {
            success: true,
            message: "Request queued for processing".to_owned(),
            tracking_id,
            queued_at: format_queued_at(queued_at),
            estimated_processing_time: "30-60 seconds".to_owned(),
            status: "queued".to_owned(),
        }
    }
}

/// The webhook body a receiver gets (seed 001).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// The request's tracking id (also the `webhook-id` header).
    pub tracking_id: TrackingId,
    /// The caller's system.
    pub source_system: String,
    /// The caller's process.
    pub source_process: String,
    /// The question as asked (trimmed).
    pub original_query: String,
    /// The agent's answer.
    pub ai_response: AiResponse,
    /// Where and when this copy was delivered.
    pub webhook_metadata: WebhookMetadata,
}

/// `ai_response`: the answer as markdown and as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AiResponse {
    /// The answer in markdown.
    pub response: String,
    /// The answer as plain text.
    pub response_plain: String,
    /// The agent conversation, to continue it with a later request.
    pub session_id: String,
    /// When the agent answered.
    pub timestamp: String,
}

/// `webhook_metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookMetadata {
    /// When this attempt was made.
    pub delivered_at: String,
    /// The URL it was sent to.
    pub webhook_url: String,
}

impl WebhookPayload {
    /// The body for one delivery attempt of `answer` to `webhook_url`.
    pub fn new(
        tracking_id: TrackingId,
        request: &InboundRequest,
        answer: &AgentAnswer,
        webhook_url: &str,
        delivered_at: DateTime<Utc>,
    ) -> Self {
        Self {
            tracking_id,
            source_system: request.source_system.as_str().to_owned(),
            source_process: request.source_process.as_str().to_owned(),
            original_query: request.query.as_str().to_owned(),
            ai_response: AiResponse {
                response: answer.response.clone(),
                response_plain: crate::render::markdown_to_plain(&answer.response),
                session_id: answer.session_id.clone(),
                timestamp: format_webhook_time(answer.answered_at),
            },
            webhook_metadata: WebhookMetadata {
                delivered_at: format_webhook_time(delivered_at),
                webhook_url: webhook_url.to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_take_the_seeds_forms() {
        let at = Utc.timestamp_opt(1_755_163_113, 360_478_000).unwrap();
        assert_eq!(format_queued_at(at), "2025-08-14T09:18:33.360478+00:00");
        assert_eq!(format_webhook_time(at), "2025-08-14T09:18:33.360Z");
    }

    #[test]
    fn the_accepted_body_has_the_seed_keys() {
        let value =
            serde_json::to_value(AcceptedResponse::new(TrackingId::new(), Utc::now())).unwrap();
        let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "estimated_processing_time",
                "message",
                "queued_at",
                "status",
                "success",
                "tracking_id"
            ]
        );
    }
}
