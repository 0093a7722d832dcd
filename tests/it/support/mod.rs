//! What the tests share: a local host on port 0, scripted receivers, an agent that
//! counts its calls, and polling helpers.

pub mod agent;
pub mod binary;
pub mod host;

pub use agent::CountingAgent;
pub use host::TestHost;
pub use revops_testkit::wait_until;
pub use revops_testkit::webhook::{Reply, WebhookReceiver as Receiver, closed_port_url};

/// The seed's request body, verbatim.
pub const SEED_REQUEST: &str = r#"{
    "source_process": "test_system",
    "timestamp": "2025-08-13T06:30:00Z",
    "source_system": "external_app",
    "query": "What is the deal status for IXIS?"
  }"#;

/// A Standard Webhooks secret for tests.
pub const TEST_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
