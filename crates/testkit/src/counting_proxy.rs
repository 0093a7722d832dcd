//! A proxy on loopback in front of an AWS endpoint (moto) that counts the calls passing
//! through it by service and operation, read off the wire as AWS sees them: the
//! `X-Amz-Target` header of the JSON protocols (`DynamoDB_20120810.PutItem` counts as
//! `DynamoDB PutItem`, `AmazonSQS.SendMessage` as `SQS SendMessage`), Lambda's
//! `/2015-03-31/functions/…/invocations` path as `Lambda Invoke`, and any other call as
//! `S3 <method>` (the REST protocol S3 speaks). Tests point a function's
//! `AWS_ENDPOINT_URL` here to count the AWS calls a request costs.

use crate::loopback;
use axum::{
    Router,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};
use tokio::task::JoinHandle;

/// What the proxy shares with its handler.
#[derive(Clone)]
struct Shared {
    upstream: String,
    client: reqwest::Client,
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
}

/// The proxy; stops when dropped.
pub struct CountingProxy {
    endpoint: String,
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
    task: JoinHandle<()>,
}

impl CountingProxy {
    /// Starts a proxy to `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> Self {
        let calls = Arc::default();
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::new(),
            calls: Arc::clone(&calls),
        };
        let app = Router::new().fallback(forward).with_state(shared);
        let (address, task) = loopback::serve(app).await;
        Self {
            endpoint: format!("http://{address}"),
            calls,
            task,
        }
    }

    /// The endpoint, as `AWS_ENDPOINT_URL` takes it.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The calls counted since the last `take`, by `"<service> <operation>"`.
    pub fn take(&self) -> BTreeMap<String, usize> {
        std::mem::take(&mut self.calls.lock().unwrap())
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The operation a call is, as AWS would bill it.
fn operation(method: &Method, uri: &Uri, headers: &HeaderMap) -> String {
    if let Some(target) = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
    {
        let (service, operation) = target.split_once('.').unwrap_or(("", target));
        let service = match service {
            s if s.starts_with("DynamoDB") => "DynamoDB",
            "AmazonSQS" => "SQS",
            other => other,
        };
        return format!("{service} {operation}");
    }
    if uri.path().starts_with("/2015-03-31/functions/") && uri.path().ends_with("/invocations") {
        return "Lambda Invoke".to_owned();
    }
    format!("S3 {method}")
}

/// Counts the call and forwards it upstream, answering with upstream's answer.
async fn forward(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    *shared
        .calls
        .lock()
        .unwrap()
        .entry(operation(&method, &uri, &headers))
        .or_default() += 1;
    let url = format!(
        "{}{}",
        shared.upstream,
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut request = shared.client.request(method, url).body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let answer = match request.send().await {
        Ok(answer) => answer,
        Err(error) => return (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    };
    let status = answer.status();
    let answer_headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &answer_headers {
        if name != "content-length" && name != "transfer-encoding" {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
