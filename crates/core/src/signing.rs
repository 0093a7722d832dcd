//! Standard Webhooks signatures (standardwebhooks.com): `v1,` and the base64 HMAC-SHA256
//! of `{id}.{timestamp}.{body}` under each configured `whsec_` secret.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;
use std::fmt;

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A secret that does not parse. It never holds the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The value does not start with `whsec_`.
    #[error("secret #{0} does not start with \"whsec_\"")]
    MissingPrefix(usize),
    /// What follows `whsec_` is not base64.
    #[error("secret #{0} is not base64 after \"whsec_\"")]
    NotBase64(usize),
    /// The key is empty.
    #[error("secret #{0} is empty")]
    Empty(usize),
    /// No secret at all.
    #[error("no secret given")]
    None,
}

/// One or more signing keys; the first is the current one, the others are being
/// rotated out, and every one signs.
#[derive(Clone)]
pub struct WebhookSigner {
    keys: Vec<SecretSlice<u8>>,
}

impl fmt::Debug for WebhookSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSigner({} key(s), redacted)", self.keys.len())
    }
}

impl WebhookSigner {
    /// Parses one or more `whsec_…` secrets, separated by spaces or commas.
    pub fn parse(secrets: &str) -> Result<Self, SecretError> {
        let keys = secrets
            .split([' ', ',', '\n', '\t'])
            .filter(|part| !part.is_empty())
            .enumerate()
            .map(|(index, part)| {
                let number = index + 1;
                let encoded = part
                    .strip_prefix(SECRET_PREFIX)
                    .ok_or(SecretError::MissingPrefix(number))?;
                let key = STANDARD
                    .decode(encoded)
                    .map_err(|_| SecretError::NotBase64(number))?;
                if key.is_empty() {
                    return Err(SecretError::Empty(number));
                }
                Ok(SecretSlice::from(key))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(SecretError::None);
        }
        Ok(Self { keys })
    }

    /// Whether `header` (space-separated `v1,<base64>` signatures) holds a signature of
    /// `{id}.{timestamp}.{body}` under one of the keys; compared in constant time.
    pub fn verify(&self, webhook_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
        let candidates: Vec<Vec<u8>> = header
            .split(' ')
            .filter_map(|part| part.strip_prefix("v1,"))
            .filter_map(|encoded| STANDARD.decode(encoded).ok())
            .collect();
        self.keys.iter().any(|key| {
            candidates.iter().any(|candidate| {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
                    .expect("HMAC takes keys of any length");
                mac.update(format!("{webhook_id}.{timestamp}.").as_bytes());
                mac.update(body);
                mac.verify_slice(candidate).is_ok()
            })
        })
    }

    /// The `webhook-signature` header value for one attempt.
    pub fn sign(&self, webhook_id: &str, timestamp: i64, body: &[u8]) -> String {
        self.keys
            .iter()
            .map(|key| {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
                    .expect("HMAC takes keys of any length");
                mac.update(format!("{webhook_id}.{timestamp}.").as_bytes());
                mac.update(body);
                format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks specification's reference tests.
    #[test]
    fn matches_the_specification_example() {
        let signer = WebhookSigner::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = signer.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn signatures_verify_and_tampering_does_not() {
        let signer = WebhookSigner::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let header = signer.sign("id", 7, b"{}");
        assert!(signer.verify("id", 7, b"{}", &header));
        assert!(signer.verify("id", 7, b"{}", &format!("v1,AAAA {header}")));
        assert!(!signer.verify("id", 7, b"{ }", &header));
        assert!(!signer.verify("id", 8, b"{}", &header));
        assert!(!signer.verify("other", 7, b"{}", &header));
        assert!(!signer.verify("id", 7, b"{}", "v1,not-base64!"));
        let rotated =
            WebhookSigner::parse("whsec_c2Vjb25k whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert!(
            rotated.verify("id", 7, b"{}", &header),
            "an old key still verifies during rotation"
        );
    }

    #[test]
    fn every_rotated_secret_signs() {
        let signer =
            WebhookSigner::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_c2Vjb25k").unwrap();
        let header = signer.sign("id", 1, b"{}");
        let parts: Vec<_> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn bad_secrets_are_named_by_position_never_echoed() {
        let error =
            WebhookSigner::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw hunter2").unwrap_err();
        assert_eq!(error, SecretError::MissingPrefix(2));
        assert!(!error.to_string().contains("hunter2"));
        assert_eq!(
            WebhookSigner::parse("whsec_!!!").unwrap_err(),
            SecretError::NotBase64(1)
        );
        assert_eq!(WebhookSigner::parse("  ").unwrap_err(), SecretError::None);
        let debug = format!("{:?}", WebhookSigner::parse("whsec_c2Vjb25k").unwrap());
        assert!(!debug.contains("c2Vjb25k"));
    }
}
