//! The drills' webhook receiver: a real HTTP server on loopback, on a port chosen in
//! advance (so it can be down first and come up later), that fails a share of requests
//! at random and records which `webhook-id`s it took with a 2xx.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use revops_testkit::wait_until;
use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{net::TcpListener, task::JoinHandle};

/// What the receiver saw.
#[derive(Debug, Default)]
struct Seen {
    /// Requests so far.
    requests: u64,
    /// Requests answered with a failure.
    failed: usize,
    /// 2xx answers per `webhook-id`.
    delivered: HashMap<String, usize>,
    /// Bodies whose `tracking_id` was not their `webhook-id`.
    mismatched: usize,
}

#[derive(Clone)]
struct Behaviour {
    fail_ratio: f64,
    delay: Duration,
    random: RandomState,
    seen: Arc<Mutex<Seen>>,
}

/// A running receiver.
pub struct DrillReceiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    server: JoinHandle<()>,
}

/// A loopback port nothing listens on (bound, then released), for a receiver to come
/// up on later.
pub async fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

impl DrillReceiver {
    /// Starts on `addr`, failing each request with probability `fail_ratio` (answering
    /// 500, 503 or 429 in turn) and taking `delay` over each 2xx.
    pub async fn start(addr: SocketAddr, fail_ratio: f64, delay: Duration) -> Self {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let behaviour = Behaviour {
            fail_ratio,
            delay,
            random: RandomState::new(),
            seen: seen.clone(),
        };
        let app = Router::new()
            .route("/hook", post(answer))
            .with_state(behaviour);
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, seen, server }
    }

    /// The URL to deliver to.
    pub fn url(&self) -> String {
        url(self.addr)
    }

    /// The `webhook-id`s taken with a 2xx, with how often each was.
    pub fn delivered(&self) -> HashMap<String, usize> {
        self.seen.lock().unwrap().delivered.clone()
    }

    /// Waits (up to `timeout`) until every id in `ids` was taken with a 2xx; returns
    /// how often each `webhook-id` was.
    pub async fn wait_for_all<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a String> + Clone,
        timeout: Duration,
    ) -> HashMap<String, usize> {
        wait_until(timeout, "every delivery", || {
            let delivered = self.delivered();
            let all_there = ids.clone().into_iter().all(|id| delivered.contains_key(id));
            async move { all_there.then_some(delivered) }
        })
        .await
    }

    /// How many requests it failed on purpose.
    pub fn failed(&self) -> usize {
        self.seen.lock().unwrap().failed
    }

    /// How many bodies did not carry their `webhook-id` as `tracking_id`.
    pub fn mismatched(&self) -> usize {
        self.seen.lock().unwrap().mismatched
    }
}

impl Drop for DrillReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The hook URL at `addr`.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/hook")
}

async fn answer(State(behaviour): State<Behaviour>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("webhook-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    {
        let mut seen = behaviour.seen.lock().unwrap();
        seen.requests += 1;
        let draw = behaviour.random.hash_one(seen.requests);
        let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
        if unit < behaviour.fail_ratio {
            seen.failed += 1;
            return [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::SERVICE_UNAVAILABLE,
                StatusCode::TOO_MANY_REQUESTS,
            ][seen.failed % 3];
        }
    }
    tokio::time::sleep(behaviour.delay).await;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut seen = behaviour.seen.lock().unwrap();
    if body["tracking_id"] != id.as_str() {
        seen.mismatched += 1;
    }
    *seen.delivered.entry(id).or_default() += 1;
    StatusCode::OK
}
