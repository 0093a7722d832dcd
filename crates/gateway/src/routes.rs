//! The routes and their handlers.

use crate::{ApiError, ApiOptions, StatusResponse};
use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{Extension, Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::Utc;
use revops_core::{
    InboundRequest, RequestError, TrackingId,
    flows::{AcceptError, Gateway},
    payload::AcceptedResponse,
};
use revops_telemetry::{
    events::{RequestAccepted, RequestRejected},
    propagation::{self, InvocationTrace},
};
use serde_json::json;
use tokio::time::Instant;
use tracing::Instrument;

/// The largest body `POST /webhook` takes: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The router's state: the flows and the host's options.
#[derive(Clone)]
struct Api {
    gateway: Gateway,
    options: ApiOptions,
}

/// The longest `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The gateway's router over `gateway`, with the host's `options`.
pub fn router(gateway: Gateway, options: ApiOptions) -> Router {
    Router::new()
        .route("/webhook", post(accept))
        .route("/webhook/{tracking_id}", get(status))
        .route("/healthz", get(health))
        .fallback(|| async { ApiError::not_found("no such route; see POST /webhook") })
        .with_state(Api { gateway, options })
}

/// Whether the content type is JSON: `application/json` or `application/*+json`,
/// parameters such as `charset=utf-8` allowed.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `POST /webhook` inside an HTTP server span that continues the invocation's X-Ray
/// segment when the host passes a sampled one (Lambda with active tracing), else the
/// caller's trace (`traceparent` or `X-Amzn-Trace-Id`); the outcome becomes a metric
/// either way.
async fn accept(
    State(api): State<Api>,
    invocation: Option<Extension<InvocationTrace>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let span = tracing::info_span!(
        "request",
        otel.name = "POST /webhook",
        otel.kind = "server",
        http.request.method = "POST",
        http.route = "/webhook",
        url.path = "/webhook",
        http.response.status_code = tracing::field::Empty,
        revops.tracking_id = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    propagation::continue_span(
        &span,
        invocation.as_ref().map(|Extension(trace)| trace),
        headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))),
        None,
    );
    let result = accept_request(&api, &headers, body)
        .instrument(span.clone())
        .await;
    let telemetry = api.gateway.telemetry();
    let _entered = span.enter();
    match result {
        Ok(accepted) => {
            let tracking_id = accepted.tracking_id.to_string();
            span.record("revops.tracking_id", tracking_id.as_str());
            span.record("http.response.status_code", 202);
            telemetry.emit(&RequestAccepted {
                tracking_id: &tracking_id,
                latency: started.elapsed(),
            });
            (StatusCode::ACCEPTED, Json(accepted)).into_response()
        }
        Err(error) => {
            span.record("http.response.status_code", error.status().as_u16());
            telemetry.emit(&RequestRejected {
                reason: error.code(),
                status: error.status().as_u16(),
                latency: started.elapsed(),
            });
            error.into_response()
        }
    }
}

async fn accept_request(
    api: &Api,
    headers: &HeaderMap,
    body: Body,
) -> Result<AcceptedResponse, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap_or("(not text)"));
    if !content_type.is_some_and(is_json) {
        return Err(ApiError::unsupported_media_type(content_type));
    }
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::payload_too_large(MAX_BODY_BYTES))?;
    api.options
        .auth
        .authenticate(headers, &bytes, Utc::now())
        .await
        .map_err(|error| ApiError::unauthorized(error.to_string()))?;
    let parsed = InboundRequest::parse(&bytes).map_err(|error| match error {
        RequestError::NotJson(detail) => {
            ApiError::invalid_json(format!("body is not valid JSON: {detail}"))
        }
        RequestError::NotAnObject => ApiError::invalid_json("body must be a JSON object"),
        RequestError::Fields(fields) => ApiError::invalid_fields(fields),
    })?;
    if !parsed.unknown_fields.is_empty() {
        tracing::debug!(fields = ?parsed.unknown_fields, "ignoring unknown fields");
    }
    let source = parsed.request.source_system.as_str();
    if let Some(limit) = &api.options.rate_limit {
        limit
            .check(source)
            .map_err(|wait| ApiError::rate_limited(source, wait))?;
    }
    let idempotency_key = idempotency_key(headers)?;
    if let Some(refusal) = api.options.admission.refusal() {
        return Err(ApiError::refused(&refusal));
    }
    api.gateway
        .accept(parsed.request, idempotency_key)
        .await
        .map_err(|error| {
            let AcceptError::Unavailable(detail) = error;
            tracing::error!(error = %detail, "could not queue a request");
            ApiError::unavailable(
                "the request could not be queued; nothing was accepted, try again",
            )
        })
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY
        || !key.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(ApiError::invalid_header(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key))
}

async fn status(
    State(api): State<Api>,
    headers: HeaderMap,
    Path(tracking_id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    api.options
        .auth
        .authenticate(&headers, b"", Utc::now())
        .await
        .map_err(|error| ApiError::unauthorized(error.to_string()))?;
    let gateway = &api.gateway;
    let unknown = || ApiError::not_found(format!("no request with tracking id {tracking_id:?}"));
    let id: TrackingId = tracking_id.parse().map_err(|_| unknown())?;
    match gateway.status(&id).await {
        Ok(Some(record)) => Ok(Json(StatusResponse::from(&record))),
        Ok(None) => Err(unknown()),
        Err(error) => {
            tracing::error!(%error, "could not read a status");
            Err(ApiError::unavailable(
                "the tracking store is unavailable; try again",
            ))
        }
    }
}

async fn health(State(api): State<Api>) -> Response {
    match api.gateway.health().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            ApiError::unavailable(error).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/vnd.api+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
