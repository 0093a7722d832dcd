//! A one-shot Lambda Runtime API for cold-start timing. It hands out one event at the
//! function's first `GET /2018-06-01/runtime/invocation/next` and records when that
//! poll arrived and when the function posted its response (or error). Later polls are
//! held open until the function is killed. (The shared testkit's Runtime API does not
//! report when the first poll arrived, which is the figure wanted here.)

use crate::servers::{self, Server};
use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
};
use serde_json::Value;
use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::time::Instant;

/// The request id of the one invocation.
const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// What happened, with times.
#[derive(Default, Clone, Debug)]
pub struct Timings {
    /// The first `GET …/invocation/next`.
    pub first_poll: Option<Instant>,
    /// The response or error for the event.
    pub done: Option<Instant>,
    /// Whether it answered with a response (not an error).
    pub responded: bool,
    /// What it posted.
    pub body: String,
}

struct Shared {
    event: Value,
    function_arn: String,
    timings: Mutex<Timings>,
}

/// A running Runtime API; stops on drop.
pub struct RuntimeApi {
    server: Server,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    /// Starts one that will hand out `event` to the function `name`.
    pub async fn start(name: &str, event: Value) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            event,
            function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
            timings: Mutex::default(),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(Arc::clone(&shared));
        Ok(Self {
            server: servers::serve(app).await?,
            shared,
        })
    }

    /// `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.server.addr.to_string()
    }

    /// The timings so far.
    pub fn timings(&self) -> Timings {
        self.shared
            .timings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits (polling every 200 µs, at most `timeout`) until the event was answered.
    pub async fn wait_done(&self, timeout: Duration) -> Timings {
        let deadline = Instant::now() + timeout;
        loop {
            let t = self.timings();
            if t.done.is_some() || Instant::now() >= deadline {
                return t;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> axum::response::Response {
    let now = Instant::now();
    let first = {
        let mut t = shared
            .timings
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let first = t.first_poll.is_none();
        if first {
            t.first_poll = Some(now);
        }
        first
    };
    if !first {
        tokio::time::sleep(Duration::from_secs(120)).await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        + 30_000;
    (
        [
            ("content-type", "application/json".to_owned()),
            ("lambda-runtime-aws-request-id", REQUEST_ID.to_owned()),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                shared.function_arn.clone(),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
                    .to_owned(),
            ),
        ],
        shared.event.to_string(),
    )
        .into_response()
}

fn finish(shared: &Shared, responded: bool, body: String) -> StatusCode {
    let mut t = shared
        .timings
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    t.done.get_or_insert_with(Instant::now);
    t.responded = responded;
    t.body = body;
    StatusCode::ACCEPTED
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(_id): Path<String>,
    body: String,
) -> StatusCode {
    finish(&shared, true, body)
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(_id): Path<String>,
    body: String,
) -> StatusCode {
    finish(&shared, false, body)
}

async fn init_error(State(shared): State<Arc<Shared>>, body: String) -> StatusCode {
    finish(&shared, false, format!("init error: {body}"))
}
