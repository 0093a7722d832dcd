//! The tracking id: the one handle a caller, a receiver and an on-call engineer share for
//! a request, from the `202` to the delivery (it is also the `webhook-id`).

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

/// A request's tracking id: a random (v4) UUID in its hyphenated lower-case form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingId(Uuid);

/// A string that is not a tracking id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a tracking id (expected a UUID such as e7aeb7e9-5382-41a5-b858-f8010978cd26)")]
pub struct TrackingIdError;

impl TrackingId {
    /// A new random tracking id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for TrackingId {
    fn default() -> Self {
        Self::new()
    }
}

impl FromStr for TrackingId {
    type Err = TrackingIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::try_parse(s).map(Self).map_err(|_| TrackingIdError)
    }
}

impl TryFrom<String> for TrackingId {
    type Error = TrackingIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TrackingId> for String {
    fn from(value: TrackingId) -> Self {
        value.to_string()
    }
}

impl fmt::Display for TrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_string_form() {
        let id = TrackingId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<TrackingId>().unwrap(), id);
        assert!("abc-123".parse::<TrackingId>().is_err());
    }
}
