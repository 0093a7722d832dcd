//! Inbound authentication: who may queue requests and read statuses. A caller proves
//! itself with an API key (`Authorization: Bearer <key>` or `x-api-key`, stored only as
//! SHA-256 hashes) or by signing the request the Standard Webhooks way (`webhook-id`,
//! `webhook-timestamp` within 5 minutes, `webhook-signature`), each `webhook-id` good
//! once. `INBOUND_AUTH=none` turns it off, explicitly.

mod api_keys;
mod settings;
mod signed;

pub use api_keys::{ApiKeys, KeyError};
pub use settings::{AuthMode, InboundAuthSettings};
pub use signed::{SIGNATURE_TOLERANCE, SignedRequests};

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Who a request came from, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Authentication is off.
    Anonymous,
    /// The named API key's owner.
    ApiKey(String),
    /// A caller that signed the request.
    Signed,
}

/// Why a request is not authenticated. The message is safe to return: it never holds a
/// key or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unauthenticated(pub String);

/// The gateway's inbound authentication.
#[derive(Clone)]
pub enum InboundAuth {
    /// Off (`INBOUND_AUTH=none`, or the local host on loopback by default).
    Off,
    /// On, with the methods configured.
    On {
        /// Accepted API keys, if any.
        keys: Option<Arc<ApiKeys>>,
        /// Accepted request signers, if any.
        signed: Option<Arc<SignedRequests>>,
    },
}

impl InboundAuth {
    /// Authenticates a request from its headers and raw body.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Caller, Unauthenticated> {
        let InboundAuth::On { keys, signed } = self else {
            return Ok(Caller::Anonymous);
        };
        if let Some(keys) = keys
            && let Some(presented) = api_keys::presented_key(headers)
        {
            return keys
                .caller_of(presented)
                .map(Caller::ApiKey)
                .ok_or_else(|| Unauthenticated("the API key is not valid".into()));
        }
        if let Some(signed) = signed
            && headers.contains_key("webhook-signature")
        {
            return signed
                .verify(headers, body, now)
                .await
                .map(|()| Caller::Signed);
        }
        let expected = match (keys.is_some(), signed.is_some()) {
            (true, true) => {
                "an API key (Authorization: Bearer or x-api-key) or a signed request (webhook-id, webhook-timestamp, webhook-signature)"
            }
            (true, false) => "an API key (Authorization: Bearer <key> or x-api-key: <key>)",
            _ => "a signed request (webhook-id, webhook-timestamp, webhook-signature)",
        };
        Err(Unauthenticated(format!(
            "authentication required: send {expected}"
        )))
    }

    /// Whether authentication is on.
    pub fn is_on(&self) -> bool {
        matches!(self, InboundAuth::On { .. })
    }
}
