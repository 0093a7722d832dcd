//! A webhook receiver on loopback: it answers each delivery with the status a rule picks
//! (by tracking id, say) and records every request it gets, headers and body.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tokio::{net::TcpListener, task::JoinHandle};

/// A request the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

impl Hit {
    /// A header's value as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The Standard Webhooks `webhook-id` (the tracking id), or "".
    pub fn webhook_id(&self) -> &str {
        self.header("webhook-id").unwrap_or_default()
    }

    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// A rule that picks the status for one request.
type Rule = dyn Fn(&Hit) -> u16 + Send + Sync;

struct Script {
    rule: Box<Rule>,
    hits: Mutex<Vec<Hit>>,
}

/// The receiver; stops when dropped.
pub struct WebhookReceiver {
    address: SocketAddr,
    script: Arc<Script>,
    task: JoinHandle<()>,
}

impl WebhookReceiver {
    /// A receiver that answers each request with the status `rule` picks.
    pub async fn start(rule: impl Fn(&Hit) -> u16 + Send + Sync + 'static) -> Self {
        let script = Arc::new(Script {
            rule: Box::new(rule),
            hits: Mutex::default(),
        });
        let app = Router::new()
            .route("/hook", post(answer))
            .with_state(Arc::clone(&script));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            address,
            script,
            task,
        }
    }

    /// A receiver that always answers `status`.
    pub async fn always(status: u16) -> Self {
        Self::start(move |_| status).await
    }

    /// Its URL (`WEBHOOK_URL`).
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    /// Every request so far, in order.
    pub fn hits(&self) -> Vec<Hit> {
        self.script.hits.lock().unwrap().clone()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(script): State<Arc<Script>>, headers: HeaderMap, body: Bytes) -> Response {
    let hit = Hit { headers, body };
    let status = (script.rule)(&hit);
    script.hits.lock().unwrap().push(hit);
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        .into_response()
}
