//! Notes that close quarter answers: what already closed, and when a quarter is over.

use super::count;
use crate::data::{CrmData, Deal, Stage};
use crate::money::usd;
use crate::quarter::Quarter;

/// The notes for `quarter`: deals already won or lost in it, and a hint when the
/// quarter ended before the data's "as of" day.
pub(super) fn notes(quarter: Quarter, data: &CrmData) -> Vec<String> {
    let current = data.as_of_quarter();
    let mut notes = Vec::new();
    let closed = data.closed_deals_in(quarter);
    if !closed.is_empty() {
        let lead_in = if quarter == current {
            format!("Already closed in {quarter}")
        } else {
            format!("Closed in {quarter}")
        };
        notes.push(format!("{lead_in}: {}.", outcome_summary(&closed)));
    }
    if quarter < current {
        let mut hint = format!(
            "{quarter} ended before the sample data's as-of date ({}), so it has no open deals left.",
            data.as_of
        );
        if quarter.year() == current.year() {
            let coming = Quarter::new(quarter.year() + 1, quarter.number());
            if let Some(coming) = coming {
                hint.push_str(&format!(" Ask about {coming} for the coming one."));
            }
        }
        notes.push(hint);
    }
    notes
}

/// "2 won ($110,000) and 1 lost ($150,000)".
fn outcome_summary(closed: &[&Deal]) -> String {
    [(Stage::ClosedWon, "won"), (Stage::ClosedLost, "lost")]
        .into_iter()
        .filter_map(|(stage, word)| {
            let deals: Vec<&&Deal> = closed.iter().filter(|d| d.stage == stage).collect();
            (!deals.is_empty()).then(|| {
                let amount: u64 = deals.iter().map(|d| d.amount_usd).sum();
                format!(
                    "{} {word} ({})",
                    count(deals.len(), "deal", "deals"),
                    usd(amount)
                )
            })
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(year: i32, number: u8) -> Quarter {
        Quarter::new(year, number).unwrap()
    }

    #[test]
    fn the_current_quarter_reports_what_already_closed() {
        let data = CrmData::bundled();
        let closed = data.closed_deals_in(q(2026, 4));
        let won: u64 = closed
            .iter()
            .filter(|d| d.stage == Stage::ClosedWon)
            .map(|d| d.amount_usd)
            .sum();
        let notes = notes(q(2026, 4), &data);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("Already closed in Q4 2026: "));
        assert!(
            notes[0].contains(&format!("won ({})", usd(won))),
            "{notes:?}"
        );
    }

    #[test]
    fn a_past_quarter_points_to_the_coming_one() {
        let notes = notes(q(2026, 1), &CrmData::bundled());
        let last = notes.last().unwrap();
        assert!(last.contains("Q1 2026 ended before"), "{last}");
        assert!(last.contains("Ask about Q1 2027"), "{last}");
    }

    #[test]
    fn a_future_quarter_without_closed_deals_has_no_notes() {
        assert!(notes(q(2027, 1), &CrmData::bundled()).is_empty());
    }
}
