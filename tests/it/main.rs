//! The gateway's behaviour as callers and receivers see it: the local pipeline started
//! on port 0 (in process, or as the real `revops` binary) with real HTTP receivers on
//! loopback whose answers each test scripts.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

mod delivery_retries;
mod disk_full;
mod doctor;
mod drills;
mod durability;
mod end_to_end;
mod export;
mod inbound;
mod load;
mod monitor_alarms;
mod observability;
mod openapi;
mod receivers;
mod replay;
mod replay_aws;
mod retention;
mod routing;
mod secrets;
mod signatures;
mod trace;
mod trace_aws;
mod validation;
