//! API keys: configured as `caller:sha256hex` pairs (`INBOUND_API_KEYS`), so the keys
//! themselves are never stored; a presented key is hashed and compared in constant time
//! with every configured hash.

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use std::fmt;

/// A configured key: its owner and the SHA-256 of the key.
#[derive(Clone)]
struct HashedKey {
    caller: String,
    hash: [u8; 32],
}

/// The accepted API keys.
#[derive(Clone)]
pub struct ApiKeys {
    keys: Vec<HashedKey>,
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let callers: Vec<&str> = self.keys.iter().map(|k| k.caller.as_str()).collect();
        write!(f, "ApiKeys({callers:?}, hashes redacted)")
    }
}

/// An `INBOUND_API_KEYS` entry that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "entry #{position} must be caller:sha256hex (64 hex digits), as printed by `printf %s KEY | sha256sum`"
)]
pub struct KeyError {
    /// The entry's position, from 1.
    pub position: usize,
}

impl ApiKeys {
    /// Parses `caller:sha256hex` entries separated by commas or spaces.
    pub fn parse(entries: &str) -> Result<Self, KeyError> {
        let keys = entries
            .split([',', ' ', '\n'])
            .filter(|entry| !entry.trim().is_empty())
            .enumerate()
            .map(|(index, entry)| {
                let error = KeyError {
                    position: index + 1,
                };
                let (caller, hex_hash) = entry.trim().split_once(':').ok_or(error.clone())?;
                let mut hash = [0u8; 32];
                hex::decode_to_slice(hex_hash, &mut hash).map_err(|_| error.clone())?;
                if caller.is_empty() {
                    return Err(error);
                }
                Ok(HashedKey {
                    caller: caller.to_owned(),
                    hash,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// How many keys are configured.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The owner of `presented`, if it is a configured key.
    pub fn caller_of(&self, presented: &str) -> Option<String> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for key in &self.keys {
            let difference = key
                .hash
                .iter()
                .zip(digest.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            if difference == 0 {
                found = Some(key.caller.clone());
            }
        }
        found
    }
}

/// The key a request presents, from `Authorization: Bearer` or `x-api-key`.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
    {
        return Some(bearer.trim());
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(text: &str) -> String {
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    #[test]
    fn keys_are_matched_by_hash_and_never_printed() {
        let keys =
            ApiKeys::parse(&format!("crm:{}, billing:{}", sha("k-one"), sha("k-two"))).unwrap();
        assert_eq!(keys.caller_of("k-one").as_deref(), Some("crm"));
        assert_eq!(keys.caller_of("k-two").as_deref(), Some("billing"));
        assert_eq!(keys.caller_of("k-three"), None);
        assert!(!format!("{keys:?}").contains(&sha("k-one")));
        assert_eq!(
            ApiKeys::parse("crm:abc").unwrap_err(),
            KeyError { position: 1 }
        );
        assert_eq!(
            ApiKeys::parse(&format!("a:{} nocolon", sha("x"))).unwrap_err(),
            KeyError { position: 2 }
        );
    }

    #[test]
    fn bearer_and_x_api_key_are_both_read() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(presented_key(&headers), Some("abc"));
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", "def".parse().unwrap());
        assert_eq!(presented_key(&headers), Some("def"));
        assert_eq!(presented_key(&HeaderMap::new()), None);
    }
}
