//! The real SDK client, pointed at the stand-in: dummy static credentials, us-east-1,
//! no retries inside the SDK.

use aws_config::BehaviorVersion;
use aws_sdk_bedrockagentruntime::config::{Credentials, Region, retry::RetryConfig};
use revops_agent_wrapper::{BedrockAgent, BedrockAgentConfig};
use revops_core::{
    TrackingId,
    ports::AgentQuestion,
    retry::{Jitter, RetryPolicy},
};
use revops_testkit::bedrock::FakeBedrock;
use std::time::Duration;

/// The seeds' agent.
pub const AGENT_ID: &str = "PVWGKOWSOT";
/// The seeds' alias.
pub const AGENT_ALIAS_ID: &str = "TSTALIASID";
/// The dummy secret key; it must never show up in an error.
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET";

/// A Bedrock agent that calls `endpoint` with this time limit per call.
pub async fn agent_at(endpoint: &str, call_timeout: Duration) -> BedrockAgent {
    let sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDTESTACCESSKEY",
            SECRET_KEY,
            None,
            None,
            "tests",
        ))
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    let config = BedrockAgentConfig::new(AGENT_ID, AGENT_ALIAS_ID)
        .unwrap()
        .with_call_timeout(call_timeout);
    BedrockAgent::new(&sdk_config, config)
}

/// A Bedrock agent for `server`, with a 5 s limit per call.
pub async fn agent(server: &FakeBedrock) -> BedrockAgent {
    agent_at(&server.url(), Duration::from_secs(5)).await
}

/// A question with no session of its own.
pub fn question(query: &str) -> AgentQuestion {
    AgentQuestion {
        tracking_id: TrackingId::new(),
        query: query.to_owned(),
        session_id: None,
    }
}

/// Retries after 50 ms, three times, no jitter.
pub fn quick_policy() -> RetryPolicy {
    RetryPolicy::new(
        vec![Duration::from_millis(50); 3],
        Jitter::None,
        Duration::from_secs(1),
    )
}
