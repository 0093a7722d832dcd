//! `webhook-gateway` (deployed as `prod-revops-webhook-gateway`): the gateway's axum
//! router under `lambda_http` (API Gateway REST and HTTP API events), queueing to SQS and
//! tracking in DynamoDB. Set `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` so the stage
//! (`/prod`) is not part of the route.

use axum::{
    extract::{Request, State},
    middleware::{Next, from_fn_with_state},
    response::Response,
};
use revops_aws::{AwsClients, DynamoStore, SqsQueue};
use revops_core::{SystemClock, config::Env, flows::Gateway};
use revops_functions::{settings::Resources, telemetry::LambdaTelemetry};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let telemetry = LambdaTelemetry::init("gateway")?;
    let resources = Resources::from_env(&Env::process())?;
    let clients = AwsClients::from_env().await;
    let queue = SqsQueue::new(clients.sqs, resources.queue_url);
    let store = DynamoStore::new(clients.dynamodb, resources.tracking_table);
    let gateway = Gateway::new(
        Arc::new(queue),
        Arc::new(store),
        Arc::new(SystemClock),
        telemetry.handle.clone(),
    );
    let app = revops_gateway::router(gateway).layer(from_fn_with_state(telemetry, flush_after));
    lambda_http::run(app).await
}

/// Answers, then exports the invocation's spans before Lambda freezes the process.
async fn flush_after(
    State(telemetry): State<LambdaTelemetry>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    telemetry.flush().await;
    response
}
