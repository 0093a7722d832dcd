//! Webhook delivery over HTTP, following the Standard Webhooks specification.
//!
//! [`HttpDeliverer`] implements [`revops_core::ports::Deliverer`]: each attempt is one
//! `POST` of the payload with `webhook-id`, `webhook-timestamp` and (when a signer is
//! configured) `webhook-signature` headers. Redirects are not followed, every attempt has
//! a time limit, only a bounded part of the receiver's answer is read, and the
//! [`AddressGuard`] refuses internal addresses on the address actually connected to.

mod config;
mod errors;
mod guard;
mod http;
mod response;
mod retry_after;

pub use config::{DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, HttpDelivererConfig};
pub use errors::BuildError;
pub use guard::{AddressGuard, AddressRefused, NetworkError, forbidden_class};
pub use http::HttpDeliverer;
