//! Fault drills: the real `revops serve` and real HTTP receivers on loopback, each drill
//! printing `drill NAME: accepted=N delivered=N lost=N` and failing unless lost is 0.
//!
//! - `receiver_down`: the receiver is down for a while, then back; everything is delivered
//!   on the retry schedule.
//! - `flaky_receiver`: the receiver fails half of all requests at random; every tracking
//!   id is delivered.
//! - `agent_throttled`: the agent throttles; calls are retried within the schedule's
//!   bounds. In process, since the binary's demo agent cannot throttle.
//! - `agent_outage`: the agent is down for six hours (compressed a thousandfold) while
//!   requests keep coming; with the default retry schedules and receive limit, every
//!   request is delivered once it is back, none dead-lettered.
//! - `kill_9`: `kill -9` under load and a restart; nothing accepted is lost.
//! - `alarm_faults`: faults that must page, ending at `revops monitor evaluate` on the
//!   EMF lines written: a receiver down for good fires the delivery-failure and DLQ
//!   alarms, a slow agent (in process) and a slow receiver the p95 latency alarm. `receiver_down` ends there too: its
//!   requests are all delivered in the end, so the delivery-failure alarm stays quiet.
//! - The same queue message twice (one agent call, one `webhook-id`) is pinned by
//!   `crates/local/tests/processor.rs`
//!   (`two_copies_of_one_message_ask_the_agent_once_and_deliver_once`), which hands two
//!   copies of one message to the processor at once.
//!
//! See the counts with `cargo test --test it drills:: -- --nocapture`.

mod agent_outage;
mod agent_throttled;
mod alarm_faults;
mod flaky_receiver;
mod kill_9;
mod load;
mod receiver;
mod receiver_down;
mod serve;
pub(crate) mod tally;
mod throttling_agent;
