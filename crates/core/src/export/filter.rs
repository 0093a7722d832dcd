//! Which archived conversations an export takes: queued within `[from, to)`, from one
//! source system. The archive is partitioned by the day queued, so a reader can skip
//! whole days outside the window ([`ExportFilter::covers_day`]).

use crate::ports::ConversationRecord;
use chrono::{DateTime, NaiveDate, Utc};

/// An export's selection; the default takes everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// Queued at or after this.
    pub from: Option<DateTime<Utc>>,
    /// Queued before this.
    pub to: Option<DateTime<Utc>>,
    /// From this `source_system` only.
    pub source: Option<String>,
}

impl ExportFilter {
    /// Whether `conversation` is taken.
    pub fn matches(&self, conversation: &ConversationRecord) -> bool {
        let at = conversation.queued_at;
        self.from.is_none_or(|from| at >= from)
            && self.to.is_none_or(|to| at < to)
            && self
                .source
                .as_deref()
                .is_none_or(|source| conversation.source_system == source)
    }

    /// Whether any conversation queued on `day` (UTC) can be taken.
    pub fn covers_day(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| day >= from.date_naive())
            && self.to.is_none_or(|to| {
                let to_day = to.date_naive();
                day < to_day || (day == to_day && to.time() != chrono::NaiveTime::MIN)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    #[test]
    fn days_outside_the_window_are_skipped_and_the_end_is_excluded() {
        let filter = ExportFilter {
            from: Some(at(10, 12)),
            to: Some(at(12, 0)),
            source: None,
        };
        assert!(!filter.covers_day(date(9)));
        assert!(filter.covers_day(date(10)), "from noon on the 10th");
        assert!(filter.covers_day(date(11)));
        assert!(
            !filter.covers_day(date(12)),
            "midnight of the 12th is excluded"
        );
        let to_noon = ExportFilter {
            to: Some(at(12, 12)),
            ..filter
        };
        assert!(to_noon.covers_day(date(12)));
        assert!(ExportFilter::default().covers_day(date(1)));
    }
}
