//! The report's window and the times `--from` and `--to` accept: RFC 3339
//! (`2026-11-01T00:00:00Z`), a date (`2026-11-01`, midnight UTC), `now`, or a time
//! before now (`-24h`, `-7d`, `-30m`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// A time range, start included, end excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Start (included).
    pub from: DateTime<Utc>,
    /// End (excluded).
    pub to: DateTime<Utc>,
}

impl Window {
    /// Whether `at` is inside.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// Its length in whole seconds.
    pub fn seconds(&self) -> i64 {
        (self.to - self.from).num_seconds()
    }
}

/// Parses a time as `--from` and `--to` take it.
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if text == "now" {
        return Ok(now);
    }
    // A duration before now: `90m`, `2h`, `7d`, or the same with a leading minus.
    let ago = text.strip_prefix('-');
    let relative = ago.unwrap_or(text);
    let (number, unit) = relative.split_at(relative.len().saturating_sub(1));
    let amount = number.parse::<i64>().ok().filter(|amount| *amount >= 0);
    match (amount, unit) {
        (Some(amount), "m") => return Ok(now - Duration::minutes(amount)),
        (Some(amount), "h") => return Ok(now - Duration::hours(amount)),
        (Some(amount), "d") => return Ok(now - Duration::days(amount)),
        _ if ago.is_some() => {
            return Err(format!(
                "`{text}`: a relative time is <number><m|h|d> before now, such as 24h or -24h"
            ));
        }
        _ => {}
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    Err(format!(
        "`{text}` is not a time: use RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01), now, or a duration before now (30m, 24h, 7d; -24h alike)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_form_parses() {
        let now = parse_time("2026-11-22T12:00:00Z", Utc::now()).unwrap();
        assert_eq!(parse_time("now", now).unwrap(), now);
        assert_eq!(parse_time("-24h", now).unwrap(), now - Duration::hours(24));
        assert_eq!(parse_time("-7d", now).unwrap(), now - Duration::days(7));
        assert_eq!(parse_time("90m", now).unwrap(), now - Duration::minutes(90));
        assert_eq!(parse_time("2h", now).unwrap(), now - Duration::hours(2));
        assert!(parse_time("-2w", now).is_err());
        assert!(parse_time("--2h", now).is_err());
        assert_eq!(
            parse_time("2026-11-01", now).unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(parse_time("2026-11-22T13:00:00+01:00", now).unwrap(), now);
        assert!(parse_time("yesterday", now).is_err());
        assert!(parse_time("-3w", now).is_err());
    }
}
