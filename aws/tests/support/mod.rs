//! What the AWS adapter tests share: a moto server on loopback and unique names.

pub mod moto;

/// A name no other test uses: `prefix` and a random suffix (lower case, so it also
/// makes a valid bucket name).
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}
