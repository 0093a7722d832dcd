//! One wrapper invocation: the request's question, asked with the retry policy, and the
//! outcome as a [`WrapperResponse`].

use super::{WrapperRequest, WrapperResponse};
use crate::ask_with_retries;
use revops_core::{ports::Agent, retry::RetryPolicy};
use tokio::time::Instant;
use tracing::Instrument;

/// Answers one wrapper request: asks `agent`, retrying as `policy` says and never past
/// `deadline`, and turns the answer or the last error into the response.
pub async fn handle(
    request: WrapperRequest,
    agent: &dyn Agent,
    policy: &RetryPolicy,
    deadline: Option<Instant>,
) -> WrapperResponse {
    let span = tracing::info_span!(
        "agent_wrapper",
        revops.tracking_id = %request.tracking_id,
        traceparent = request.trace_context.get("traceparent").map(String::as_str),
    );
    let question = request.question();
    ask_with_retries(agent, &question, policy, deadline)
        .instrument(span)
        .await
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrapper::WrapperErrorKind;
    use async_trait::async_trait;
    use chrono::Utc;
    use revops_core::{
        TrackingId,
        ports::{AgentAnswer, AgentError, AgentQuestion},
    };
    use std::{collections::BTreeMap, time::Duration};

    /// Echoes the question, or refuses an empty one.
    struct Echo;

    #[async_trait]
    impl Agent for Echo {
        async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
            if question.query.is_empty() {
                return Err(AgentError::Rejected("empty question".to_owned()));
            }
            Ok(AgentAnswer {
                response: format!("you asked: {}", question.query),
                session_id: question.session_id.clone().unwrap_or_default(),
                answered_at: Utc::now(),
                ..Default::default()
            })
        }
    }

    fn request(query: &str) -> WrapperRequest {
        WrapperRequest {
            query: query.to_owned(),
            session_id: Some("s-1".to_owned()),
            tracking_id: TrackingId::new(),
            trace_context: BTreeMap::new(),
        }
    }

    #[tokio::test]
    async fn answers_and_errors_become_responses() {
        let policy = RetryPolicy::agent_default();
        let answer = handle(request("hi"), &Echo, &policy, None).await;
        let WrapperResponse::Success {
            response,
            session_id,
            ..
        } = answer
        else {
            panic!("expected an answer, got {answer:?}");
        };
        assert_eq!(
            (response.as_str(), session_id.as_str()),
            ("you asked: hi", "s-1")
        );

        let deadline = Instant::now() + Duration::from_secs(1);
        let refused = handle(request(""), &Echo, &policy, Some(deadline)).await;
        let WrapperResponse::Error { error } = refused else {
            panic!("expected an error, got {refused:?}");
        };
        assert_eq!(error.kind, WrapperErrorKind::Rejected);
        assert_eq!(error.message, "empty question");
    }
}
