//! The `webhook-gateway` function's app: the gateway's axum router over the pipeline's
//! producer half (the DynamoDB record and the SQS message side by side), with inbound
//! authentication on by default (the API is on the internet) and a rate limit per
//! source, exporting each invocation's spans before Lambda freezes the process.

use crate::{assembly::AwsPipeline, telemetry::LambdaTelemetry};
use axum::{
    Router,
    extract::{Request, State},
    middleware::{Next, from_fn_with_state, map_request},
    response::Response,
};
use revops_core::config::{ConfigError, Env};
use revops_gateway::{ApiOptions, auth::InboundAuthSettings, rate_limit::SourceRateLimit};
use revops_telemetry::propagation::InvocationTrace;
use std::sync::Arc;

/// The router the function serves, configured from `env`.
pub async fn app<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    telemetry: LambdaTelemetry,
) -> Result<Router, ConfigError> {
    let auth = InboundAuthSettings::from_env(env)?;
    let rate_limit = SourceRateLimit::from_env(env, 100)?.map(Arc::new);
    let aws = AwsPipeline::from_env(env, &telemetry).await?;
    let options = ApiOptions::from_settings(&auth, true, aws.pipeline.store().clone(), rate_limit)?;
    let gateway = aws.pipeline.gateway(aws.producer);
    Ok(revops_gateway::router(gateway, options)
        .layer(from_fn_with_state(telemetry, flush_after))
        .layer(map_request(with_invocation_trace)))
}

/// Hands the invocation's X-Ray header (from the Lambda context) to the routes, whose
/// span continues it when it is sampled.
async fn with_invocation_trace(mut request: Request) -> Request {
    let header = request
        .extensions()
        .get::<lambda_http::Context>()
        .and_then(|context| context.xray_trace_id.clone());
    if let Some(header) = header {
        request.extensions_mut().insert(InvocationTrace(header));
    }
    request
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
