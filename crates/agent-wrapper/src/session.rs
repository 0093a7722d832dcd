//! The Bedrock session of a question: the caller's own, or one made from the date and
//! the tracking id, as the seeds did (`webhook_20250814_e7aeb7e9`).

use chrono::NaiveDate;
use revops_core::TrackingId;

/// The session attribute that carries the tracking id to the agent (and to the logs of
/// its action groups).
pub const TRACKING_ID_ATTRIBUTE: &str = "tracking_id";

/// The session id for a question that names none: `webhook_<YYYYMMDD>_<first 8 hex digits
/// of the tracking id>`.
pub fn default_session_id(tracking_id: &TrackingId, date: NaiveDate) -> String {
    let id = tracking_id.to_string();
    let prefix = id.get(..8).unwrap_or(&id);
    format!("webhook_{}_{prefix}", date.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_seed_format() {
        let tracking_id: TrackingId = "e7aeb7e9-5382-41a5-b858-f8010978cd26".parse().unwrap();
        let date = NaiveDate::from_ymd_opt(2025, 8, 14).unwrap();
        assert_eq!(
            default_session_id(&tracking_id, date),
            "webhook_20250814_e7aeb7e9"
        );
    }
}
