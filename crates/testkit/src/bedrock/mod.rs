//! A stand-in for Bedrock Agent Runtime on 127.0.0.1 (port 0) that speaks the wire
//! protocol: it answers
//! `POST /agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text`
//! (`InvokeAgent`) with event-stream frames, exception frames or HTTP errors, and
//! records every request it saw.
//!
//! Replies are scripted in order ([`FakeBedrock::start`]) or chosen per request by a
//! rule ([`FakeBedrock::answering`]), for callers that ask several questions at once.

mod frames;
pub mod orchestration;
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

impl SeenRequest {
    /// The question asked (`inputText`).
    pub fn input_text(&self) -> &str {
        self.body["inputText"].as_str().unwrap_or_default()
    }
}

/// A rule that picks the reply to one request.
type Rule = dyn Fn(&SeenRequest) -> Reply + Send + Sync;

/// How replies are chosen.
enum Replies {
    /// In order, then `500`s.
    Scripted(Mutex<VecDeque<Reply>>),
    /// By a rule on each request.
    Rule(Box<Rule>),
}

struct Script {
    replies: Replies,
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
        Self::serve(Replies::Scripted(Mutex::new(replies.into_iter().collect()))).await
    }

    /// Starts a stand-in that answers each request with what `rule` picks for it.
    pub async fn answering(rule: impl Fn(&SeenRequest) -> Reply + Send + Sync + 'static) -> Self {
        Self::serve(Replies::Rule(Box::new(rule))).await
    }

    async fn serve(replies: Replies) -> Self {
        let script = Arc::new(Script {
            replies,
            seen: Mutex::default(),
        });
        let app = Router::new()
            .route(
                "/agents/{agent_id}/agentAliases/{agent_alias_id}/sessions/{session_id}/text",
                post(invoke_agent),
            )
            .with_state(Arc::clone(&script));
        let (address, task) = crate::loopback::serve(app).await;
        Self {
            address,
            script,
            task,
        }
    }

    /// The endpoint URL to give the SDK (or `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`).
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
    let seen = SeenRequest {
        agent_id,
        agent_alias_id,
        session_id: session_id.clone(),
        body: serde_json::from_slice(&body).unwrap_or_default(),
        authorization: headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    };
    script.seen.lock().unwrap().push(seen.clone());
    let mut reply = match &script.replies {
        Replies::Scripted(replies) => replies.lock().unwrap().pop_front().unwrap_or_else(|| {
            Reply::http_error(500, "InternalServerException", "no reply was scripted")
        }),
        Replies::Rule(rule) => rule(&seen),
    };
    while let Reply::Slow { delay, then } = reply {
        tokio::time::sleep(delay).await;
        reply = *then;
    }
    reply.into_response(&session_id)
}
