//! `agent-wrapper` (deployed as `revops-manager-agent-wrapper`): one question to the
//! Bedrock Manager Agent per invocation, with retries bounded by its deadline
//! ([`revops_functions::agent_wrapper`]).

use revops_core::config::Env;
use revops_functions::{agent_wrapper::AgentWrapper, runtime::serve, telemetry::LambdaTelemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let telemetry = LambdaTelemetry::init("agent-wrapper")?;
    serve(AgentWrapper::from_env(&Env::process(), telemetry).await?).await
}
