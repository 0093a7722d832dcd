//! The `agent-wrapper` function's handler: one question to the Bedrock Manager Agent
//! (`BEDROCK_AGENT_ID`, `BEDROCK_AGENT_ALIAS_ID`), retried on the agent schedule
//! (`AGENT_RETRY_SCHEDULE`: 2 s, 4 s and 8 s plus jitter) on throttling, 5xx and
//! timeouts, never past the invocation's deadline. Its span continues the invocation's
//! X-Ray segment when Lambda passes a sampled one, else the caller's trace from the
//! payload.

use crate::{runtime::Invocation, settings::time_left, telemetry::LambdaTelemetry};
use lambda_runtime::LambdaEvent;
use revops_agent_wrapper::{
    BedrockAgent, BedrockAgentConfig,
    wrapper::{WrapperRequest, WrapperResponse, handle},
};
use revops_core::{config::Env, retry::RetryPolicy};
use revops_telemetry::propagation::{self, InvocationTrace};
use tracing::Instrument;

/// Everything built once per container.
pub struct AgentWrapper {
    agent: BedrockAgent,
    policy: RetryPolicy,
    telemetry: LambdaTelemetry,
}

impl AgentWrapper {
    /// Reads the configuration from `env`, naming what is missing or wrong, and builds
    /// the Bedrock client once.
    pub async fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        telemetry: LambdaTelemetry,
    ) -> Result<Self, lambda_runtime::Error> {
        let policy = env.schedule("AGENT_RETRY_SCHEDULE", RetryPolicy::agent_default())?;
        let config = BedrockAgentConfig::from_env()?;
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self {
            agent: BedrockAgent::new(&sdk, config),
            policy,
            telemetry,
        })
    }
}

#[async_trait::async_trait]
impl Invocation for AgentWrapper {
    type Event = WrapperRequest;
    type Response = WrapperResponse;

    /// One question, inside a server span that continues the processor's trace.
    async fn invoke(&self, event: LambdaEvent<WrapperRequest>) -> WrapperResponse {
        let deadline = tokio::time::Instant::now() + time_left(&event.context);
        let request = event.payload;
        let span = tracing::info_span!(
            "invoke",
            otel.name = "revops-manager-agent-wrapper invoke",
            otel.kind = "server",
            faas.invocation_id = %event.context.request_id,
            revops.tracking_id = tracing::field::Empty,
            trace_id = tracing::field::Empty,
        );
        let tracking_id = request.tracking_id.to_string();
        let invocation = event.context.xray_trace_id.clone().map(InvocationTrace);
        propagation::continue_span(
            &span,
            invocation.as_ref(),
            &request.trace_context,
            Some(&tracking_id),
        );
        let response = handle(request, &self.agent, &self.policy, Some(deadline))
            .instrument(span)
            .await;
        self.telemetry.flush().await;
        response
    }
}
