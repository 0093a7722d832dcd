//! The Runtime API's routes, as a function's runtime client calls them:
//!
//! - `GET /2018-06-01/runtime/invocation/next` long-polls for the next event and answers
//!   it with `Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Deadline-Ms`,
//!   `Lambda-Runtime-Invoked-Function-Arn` and `Lambda-Runtime-Trace-Id`;
//! - `POST /2018-06-01/runtime/invocation/{id}/response` and `…/{id}/error` answer it;
//! - `POST /2018-06-01/runtime/init/error` reports a function that could not start.

use super::state::{Outcome, State};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State as Shared},
    http::{HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use std::sync::Arc;

/// The routes over `state`.
pub(super) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(state)
}

async fn next(Shared(state): Shared<Arc<State>>) -> Response {
    let Some(invocation) = state.next().await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the Runtime API has stopped",
        )
            .into_response();
    };
    let headers = [
        ("lambda-runtime-aws-request-id", invocation.id),
        (
            "lambda-runtime-deadline-ms",
            invocation.deadline_ms.to_string(),
        ),
        (
            "lambda-runtime-invoked-function-arn",
            state.function_arn.clone(),
        ),
        ("lambda-runtime-trace-id", invocation.trace_id),
    ];
    let mut response = Json(invocation.event).into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// A body as JSON, or as a JSON string when it is not JSON.
fn json_or_text(body: &Bytes) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn accepted(known: bool) -> Response {
    if known {
        (StatusCode::ACCEPTED, Json(json!({"status": "OK"}))).into_response()
    } else {
        let body = json!({"errorType": "InvalidRequestID", "errorMessage": "unknown request id"});
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

fn answer(state: &State, id: &str, outcome: Outcome) -> Response {
    accepted(state.answer(id, outcome))
}

async fn response(
    Shared(state): Shared<Arc<State>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    answer(&state, &id, Ok(json_or_text(&body)))
}

async fn error(Shared(state): Shared<Arc<State>>, Path(id): Path<String>, body: Bytes) -> Response {
    answer(&state, &id, Err(json_or_text(&body)))
}

async fn init_error(Shared(state): Shared<Arc<State>>, body: Bytes) -> Response {
    state.init_failed(json_or_text(&body));
    accepted(true)
}
