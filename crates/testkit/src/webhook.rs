//! A webhook receiver on loopback: it answers each delivery as a rule picks (by tracking
//! id, say) or as a script says (these answers in order, then that one forever), and
//! records every request it gets, headers and body.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
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

/// One answer: a status, given after a delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// The status to answer with.
    pub status: u16,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Reply {
    /// Answer `status` at once.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            delay: Duration::ZERO,
        }
    }
}

/// A rule that picks the answer to one request.
type Rule = dyn Fn(&Hit) -> Reply + Send + Sync;

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
    /// A receiver that answers each request at once with the status `rule` picks.
    pub async fn start(rule: impl Fn(&Hit) -> u16 + Send + Sync + 'static) -> Self {
        Self::answering(move |hit| Reply::status(rule(hit))).await
    }

    /// A receiver that answers `replies` in order, then `then` forever.
    pub async fn scripted(replies: Vec<Reply>, then: Reply) -> Self {
        let replies = Mutex::new(VecDeque::from(replies));
        Self::answering(move |_| replies.lock().unwrap().pop_front().unwrap_or(then)).await
    }

    /// A receiver that answers each request as `rule` says.
    pub async fn answering(rule: impl Fn(&Hit) -> Reply + Send + Sync + 'static) -> Self {
        let script = Arc::new(Script {
            rule: Box::new(rule),
            hits: Mutex::default(),
        });
        let app = Router::new()
            .route("/hook", post(answer))
            .with_state(Arc::clone(&script));
        let (address, task) = crate::loopback::serve(app).await;
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
    let reply = (script.rule)(&hit);
    script.hits.lock().unwrap().push(hit);
    tokio::time::sleep(reply.delay).await;
    StatusCode::from_u16(reply.status)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        .into_response()
}

/// A URL on loopback where nothing listens: a port bound, then released.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}/hook")
}
