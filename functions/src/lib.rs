//! The AWS host: what the three Lambda functions share. Each `main` (under `src/bin/`)
//! reads its configuration once, builds its SDK clients once, and hands one core call
//! per invocation to the Lambda runtime.
//!
//! - `webhook-gateway` (`prod-revops-webhook-gateway`): the gateway's axum router under
//!   `lambda_http`, sending to SQS and tracking in DynamoDB;
//! - `queue-processor` (`revops-webhook`): SQS batches through the processor, reporting
//!   `batchItemFailures` for exactly the records that must come back;
//! - `agent-wrapper` (`revops-manager-agent-wrapper`): the Bedrock agent with retries
//!   bounded by the invocation's deadline.

pub mod batch;
pub mod lambda_agent;
pub mod settings;
pub mod telemetry;
