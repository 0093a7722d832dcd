//! What the Lambda tests share: the AWS resources on moto, the events Lambda would
//! pass, and the three functions started against the testkit's Runtime API.

pub mod deployment;
pub mod functions;
pub mod stack;

pub use deployment::Deployment;
pub use functions::{Function, InvokableWrapper, accept};
pub use revops_testkit::lambda_events as events;
pub use stack::Stack;

/// The seed's request body, verbatim.
pub const SEED_REQUEST: &str = r#"{"source_process":"test_system","timestamp":"2025-08-13T06:30:00Z","source_system":"external_app","query":"What is the deal status for IXIS?"}"#;

/// The seed request asking `query` instead.
pub fn request_asking(query: &str) -> String {
    serde_json::json!({
        "source_process": "test_system",
        "timestamp": "2025-08-13T06:30:00Z",
        "source_system": "external_app",
        "query": query,
    })
    .to_string()
}

/// The seeds' agent.
pub const AGENT_ID: &str = "PVWGKOWSOT";
/// The seeds' agent alias.
pub const AGENT_ALIAS_ID: &str = "TSTALIASID";
