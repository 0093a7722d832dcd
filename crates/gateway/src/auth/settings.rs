//! Inbound authentication's configuration: `INBOUND_AUTH` (`none`, `api-key`,
//! `signature`, or both separated by a comma), `INBOUND_API_KEYS` (`caller:sha256hex`
//! pairs) and `INBOUND_WEBHOOK_SECRET` (`whsec_` secrets). Unset, the host decides: on
//! in Lambda, off for the local host on loopback.

use super::ApiKeys;
use revops_core::{
    config::{ConfigError, Env},
    signing::WebhookSigner,
};

/// Whether authentication is on, as configured or by the host's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Explicitly off.
    Off,
    /// On with whatever methods are configured.
    On,
    /// Not configured: the host's default applies.
    HostDefault,
}

/// The settings, parsed and checked.
#[derive(Debug, Clone)]
pub struct InboundAuthSettings {
    /// The mode.
    pub mode: AuthMode,
    /// `INBOUND_API_KEYS`.
    pub api_keys: Option<ApiKeys>,
    /// `INBOUND_WEBHOOK_SECRET`.
    pub signer: Option<WebhookSigner>,
}

impl InboundAuthSettings {
    /// Reads the settings.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let api_keys = env
            .get("INBOUND_API_KEYS")
            .map(|raw| ApiKeys::parse(&raw))
            .transpose()
            .map_err(|e| ConfigError::new("INBOUND_API_KEYS", e.to_string()))?;
        let signer = env
            .get("INBOUND_WEBHOOK_SECRET")
            .map(|raw| WebhookSigner::parse(&raw))
            .transpose()
            .map_err(|e| ConfigError::new("INBOUND_WEBHOOK_SECRET", e.to_string()))?;
        let mode = match env
            .get("INBOUND_AUTH")
            .map(|m| m.to_ascii_lowercase())
            .as_deref()
        {
            None => AuthMode::HostDefault,
            Some("none" | "off") => AuthMode::Off,
            Some(methods) => {
                for method in methods.split(',').map(str::trim) {
                    let configured = match method {
                        "api-key" => api_keys.is_some(),
                        "signature" => signer.is_some(),
                        other => {
                            return Err(ConfigError::new(
                                "INBOUND_AUTH",
                                format!(
                                    "must be none, api-key, signature or api-key,signature (got {other:?})"
                                ),
                            ));
                        }
                    };
                    if !configured {
                        let variable = if method == "api-key" {
                            "INBOUND_API_KEYS"
                        } else {
                            "INBOUND_WEBHOOK_SECRET"
                        };
                        return Err(ConfigError::new(
                            variable,
                            format!("must be set when INBOUND_AUTH includes {method}"),
                        ));
                    }
                }
                AuthMode::On
            }
        };
        Ok(Self {
            mode,
            api_keys,
            signer,
        })
    }

    /// Whether authentication ends up on, given the host's default.
    pub fn is_on(&self, host_default_on: bool) -> Result<bool, ConfigError> {
        let on = match self.mode {
            AuthMode::Off => false,
            AuthMode::On => true,
            AuthMode::HostDefault => {
                host_default_on || self.api_keys.is_some() || self.signer.is_some()
            }
        };
        if on && self.api_keys.is_none() && self.signer.is_none() {
            return Err(ConfigError::new(
                "INBOUND_AUTH",
                "inbound authentication is on but no INBOUND_API_KEYS or INBOUND_WEBHOOK_SECRET is set (set INBOUND_AUTH=none to turn it off explicitly)",
            ));
        }
        Ok(on)
    }
}
