//! A minimal Lambda `Invoke` endpoint (restJson1) for `aws-sdk-lambda`:
//! `POST /2015-03-31/functions/{FunctionName}/invocations` hands the payload to a
//! function run against a [`RuntimeApi`](crate::runtime_api::RuntimeApi) and answers
//! with its response, as Lambda does: `200` with the function's answer, and
//! `X-Amz-Function-Error: Unhandled` when the function reported an error. The call's
//! `X-Amzn-Trace-Id` becomes the invocation's X-Ray header, as Lambda continues the
//! caller's trace (a fresh unsampled one without it). An unknown
//! function is a `404 ResourceNotFoundException`; `X-Amz-Invocation-Type: Event` is
//! answered `202` at once and `DryRun` `204`.
//!
//! Point a client at it with `AWS_ENDPOINT_URL_LAMBDA`.

use crate::{
    moto::REGION,
    runtime_api::{ACCOUNT_ID, Invoker, TraceHeader},
};
use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};
use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};
use tokio::task::JoinHandle;

/// The functions it knows, by name, and how long each invocation may take.
struct Functions {
    by_name: HashMap<String, Invoker>,
    timeout: Duration,
}

/// The running endpoint; stops when dropped.
pub struct LambdaInvokeApi {
    address: SocketAddr,
    task: JoinHandle<()>,
}

impl LambdaInvokeApi {
    /// Serves `functions` (name → invoker), each invocation limited to `timeout`.
    pub async fn start(
        functions: impl IntoIterator<Item = (String, Invoker)>,
        timeout: Duration,
    ) -> Self {
        let functions = Arc::new(Functions {
            by_name: functions.into_iter().collect(),
            timeout,
        });
        let app = Router::new()
            .route(
                "/2015-03-31/functions/{function_name}/invocations",
                post(invoke),
            )
            .with_state(functions);
        let (address, task) = crate::loopback::serve(app).await;
        Self { address, task }
    }

    /// The endpoint URL (`AWS_ENDPOINT_URL_LAMBDA`).
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for LambdaInvokeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The function's name from a name, a full ARN or a partial ARN (`…:function:NAME[:alias]`).
fn short_name(function_name: &str) -> &str {
    match function_name.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => function_name.rsplit(':').next().unwrap_or(function_name),
    }
}

/// An error as Lambda's API writes it.
fn api_error(status: StatusCode, error_type: &'static str, message: String) -> Response {
    let body = json!({"Type": "User", "message": message}).to_string();
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::HeaderName::from_static("x-amzn-errortype"),
                error_type,
            ),
        ],
        body,
    )
        .into_response()
}

async fn invoke(
    State(functions): State<Arc<Functions>>,
    Path(function_name): Path<String>,
    headers: HeaderMap,
    payload: Bytes,
) -> Response {
    let name = short_name(&function_name);
    let Some(invoker) = functions.by_name.get(name).cloned() else {
        let arn = format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}");
        return api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            format!("Function not found: {arn}"),
        );
    };
    let event: Value = if payload.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&payload) {
            Ok(event) => event,
            Err(error) => {
                return api_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequestContentException",
                    format!("Could not parse request body into json: {error}"),
                );
            }
        }
    };
    let trace = headers
        .get("x-amzn-trace-id")
        .and_then(|value| value.to_str().ok())
        // The same trace, sampled as the caller's was, with the caller's segment as its
        // parent (Lambda would put its own segment between them).
        .and_then(TraceHeader::parse);
    let invocation_type = headers
        .get("x-amz-invocation-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("RequestResponse");
    match invocation_type {
        "DryRun" => StatusCode::NO_CONTENT.into_response(),
        "Event" => {
            let timeout = functions.timeout;
            tokio::spawn(async move { invoker.invoke_traced(event, timeout, trace).await });
            StatusCode::ACCEPTED.into_response()
        }
        _ => {
            let (body, failed) = match invoker.invoke_traced(event, functions.timeout, trace).await
            {
                Ok(response) => (response, false),
                Err(error) => (error, true),
            };
            let mut response = (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (
                        header::HeaderName::from_static("x-amz-executed-version"),
                        "$LATEST",
                    ),
                ],
                body.to_string(),
            )
                .into_response();
            if failed {
                response.headers_mut().insert(
                    header::HeaderName::from_static("x-amz-function-error"),
                    header::HeaderValue::from_static("Unhandled"),
                );
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn names_and_arns_name_the_same_function() {
        for given in [
            "revops-manager-agent-wrapper",
            "arn:aws:lambda:us-east-1:123456789012:function:revops-manager-agent-wrapper",
            "arn:aws:lambda:us-east-1:123456789012:function:revops-manager-agent-wrapper:live",
            "123456789012:function:revops-manager-agent-wrapper",
        ] {
            assert_eq!(short_name(given), "revops-manager-agent-wrapper", "{given}");
        }
    }
}
