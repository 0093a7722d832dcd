//! A webhook receiver on loopback whose answers a test scripts, and which records every
//! request it gets (headers and body).

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

/// One scripted answer.
#[derive(Debug, Clone, Copy)]
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

/// A request the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

impl Hit {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    then: Option<Reply>,
    hits: Vec<Hit>,
}

/// The receiver.
pub struct Receiver {
    addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    server: JoinHandle<()>,
}

impl Receiver {
    /// A receiver that answers `replies` in order, then `then` forever.
    pub async fn start(replies: Vec<Reply>, then: Reply) -> Self {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            then: Some(then),
            hits: Vec::new(),
        }));
        let app = Router::new()
            .route("/hook", post(answer))
            .with_state(script.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            addr,
            script,
            server,
        }
    }

    /// A receiver that always answers `status` at once.
    pub async fn always(status: u16) -> Self {
        Self::start(Vec::new(), Reply::status(status)).await
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.script.lock().unwrap().hits.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A URL on loopback where nothing listens: a port bound, then released.
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/hook")
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = {
        let mut script = script.lock().unwrap();
        script.hits.push(Hit { headers, body });
        let then = script.then;
        script.replies.pop_front().or(then).unwrap()
    };
    tokio::time::sleep(reply.delay).await;
    StatusCode::from_u16(reply.status).unwrap().into_response()
}
