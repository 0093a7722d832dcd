//! The three Lambda binaries as Lambda runs them: each compiled function polls the
//! testkit's Runtime API on 127.0.0.1, with SQS, DynamoDB and S3 on moto, Bedrock's
//! stand-in, the testkit's Lambda `Invoke` endpoint and webhook receivers on loopback.
//! No AWS account is needed.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

mod agent_steps;
mod aws_calls;
mod batches;
mod configuration;
mod duplicates;
mod gateway;
mod receivers;
mod redrive;
mod trace;
mod xray;
