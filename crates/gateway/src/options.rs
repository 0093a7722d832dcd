//! What a host configures on the API besides the flows: inbound authentication, the
//! per-source rate limit, and the admission switch.

use crate::{
    admission::Admission,
    auth::{AuthMode, InboundAuth, InboundAuthSettings, SignedRequests},
    rate_limit::SourceRateLimit,
};
use revops_core::{config::ConfigError, ports::TrackingStore};
use std::sync::Arc;

/// The API's options.
#[derive(Clone)]
pub struct ApiOptions {
    /// Who may call.
    pub auth: InboundAuth,
    /// How often each `source_system` may call.
    pub rate_limit: Option<Arc<SourceRateLimit>>,
    /// Whether new requests are taken now (the host may refuse them for a while).
    pub admission: Admission,
}

impl ApiOptions {
    /// The options a host's settings call for: authentication on or off (`host_default_on`
    /// when `INBOUND_AUTH` is unset), replays checked in `store`.
    pub fn from_settings(
        settings: &InboundAuthSettings,
        host_default_on: bool,
        store: Arc<dyn TrackingStore>,
        rate_limit: Option<Arc<SourceRateLimit>>,
    ) -> Result<Self, ConfigError> {
        let auth = if settings.is_on(host_default_on)? {
            InboundAuth::On {
                keys: settings.api_keys.clone().map(Arc::new),
                signed: settings
                    .signer
                    .clone()
                    .map(|signer| Arc::new(SignedRequests::new(signer, store))),
            }
        } else {
            if settings.mode == AuthMode::Off {
                tracing::warn!(
                    "inbound authentication is off (INBOUND_AUTH=none): anyone who can reach the API can queue requests"
                );
            }
            InboundAuth::Off
        };
        Ok(Self {
            auth,
            rate_limit,
            admission: Admission::open(),
        })
    }

    /// No authentication, no rate limit, every request admitted.
    pub fn open() -> Self {
        Self {
            auth: InboundAuth::Off,
            rate_limit: None,
            admission: Admission::open(),
        }
    }
}
