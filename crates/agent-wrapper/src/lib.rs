//! The RevOps Manager Agent on AWS Bedrock, and the agent wrapper's side of it.
//!
//! - [`BedrockAgent`] implements [`revops_core::ports::Agent`] with the real
//!   `aws-sdk-bedrockagentruntime` client: one streaming `InvokeAgent` call per question,
//!   the `chunk` events assembled into the markdown answer, every failure mapped to an
//!   [`AgentError`](revops_core::ports::AgentError), the whole call under one time limit.
//!   It never retries; the SDK's own retries are turned off. With Bedrock's
//!   orchestration trace on ([`trace_steps`]), the agent's steps become child spans of
//!   the call, and the answer names the agents used and the tokens spent.
//! - [`ask_with_retries`] is the wrapper's retry policy: the shared
//!   [`run_with_retries`](revops_core::retry::run_with_retries) loop around any agent,
//!   never past a deadline.
//! - [`wrapper`] holds the payloads of the `revops-manager-agent-wrapper` Lambda function
//!   and its [`handle`](wrapper::handle) function.

mod agent;
mod config;
mod errors;
mod retries;
mod session;
mod stream;
pub mod trace_steps;
pub mod wrapper;

pub use agent::BedrockAgent;
pub use config::{
    AGENT_ALIAS_ID_VAR, AGENT_ID_VAR, BedrockAgentConfig, CALL_TIMEOUT_VAR, ConfigError,
    DEFAULT_CALL_TIMEOUT, TRACE_VAR,
};
pub use retries::ask_with_retries;
pub use session::{TRACKING_ID_ATTRIBUTE, default_session_id};
