//! An agent that throttles: the demo agent behind a gate that answers `Throttled` to the
//! first few calls for each question (0 to 5, read from the tracking id), and records
//! when each call came.

use async_trait::async_trait;
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_demo_agent::DemoAgent;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The `Retry-After` the agent asks for when it throttles a question's first call only.
pub const HINT: Duration = Duration::from_millis(500);

/// The throttling agent.
#[derive(Default)]
pub struct ThrottlingAgent {
    inner: DemoAgent,
    calls: Mutex<HashMap<String, Vec<Instant>>>,
}

/// How many calls for `tracking_id` are throttled before one is answered (0 to 9: from 8 on, a
/// question is received a third time).
pub fn throttles_for(tracking_id: &str) -> usize {
    let last = tracking_id.chars().last().unwrap().to_digit(16).unwrap();
    last as usize % 10
}

/// Whether the throttling answer for `tracking_id` carries [`HINT`].
pub fn hinted(tracking_id: &str) -> bool {
    throttles_for(tracking_id) == 1
}

impl ThrottlingAgent {
    /// When each call for each tracking id came.
    pub fn calls(&self) -> HashMap<String, Vec<Instant>> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl Agent for ThrottlingAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        let id = question.tracking_id.to_string();
        let call = {
            let mut calls = self.calls.lock().unwrap();
            let times = calls.entry(id.clone()).or_default();
            times.push(Instant::now());
            times.len()
        };
        if call <= throttles_for(&id) {
            let retry_after = hinted(&id).then_some(HINT);
            return Err(AgentError::Throttled { retry_after });
        }
        self.inner.ask(question).await
    }
}
