//! How an [`HttpDeliverer`](crate::HttpDeliverer) is set up.

use crate::{AddressGuard, BuildError, HttpDeliverer};
use revops_core::{
    config::{ConfigError, Host, PipelineSettings},
    signing::WebhookSigner,
};
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

impl HttpDelivererConfig {
    /// The configuration `settings` give: their signer and attempt time limit, and their
    /// host's address guard ([`AddressGuard::local_default`] or
    /// [`AddressGuard::lambda_default`]) with `WEBHOOK_ALLOWED_NETWORKS` and
    /// `WEBHOOK_ALLOW_HTTP` applied. The one place either host sets its deliverer up.
    pub fn from_settings(settings: &PipelineSettings) -> Result<Self, ConfigError> {
        let host_default = match settings.host {
            Host::Local => AddressGuard::local_default(),
            Host::Lambda => AddressGuard::lambda_default(),
        };
        let guard = AddressGuard::configured(
            host_default,
            settings.allowed_networks.as_deref(),
            settings.allow_http,
        )
        .map_err(|e| ConfigError::new("WEBHOOK_ALLOWED_NETWORKS", e.to_string()))?;
        Ok(Self {
            signer: settings.signer.clone(),
            attempt_timeout: settings.attempt_timeout,
            guard,
            ..Self::default()
        })
    }
}

impl HttpDeliverer {
    /// The deliverer `settings` configure (see [`HttpDelivererConfig::from_settings`]).
    pub fn from_settings(settings: &PipelineSettings) -> Result<Self, BuildError> {
        let config = HttpDelivererConfig::from_settings(settings).map_err(BuildError::from)?;
        Self::new(config)
    }
}
