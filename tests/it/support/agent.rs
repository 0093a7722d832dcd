//! The demo agent, wrapped to count how often it is asked.

use async_trait::async_trait;
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_demo_agent::DemoAgent;
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

/// The demo agent, counting calls.
#[derive(Clone, Default)]
pub struct CountingAgent {
    inner: Arc<DemoAgent>,
    calls: Arc<AtomicUsize>,
}

impl CountingAgent {
    /// Calls so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Agent for CountingAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.ask(question).await
    }
}
