//! The agent as the seeds reach it: invoking the wrapper function
//! (`MANAGER_AGENT_FUNCTION_NAME`) with aws-sdk-lambda. The trace context travels inside
//! the payload, and as the call's `X-Amzn-Trace-Id` header, from which Lambda starts the
//! wrapper's invocation segment in the same X-Ray trace; the wrapper's typed errors come
//! back as [`AgentError`]s.

use async_trait::async_trait;
use aws_sdk_lambda::{Client, error::ProvideErrorMetadata, primitives::Blob};
use revops_agent_wrapper::wrapper::{WrapperRequest, WrapperResponse};
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_telemetry::propagation;

/// The wrapper function as an [`Agent`].
#[derive(Debug, Clone)]
pub struct LambdaAgent {
    client: Client,
    function_name: String,
}

impl LambdaAgent {
    /// Invokes `function_name` with `client`.
    pub fn new(client: Client, function_name: impl Into<String>) -> Self {
        Self {
            client,
            function_name: function_name.into(),
        }
    }
}

/// Reads an invoke error: throttling is retried later, a missing function or a denied
/// call is not, anything else may pass.
fn invoke_error(
    error: &aws_sdk_lambda::error::SdkError<impl ProvideErrorMetadata + std::error::Error>,
) -> AgentError {
    let code = error.code().unwrap_or_default().to_owned();
    let message = format!(
        "invoking the agent wrapper failed: {}{}",
        if code.is_empty() {
            "error".to_owned()
        } else {
            code.clone()
        },
        error
            .message()
            .map(|m| format!(": {m}"))
            .unwrap_or_default()
    );
    match code.as_str() {
        "TooManyRequestsException" | "EC2ThrottledException" => {
            AgentError::Throttled { retry_after: None }
        }
        "ResourceNotFoundException"
        | "AccessDeniedException"
        | "InvalidRequestContentException"
        | "RequestTooLargeException" => AgentError::Rejected(message),
        _ => AgentError::Unavailable(message),
    }
}

#[async_trait]
impl Agent for LambdaAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        let trace_context = propagation::message_attributes(
            &tracing::Span::current(),
            &question.tracking_id.to_string(),
        );
        let xray_header = trace_context.get(propagation::AWS_TRACE_HEADER).cloned();
        let request = WrapperRequest::new(question, trace_context);
        let payload = serde_json::to_vec(&request)
            .map_err(|e| AgentError::Rejected(format!("cannot encode the question: {e}")))?;
        let output = self
            .client
            .invoke()
            .function_name(&self.function_name)
            .payload(Blob::new(payload))
            .customize()
            .mutate_request(move |request| {
                if let Some(header) = &xray_header {
                    request
                        .headers_mut()
                        .insert(propagation::XRAY_HEADER, header.clone());
                }
            })
            .send()
            .await
            .map_err(|error| invoke_error(&error))?;
        let body = output
            .payload()
            .map(|blob| blob.as_ref().to_vec())
            .unwrap_or_default();
        if let Some(kind) = output.function_error() {
            let detail = String::from_utf8_lossy(&body);
            return Err(AgentError::Unavailable(format!(
                "the agent wrapper failed ({kind}): {}",
                detail.chars().take(300).collect::<String>()
            )));
        }
        let response: WrapperResponse = serde_json::from_slice(&body).map_err(|e| {
            AgentError::Unavailable(format!("the agent wrapper's answer does not parse: {e}"))
        })?;
        response.into_result()
    }
}
