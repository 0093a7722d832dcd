//! `webhook-gateway` (deployed as `prod-revops-webhook-gateway`): the gateway's axum
//! router under `lambda_http` (API Gateway REST and HTTP API events), queueing to SQS and
//! tracking in DynamoDB ([`revops_functions::gateway`]). Set
//! `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` so the stage (`/prod`) is not part of the
//! route.

use revops_core::config::Env;
use revops_functions::{gateway::app, telemetry::LambdaTelemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let telemetry = LambdaTelemetry::init("gateway")?;
    let app = app(&Env::process(), telemetry).await?;
    lambda_http::run(app).await
}
