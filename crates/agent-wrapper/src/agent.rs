//! [`BedrockAgent`]: one streaming `InvokeAgent` call per question, under one time limit.

use crate::{
    BedrockAgentConfig, ConfigError, TRACKING_ID_ATTRIBUTE, default_session_id, errors, stream,
    trace_steps::TraceSteps,
};
use async_trait::async_trait;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_bedrockagentruntime::{
    Client,
    config::{Builder as ClientConfigBuilder, retry::RetryConfig},
    operation::RequestId,
    types::SessionState,
};
use chrono::Utc;
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_telemetry::agent_steps::{agents_used, record_steps};
use tokio::time::Instant;
use tracing::Instrument;

/// The RevOps Manager Agent on Bedrock.
///
/// Each [`Agent::ask`] is exactly one `InvokeAgent` call: the SDK's own retries are
/// turned off, so the only retries are the caller's (see [`crate::ask_with_retries`]).
#[derive(Debug, Clone)]
pub struct BedrockAgent {
    client: Client,
    config: BedrockAgentConfig,
}

impl BedrockAgent {
    /// An agent that calls Bedrock with `sdk_config` (region, endpoint, credentials, HTTP
    /// client). Any retry configuration in it is replaced by "no retries".
    pub fn new(sdk_config: &SdkConfig, config: BedrockAgentConfig) -> Self {
        let client_config = ClientConfigBuilder::from(sdk_config)
            .retry_config(RetryConfig::disabled())
            .build();
        Self {
            client: Client::from_conf(client_config),
            config,
        }
    }

    /// An agent configured from the environment: [`BedrockAgentConfig::from_env`] for the
    /// agent, and the standard AWS configuration (`AWS_REGION`, `AWS_ENDPOINT_URL`,
    /// `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`, the credential chain) for the rest.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = BedrockAgentConfig::from_env()?;
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::disabled())
            .load()
            .await;
        Ok(Self::new(&sdk_config, config))
    }

    /// The agent asked and the time limit per call.
    pub fn config(&self) -> &BedrockAgentConfig {
        &self.config
    }

    /// The call itself, stream included, without the time limit; the trace's steps go
    /// to `steps`.
    async fn invoke(
        &self,
        question: &AgentQuestion,
        session_id: &str,
        steps: &mut TraceSteps,
    ) -> Result<String, AgentError> {
        let session_state = SessionState::builder()
            .session_attributes(TRACKING_ID_ATTRIBUTE, question.tracking_id.to_string())
            .build();
        let mut output = self
            .client
            .invoke_agent()
            .agent_id(self.config.agent_id())
            .agent_alias_id(self.config.agent_alias_id())
            .session_id(session_id)
            .input_text(&question.query)
            .session_state(session_state)
            .enable_trace(self.config.trace())
            .send()
            .await
            .map_err(errors::from_invoke_error)?;
        tracing::debug!(
            request_id = output.request_id().unwrap_or_default(),
            "agent stream opened"
        );
        stream::read_answer(&mut output.completion, steps).await
    }
}

#[async_trait]
impl Agent for BedrockAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        let session_id = question
            .session_id
            .clone()
            .unwrap_or_else(|| default_session_id(&question.tracking_id, Utc::now().date_naive()));
        let span = tracing::info_span!(
            "bedrock.invoke_agent",
            revops.tracking_id = %question.tracking_id,
            session_id = %session_id,
            agent_id = self.config.agent_id(),
            agent_alias_id = self.config.agent_alias_id(),
        );
        async {
            let started = Instant::now();
            let limit = self.config.call_timeout();
            let mut trace = TraceSteps::default();
            let result =
                tokio::time::timeout(limit, self.invoke(question, &session_id, &mut trace))
                    .await
                    .unwrap_or(Err(AgentError::Timeout(limit)));
            let (steps, dropped) = trace.finish();
            record_steps(&tracing::Span::current(), &steps, dropped);
            let elapsed_ms = started.elapsed().as_millis();
            match result {
                Ok(response) => {
                    tracing::info!(
                        elapsed_ms,
                        chars = response.chars().count(),
                        "agent answered"
                    );
                    Ok(AgentAnswer {
                        response,
                        session_id: session_id.clone(),
                        answered_at: Utc::now(),
                        agents_used: agents_used(&steps),
                        usage: TraceSteps::usage(&steps),
                    })
                }
                Err(error) => {
                    tracing::warn!(elapsed_ms, %error, "agent call failed");
                    Err(error)
                }
            }
        }
        .instrument(span)
        .await
    }
}
