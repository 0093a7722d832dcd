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
use revops_core::{SystemClock, config::Env, flows::Gateway, ports::TrackingStore};
use revops_functions::{settings::Resources, telemetry::LambdaTelemetry};
use revops_gateway::{ApiOptions, auth::InboundAuthSettings, rate_limit::SourceRateLimit};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let telemetry = LambdaTelemetry::init("gateway")?;
    let env = Env::process();
    let resources = Resources::from_env(&env)?;
    let auth = InboundAuthSettings::from_env(&env)?;
    let rate_limit = SourceRateLimit::from_env(&env, 100)?.map(Arc::new);
    let clients = AwsClients::from_env().await;
    let queue = SqsQueue::new(clients.sqs, resources.queue_url);
    let store: Arc<dyn TrackingStore> =
        Arc::new(DynamoStore::new(clients.dynamodb, resources.tracking_table));
    // Inbound authentication is on by default here: the API is on the internet.
    let options = ApiOptions::from_settings(&auth, true, store.clone(), rate_limit)?;
    let gateway = Gateway::new(
        Arc::new(queue),
        store,
        Arc::new(SystemClock),
        telemetry.handle.clone(),
    );
    let app =
        revops_gateway::router(gateway, options).layer(from_fn_with_state(telemetry, flush_after));
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
