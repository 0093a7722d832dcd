//! The `revops-manager-agent-wrapper` Lambda function's side: the payloads it takes and
//! returns, and [`handle`], which answers one request with the retry policy.
//!
//! A request (JSON):
//!
//! ```json
//! {"query": "What is the deal status for IXIS?", "session_id": null,
//!  "tracking_id": "e7aeb7e9-5382-41a5-b858-f8010978cd26",
//!  "trace_context": {"traceparent": "00-…-…-01"}}
//! ```
//!
//! A response is either an answer
//! `{"response": "**Deal Status for IXIS** …", "session_id": "webhook_20250814_e7aeb7e9",
//! "timestamp": "2025-08-14T09:20:00Z"}` or an error
//! `{"error": {"kind": "throttled", "message": "…", "retry_after_seconds": 30}}`, with
//! `kind` one of `throttled`, `unavailable`, `timeout` and `rejected`.

mod handle;
mod payload;

pub use handle::handle;
pub use payload::{WrapperError, WrapperErrorKind, WrapperRequest, WrapperResponse};
