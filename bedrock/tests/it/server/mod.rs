//! A stand-in for Bedrock Agent Runtime on 127.0.0.1 (port 0): it answers
//! `POST /agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text` with
//! the scripted [`Reply`]s in order, and records every request it saw.

mod frames;
mod reply;

pub use reply::Reply;

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
    routing::post,
};
use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tokio::task::JoinHandle;

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// The agent id from the path.
    pub agent_id: String,
    /// The alias id from the path.
    pub agent_alias_id: String,
    /// The session id from the path.
    pub session_id: String,
    /// The JSON body.
    pub body: serde_json::Value,
    /// The `authorization` header (SigV4).
    pub authorization: String,
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<SeenRequest>>,
}

/// The running stand-in; stops when dropped.
pub struct FakeBedrock {
    address: SocketAddr,
    script: Arc<Script>,
    task: JoinHandle<()>,
}

impl FakeBedrock {
    /// Starts a stand-in that gives `replies` in order (then `500`s).
    pub async fn start(replies: impl IntoIterator<Item = Reply>) -> Self {
        let script = Arc::new(Script {
            replies: Mutex::new(replies.into_iter().collect()),
            seen: Mutex::default(),
        });
        let app = Router::new()
            .route(
                "/agents/{agent_id}/agentAliases/{agent_alias_id}/sessions/{session_id}/text",
                post(invoke_agent),
            )
            .with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
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

    /// The endpoint URL to give the SDK.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.script.seen.lock().unwrap().clone()
    }

    /// How many calls it has had.
    pub fn calls(&self) -> usize {
        self.script.seen.lock().unwrap().len()
    }
}

impl Drop for FakeBedrock {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn invoke_agent(
    State(script): State<Arc<Script>>,
    Path((agent_id, agent_alias_id, session_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    script.seen.lock().unwrap().push(SeenRequest {
        agent_id,
        agent_alias_id,
        session_id: session_id.clone(),
        body: serde_json::from_slice(&body).unwrap_or_default(),
        authorization: headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    });
    let next = script.replies.lock().unwrap().pop_front();
    let mut reply = next.unwrap_or_else(|| {
        Reply::http_error(500, "InternalServerException", "no reply was scripted")
    });
    while let Reply::Slow { delay, then } = reply {
        tokio::time::sleep(delay).await;
        reply = *then;
    }
    reply.into_response(&session_id)
}
