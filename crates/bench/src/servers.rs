//! The servers the harness runs in its own process: webhook receivers that record when
//! each delivery (keyed by `webhook-id`, the tracking id) arrived, optionally taking a
//! fixed time to answer, and an OTLP/HTTP sink that accepts and discards spans. All bind
//! 127.0.0.1 on a free port and stop when dropped.

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::{net::TcpListener, task::JoinHandle, time::Instant};

/// A running server; aborted on drop.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `app` on 127.0.0.1 and a free port.
pub async fn serve(app: Router) -> anyhow::Result<Server> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Server { addr, task })
}

/// When each delivery arrived, by `webhook-id`; a repeat keeps the first arrival.
#[derive(Default)]
pub struct Arrivals {
    seen: Mutex<HashMap<String, Instant>>,
    total: Mutex<u64>,
}

impl Arrivals {
    fn record(&self, id: String, at: Instant) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(id)
            .or_insert(at);
        *self.total.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    }

    /// Distinct tracking ids delivered so far.
    pub fn distinct(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Deliveries received, repeats included.
    pub fn total(&self) -> u64 {
        *self.total.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The arrival times so far, taken out (a repeat arriving later counts anew).
    pub fn drain(&self) -> HashMap<String, Instant> {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A copy of the arrival times.
    pub fn snapshot(&self) -> HashMap<String, Instant> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits, polling every 5 ms, until `n` distinct ids arrived or `timeout` passed;
    /// returns whether they all did.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.distinct() >= n {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.distinct() >= n
    }
}

/// A webhook receiver at `POST /hook` that takes `delay` and then answers `200`,
/// recording the completion time.
pub async fn receiver(arrivals: Arc<Arrivals>, delay: Duration) -> anyhow::Result<Server> {
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state((arrivals, delay));
    serve(app).await
}

async fn hook(
    State((arrivals, delay)): State<(Arc<Arrivals>, Duration)>,
    headers: HeaderMap,
    _body: axum::body::Bytes,
) -> StatusCode {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    arrivals.record(id, Instant::now());
    StatusCode::OK
}

/// An OTLP/HTTP sink: `POST /v1/traces` (and metrics, logs) answered `200` with an
/// empty protobuf body; everything sent is discarded.
pub async fn otlp_sink() -> anyhow::Result<Server> {
    async fn accept(
        _body: axum::body::Bytes,
    ) -> ([(&'static str, &'static str); 1], &'static [u8]) {
        ([("content-type", "application/x-protobuf")], b"")
    }
    let app = Router::new()
        .route("/v1/traces", post(accept))
        .route("/v1/metrics", post(accept))
        .route("/v1/logs", post(accept));
    serve(app).await
}
