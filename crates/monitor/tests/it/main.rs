//! Integration tests of `revops-monitor`: the real aws-sdk-cloudwatch client against a
//! local CloudWatch that speaks the CBOR rpc-v2 protocol, the repository's own
//! definitions, and the SLA report on EMF lines written by the telemetry crate.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]
#![allow(missing_docs, reason = "test helpers")]

mod alarm_tests;
mod apply;
mod sla;
mod support;
mod validate;
