//! Test receivers: axum servers on 127.0.0.1, port 0, that record what they get.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use revops_core::TrackingId;
use revops_delivery::{AddressGuard, HttpDeliverer, HttpDelivererConfig};
use std::sync::{Arc, Mutex};

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What a recording receiver got, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Recorder {
    pub fn all(&self) -> Vec<Received> {
        self.0.lock().expect("recorder lock").clone()
    }
}

/// Serves `router` on a fresh port and returns its base URL (`http://127.0.0.1:port`).
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the test receiver runs")
    });
    format!("http://{address}")
}

/// A receiver at `/hook` that answers 200 and records every request.
pub async fn recording() -> (String, Recorder) {
    let recorder = Recorder::default();
    let router = Router::new()
        .route("/hook", post(record))
        .with_state(recorder.clone());
    (format!("{}/hook", serve(router).await), recorder)
}

async fn record(State(recorder): State<Recorder>, headers: HeaderMap, body: Bytes) -> StatusCode {
    recorder
        .0
        .lock()
        .expect("recorder lock")
        .push(Received { headers, body });
    StatusCode::OK
}

/// A deliverer with `config`, allowed to reach the receivers on loopback over http
/// (the local host's guard).
pub fn deliverer(config: HttpDelivererConfig) -> HttpDeliverer {
    HttpDeliverer::new(HttpDelivererConfig {
        guard: AddressGuard::local_default(),
        ..config
    })
    .expect("the deliverer builds")
}

/// A fresh tracking id.
pub fn id() -> TrackingId {
    TrackingId::new()
}
