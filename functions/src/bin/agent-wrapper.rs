//! `agent-wrapper` (deployed as `revops-manager-agent-wrapper`): one question to the
//! Bedrock Manager Agent (`BEDROCK_AGENT_ID`, `BEDROCK_AGENT_ALIAS_ID`), retried after
//! 2 s, 4 s and 8 s plus jitter on throttling, 5xx and timeouts, never past the
//! invocation's deadline; it continues the caller's trace from the payload.

use lambda_runtime::{LambdaEvent, service_fn};
use revops_bedrock::{
    BedrockAgent, BedrockAgentConfig,
    wrapper::{WrapperRequest, WrapperResponse, handle},
};
use revops_core::{config::Env, retry::RetryPolicy};
use revops_functions::{settings::DEADLINE_MARGIN, telemetry::LambdaTelemetry};
use revops_telemetry::propagation;
use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tracing::Instrument;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let telemetry = LambdaTelemetry::init("agent-wrapper")?;
    let env = Env::process();
    let policy = env.schedule("AGENT_RETRY_SCHEDULE", RetryPolicy::agent_default())?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let agent = Arc::new(BedrockAgent::new(&sdk, BedrockAgentConfig::from_env()?));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<WrapperRequest>| {
        let (agent, policy, telemetry) = (agent.clone(), policy.clone(), telemetry.clone());
        async move {
            let deadline = UNIX_EPOCH + Duration::from_millis(event.context.deadline);
            let remaining = deadline
                .duration_since(SystemTime::now())
                .unwrap_or_default()
                .saturating_sub(DEADLINE_MARGIN);
            let request = event.payload;
            let span = tracing::info_span!(
                "invoke",
                otel.name = "revops-manager-agent-wrapper invoke",
                otel.kind = "server",
                faas.invocation_id = %event.context.request_id,
                revops.tracking_id = %request.tracking_id,
            );
            propagation::continue_from(
                &span,
                request
                    .trace_context
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
            let deadline = tokio::time::Instant::now() + remaining;
            let response: WrapperResponse =
                handle(request, agent.as_ref(), &policy, Some(deadline))
                    .instrument(span)
                    .await;
            telemetry.flush().await;
            Ok::<_, lambda_runtime::Error>(response)
        }
    }))
    .await
}
