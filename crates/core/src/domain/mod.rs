//! Typed values of the domain: what a caller sends, once parsed, and what the gateway
//! hands back (tracking ids, statuses). Parse, don't validate: a value of these types is
//! valid by construction.

mod category;
mod delivery_attempt;
mod fields;
mod request;
mod status;
mod tracking_id;

pub use category::{Category, UnknownCategory};
pub use delivery_attempt::{AttemptResult, DeliveryAttempt, MAX_ATTEMPT_ERROR_CHARS};
pub use fields::{FieldError, Query, SessionId, SourceName};
pub use request::{InboundRequest, Parsed, RequestError};
pub use status::Status;
pub use tracking_id::{TrackingId, TrackingIdError};
