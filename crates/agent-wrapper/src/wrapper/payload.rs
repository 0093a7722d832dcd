//! The wrapper's request and response, and their conversions to and from the agent
//! port's types, so that the processor gets back exactly the [`AgentError`] the wrapper
//! saw.

use chrono::{DateTime, Utc};
use revops_core::{
    TrackingId,
    ports::{AgentAnswer, AgentError, AgentQuestion, TokenUsage},
};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, time::Duration};

/// What the processor sends the wrapper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapperRequest {
    /// The question.
    pub query: String,
    /// The conversation to continue, if the caller named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The request it answers.
    pub tracking_id: TrackingId,
    /// The caller's trace context, as W3C headers: `traceparent`, `tracestate`, `baggage`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trace_context: BTreeMap<String, String>,
}

impl WrapperRequest {
    /// The request that asks `question`, carrying `trace_context`.
    pub fn new(question: &AgentQuestion, trace_context: BTreeMap<String, String>) -> Self {
        Self {
            query: question.query.clone(),
            session_id: question.session_id.clone(),
            tracking_id: question.tracking_id,
            trace_context,
        }
    }

    /// The question it asks.
    pub fn question(&self) -> AgentQuestion {
        AgentQuestion {
            tracking_id: self.tracking_id,
            query: self.query.clone(),
            session_id: self.session_id.clone(),
        }
    }
}

/// What the wrapper answers: the agent's answer, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WrapperResponse {
    /// The agent answered.
    Success {
        /// The answer, in markdown.
        response: String,
        /// The conversation it belongs to.
        session_id: String,
        /// When the agent answered.
        timestamp: DateTime<Utc>,
        /// The agents that took part, the orchestrator first (as seed 000 answered).
        #[serde(default)]
        agents_used: Vec<String>,
        /// The tokens the agents' models read and wrote, when Bedrock reported them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        usage: Option<TokenUsage>,
    },
    /// The agent gave no answer.
    Error {
        /// Why.
        error: WrapperError,
    },
}

/// Why the agent gave no answer, as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WrapperError {
    /// The kind of failure, which decides whether to try again.
    pub kind: WrapperErrorKind,
    /// What happened.
    pub message: String,
    /// For `throttled`: when to come back, if the agent said, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<f64>,
    /// For `timeout`: the time limit that ran out, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<f64>,
}

/// The kinds of [`AgentError`], by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WrapperErrorKind {
    /// [`AgentError::Throttled`].
    Throttled,
    /// [`AgentError::Unavailable`].
    Unavailable,
    /// [`AgentError::Timeout`].
    Timeout,
    /// [`AgentError::Rejected`].
    Rejected,
}

impl WrapperResponse {
    /// The answer or the error, as the agent port has them.
    pub fn into_result(self) -> Result<AgentAnswer, AgentError> {
        match self {
            WrapperResponse::Success {
                response,
                session_id,
                timestamp,
                agents_used,
                usage,
            } => Ok(AgentAnswer {
                response,
                session_id,
                answered_at: timestamp,
                agents_used,
                usage,
            }),
            WrapperResponse::Error { error } => Err(error.into()),
        }
    }
}

impl From<AgentAnswer> for WrapperResponse {
    fn from(answer: AgentAnswer) -> Self {
        WrapperResponse::Success {
            response: answer.response,
            session_id: answer.session_id,
            timestamp: answer.answered_at,
            agents_used: answer.agents_used,
            usage: answer.usage,
        }
    }
}

impl From<AgentError> for WrapperResponse {
    fn from(error: AgentError) -> Self {
        WrapperResponse::Error {
            error: error.into(),
        }
    }
}

impl From<Result<AgentAnswer, AgentError>> for WrapperResponse {
    fn from(result: Result<AgentAnswer, AgentError>) -> Self {
        result.map_or_else(Self::from, Self::from)
    }
}

impl From<AgentError> for WrapperError {
    fn from(error: AgentError) -> Self {
        let message = error.to_string();
        let (kind, message, retry_after, timeout) = match error {
            AgentError::Throttled { retry_after } => {
                (WrapperErrorKind::Throttled, message, retry_after, None)
            }
            AgentError::Unavailable(detail) => (WrapperErrorKind::Unavailable, detail, None, None),
            AgentError::Timeout(limit) => (WrapperErrorKind::Timeout, message, None, Some(limit)),
            AgentError::Rejected(detail) => (WrapperErrorKind::Rejected, detail, None, None),
        };
        WrapperError {
            kind,
            message,
            retry_after_seconds: retry_after.map(|wait| wait.as_secs_f64()),
            timeout_seconds: timeout.map(|limit| limit.as_secs_f64()),
        }
    }
}

impl From<WrapperError> for AgentError {
    fn from(error: WrapperError) -> Self {
        let seconds = |value: Option<f64>| value.and_then(|s| Duration::try_from_secs_f64(s).ok());
        match error.kind {
            WrapperErrorKind::Throttled => AgentError::Throttled {
                retry_after: seconds(error.retry_after_seconds),
            },
            WrapperErrorKind::Unavailable => AgentError::Unavailable(error.message),
            WrapperErrorKind::Timeout => {
                AgentError::Timeout(seconds(error.timeout_seconds).unwrap_or_default())
            }
            WrapperErrorKind::Rejected => AgentError::Rejected(error.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn round_trip(response: &WrapperResponse) -> WrapperResponse {
        let text = serde_json::to_string(response).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn requests_round_trip_and_take_the_documented_shape() {
        let text = r#"{"query": "What is the deal status for IXIS?",
            "tracking_id": "e7aeb7e9-5382-41a5-b858-f8010978cd26",
            "trace_context": {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}"#;
        let request: WrapperRequest = serde_json::from_str(text).unwrap();
        assert_eq!(request.session_id, None);
        assert_eq!(
            request.question().tracking_id.to_string(),
            "e7aeb7e9-5382-41a5-b858-f8010978cd26"
        );
        let again: WrapperRequest =
            serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
        assert_eq!(again, request);

        let minimal: WrapperRequest = serde_json::from_value(json!({
            "query": "q", "session_id": "webhook_20250814_e7aeb7e9",
            "tracking_id": "e7aeb7e9-5382-41a5-b858-f8010978cd26"
        }))
        .unwrap();
        assert!(minimal.trace_context.is_empty());
        assert_eq!(
            WrapperRequest::new(&minimal.question(), BTreeMap::new()),
            minimal
        );
        let bad_id = json!({"query": "q", "tracking_id": "abc"});
        assert!(serde_json::from_value::<WrapperRequest>(bad_id).is_err());
    }

    #[test]
    fn answers_round_trip() {
        let answer = AgentAnswer {
            response: "**Deal Status for IXIS** — Négociation".to_owned(),
            session_id: "webhook_20250814_e7aeb7e9".to_owned(),
            answered_at: Utc::now(),
            agents_used: vec!["ManagerAgent".to_owned(), "DealAnalysisAgent".to_owned()],
            usage: Some(TokenUsage {
                input_tokens: 1834,
                output_tokens: 212,
            }),
        };
        let response = WrapperResponse::from(answer.clone());
        let value = serde_json::to_value(&response).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "agents_used",
                "response",
                "session_id",
                "timestamp",
                "usage"
            ]
        );
        assert_eq!(round_trip(&response).into_result(), Ok(answer));
        // An answer from a wrapper that predates agents_used still reads.
        let older: WrapperResponse = serde_json::from_value(json!({
            "response": "ok", "session_id": "s", "timestamp": "2025-08-14T09:18:33Z"
        }))
        .unwrap();
        let older = older.into_result().unwrap();
        assert!(older.agents_used.is_empty());
        assert_eq!(older.usage, None);
    }

    #[test]
    fn every_error_round_trips() {
        let errors = [
            AgentError::Throttled { retry_after: None },
            AgentError::Throttled {
                retry_after: Some(Duration::from_millis(1500)),
            },
            AgentError::Unavailable("InternalServerException (HTTP 500): oops".to_owned()),
            AgentError::Timeout(Duration::from_secs(120)),
            AgentError::Rejected("ValidationException (HTTP 400): bad id".to_owned()),
        ];
        for error in errors {
            let response = WrapperResponse::from(Err(error.clone()));
            assert_eq!(round_trip(&response).into_result(), Err(error));
        }
    }

    #[test]
    fn errors_take_the_documented_shape() {
        let throttled = WrapperResponse::from(AgentError::Throttled {
            retry_after: Some(Duration::from_secs(30)),
        });
        assert_eq!(
            serde_json::to_value(&throttled).unwrap(),
            json!({"error": {"kind": "throttled", "message": "agent throttled the request",
                             "retry_after_seconds": 30.0}})
        );
        let rejected = WrapperResponse::from(AgentError::Rejected("no".to_owned()));
        assert_eq!(
            serde_json::to_value(&rejected).unwrap(),
            json!({"error": {"kind": "rejected", "message": "no"}})
        );
        let parsed: WrapperResponse = serde_json::from_value(
            json!({"error": {"kind": "throttled", "message": "m", "retry_after_seconds": 2}}),
        )
        .unwrap();
        assert_eq!(
            parsed.into_result(),
            Err(AgentError::Throttled {
                retry_after: Some(Duration::from_secs(2))
            })
        );
        let unknown: Result<WrapperResponse, _> =
            serde_json::from_value(json!({"error": {"kind": "exploded", "message": "m"}}));
        assert!(unknown.is_err());
        let neither: Result<WrapperResponse, _> = serde_json::from_value(Value::Null);
        assert!(neither.is_err());
    }
}
