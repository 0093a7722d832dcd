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
    if let Some(ago) = text.strip_prefix('-') {
        let (number, unit) = ago.split_at(ago.len().saturating_sub(1));
        let amount: i64 = number
            .parse()
            .map_err(|_| format!("`{text}`: a relative time is -<number><m|h|d>, such as -24h"))?;
        let span = match unit {
            "m" => Duration::minutes(amount),
            "h" => Duration::hours(amount),
            "d" => Duration::days(amount),
            _ => return Err(format!("`{text}`: the unit must be m, h or d")),
        };
        return Ok(now - span);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    Err(format!(
        "`{text}` is not a time: use RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01), now, or -24h / -7d / -30m"
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
        assert_eq!(
            parse_time("2026-11-01", now).unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(parse_time("2026-11-22T13:00:00+01:00", now).unwrap(), now);
        assert!(parse_time("yesterday", now).is_err());
        assert!(parse_time("-3w", now).is_err());
    }
}
