//! The AWS host: the three Lambda functions' handlers and what they share. Each `main`
//! (under `src/bin/`) is wiring only: it starts the telemetry, builds its handler once
//! from the environment ([`assembly`] makes the pipeline), and hands one call per
//! invocation to the Lambda runtime ([`runtime::serve`]).
//!
//! - `webhook-gateway` (`prod-revops-webhook-gateway`): the gateway's axum router under
//!   `lambda_http`, sending to SQS and tracking in DynamoDB;
//! - `queue-processor` (`revops-webhook`): SQS batches through the processor, reporting
//!   `batchItemFailures` for exactly the records that must come back;
//! - `agent-wrapper` (`revops-manager-agent-wrapper`): the Bedrock agent with retries
//!   bounded by the invocation's deadline.

pub mod agent_wrapper;
pub mod assembly;
pub mod batch;
pub mod gateway;
pub mod lambda_agent;
pub mod processor;
pub mod runtime;
pub mod settings;
pub mod telemetry;
