//! The gateway's core: everything both hosts share and nothing that ties it to one.
//!
//! It knows no AWS SDK and no Lambda runtime. Hosts implement the [`ports`] and hand
//! requests and queue messages to the [`flows`]: `accept` (the gateway), `process` (ask
//! the agent) and `deliver` (the signed webhook with retries).

pub mod clock;
pub mod config;
pub mod domain;
pub mod export;
pub mod flows;
pub mod payload;
pub mod ports;
pub mod render;
pub mod retry;
pub mod signing;

pub use clock::{Clock, SystemClock};
pub use domain::{
    AttemptResult, Category, DeliveryAttempt, FieldError, InboundRequest, Query, RequestError,
    SessionId, SourceName, Status, TrackingId,
};
