//! One delivery attempt as the request's record keeps it: when it started, how it ended,
//! the receiver's HTTP status (none when no response came), how long it took, and the
//! error, cut short (the receiver's body snippet or the transport's reason, never a
//! secret: the deliverer's messages carry neither headers nor the signature).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest error an attempt keeps, in characters.
pub const MAX_ATTEMPT_ERROR_CHARS: usize = 300;

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptResult {
    /// The receiver answered 2xx.
    Success,
    /// It failed, and another attempt follows.
    Retrying,
    /// It failed, and none follows.
    Failed,
}

impl AttemptResult {
    /// The wire name (`success`, `retrying`, `failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptResult::Success => "success",
            AttemptResult::Retrying => "retrying",
            AttemptResult::Failed => "failed",
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// Its number within its round (a replay starts a new round at 1).
    pub attempt: u32,
    /// When it started.
    pub at: DateTime<Utc>,
    /// How it ended.
    pub outcome: AttemptResult,
    /// The receiver's HTTP status; `None` when no response came.
    pub http_status: Option<u16>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// What went wrong, cut to [`MAX_ATTEMPT_ERROR_CHARS`]; `None` on success.
    pub error: Option<String>,
}

impl DeliveryAttempt {
    /// `error` cut to [`MAX_ATTEMPT_ERROR_CHARS`] characters, marked when cut.
    pub fn shortened(error: &str) -> String {
        match error.char_indices().nth(MAX_ATTEMPT_ERROR_CHARS) {
            Some((cut, _)) => format!("{}…", &error[..cut]),
            None => error.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_error_is_cut_and_marked() {
        let long = "é".repeat(MAX_ATTEMPT_ERROR_CHARS + 10);
        let cut = DeliveryAttempt::shortened(&long);
        assert_eq!(cut.chars().count(), MAX_ATTEMPT_ERROR_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(DeliveryAttempt::shortened("HTTP 500"), "HTTP 500");
    }

    #[test]
    fn outcomes_have_the_contract_names() {
        for outcome in [
            AttemptResult::Success,
            AttemptResult::Retrying,
            AttemptResult::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(outcome).unwrap(),
                serde_json::json!(outcome.as_str())
            );
        }
    }
}
