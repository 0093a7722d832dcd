//! How an [`HttpDeliverer`](crate::HttpDeliverer) is set up.

use crate::AddressGuard;
use revops_core::signing::WebhookSigner;
use std::time::Duration;

/// The default time limit of one attempt, from connecting to reading the response.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default number of bytes read from a receiver's response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// The settings of an [`HttpDeliverer`](crate::HttpDeliverer).
#[derive(Debug, Clone)]
pub struct HttpDelivererConfig {
    /// Signs each attempt (`webhook-signature`); without it, attempts go unsigned.
    pub signer: Option<WebhookSigner>,
    /// The time limit of one attempt, including reading the response.
    pub attempt_timeout: Duration,
    /// How much of the receiver's response body is read (for the error message).
    pub max_response_bytes: usize,
    /// The `user-agent` header.
    pub user_agent: String,
    /// Which addresses and schemes targets may use (default: the Lambda host's, the
    /// strictest: nothing private, https only).
    pub guard: AddressGuard,
}

impl Default for HttpDelivererConfig {
    fn default() -> Self {
        Self {
            signer: None,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: concat!("revops-webhook-gateway/", env!("CARGO_PKG_VERSION")).to_owned(),
            guard: AddressGuard::lambda_default(),
        }
    }
}
