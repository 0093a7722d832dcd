//! The real `aws-sdk-bedrockagentruntime` client against the testkit's stand-in for
//! Bedrock on 127.0.0.1, which speaks the wire protocol: event-stream frames for
//! answers, exception frames and HTTP errors for failures, cut streams and slow answers.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly on broken set-up; helpers share that rule"
)]

mod answers;
mod client;
mod failures;
mod retries;
