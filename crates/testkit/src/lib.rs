//! Test servers every crate's tests share, each on 127.0.0.1 and a free port:
//!
//! - [`moto`](mod@moto): the AWS emulator (SQS, DynamoDB, S3), one server per test binary, and an
//!   `SdkConfig` pointed at it;
//! - [`cloudwatch`]: a stand-in CloudWatch speaking the SDK's CBOR protocol (alarms,
//!   dashboards, GetMetricData with percentiles), which moto cannot;
//! - [`counting_proxy`]: counts the AWS calls passing to moto, by operation;
//! - [`bedrock`]: a stand-in for Bedrock's `InvokeAgent` that speaks the event-stream
//!   protocol;
//! - [`otlp`]: an OTLP/HTTP trace receiver that decodes the spans exporters send;
//! - [`runtime_api`]: a Lambda Runtime API, [`lambda_process`] to run a compiled
//!   Lambda function against it, and [`lambda_function`] for the two together;
//! - [`invoke_api`]: Lambda's `Invoke` API in front of such functions, for
//!   `aws-sdk-lambda`;
//! - [`lambda_events`]: the API Gateway and SQS events Lambda hands the functions;
//! - [`webhook`]: webhook receivers whose answers the test picks;
//! - [`wait`]: polling with a deadline;
//! - [`store_contract`]: the tracking store's contract, run against every adapter;
//! - [`probed_store`]: a tracking store that counts its reads and can refuse creates.
//!
//! Everything panics on broken set-up: these are test helpers, and a loud failure is
//! what a test wants.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken set-up"
)]

pub mod archive;
pub mod bedrock;
pub mod cloudwatch;
pub mod counting_proxy;
pub mod invoke_api;
pub mod lambda_events;
pub mod lambda_function;
pub mod lambda_process;
pub mod loopback;
pub mod moto;
pub mod otlp;
pub mod probed_store;
pub mod runtime_api;
pub mod span_tree;
pub mod store_contract;
pub mod wait;
pub mod webhook;
pub mod xray_api;
pub mod xray_daemon;

pub use lambda_function::LambdaFunction;
pub use lambda_process::LambdaProcess;
pub use moto::moto;
pub use probed_store::ProbedStore;
pub use runtime_api::RuntimeApi;
pub use wait::wait_until;
pub use xray_api::XrayApi;

/// A name no other test uses: `prefix` and a random suffix (lower case, so it also
/// makes a valid bucket name).
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}
