//! Rendering answers as markdown.
//!
//! Every answer is plain text computed from the data alone (no clock, no randomness), so
//! the same question always gets the same answer, and every answer ends with the
//! [`footer`] that says it comes from the demo agent's sample data.

mod closing;
mod deal_status;
mod help;
mod leads;
mod pipeline;
mod quarter_notes;
mod table;

use crate::data::CrmData;
use crate::intent::Intent;

/// The markdown answer to a question classified as `intent`, footer included.
pub fn render(intent: &Intent, data: &CrmData) -> String {
    let body = match intent {
        Intent::DealStatus(accounts) => deal_status::render(accounts, data),
        Intent::UnknownAccount => help::unknown_account(data),
        Intent::Closing(quarter) => closing::render(*quarter, data),
        Intent::Pipeline(scope) => pipeline::render(*scope, data),
        Intent::Leads(query) => leads::render(*query, data),
        Intent::Capabilities => help::capabilities(data),
        Intent::Unknown => help::cannot_answer(data),
    };
    format!("{body}\n\n{}", footer(data))
}

/// The last line of every answer: who answered, and from what.
pub fn footer(data: &CrmData) -> String {
    format!(
        "_Demo agent — answers from bundled sample CRM data as of {}._",
        data.as_of
    )
}

/// `1 deal`, `2 deals`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::{LeadFilter, LeadsQuery, PipelineScope};
    use crate::quarter::Quarter;

    #[test]
    fn every_answer_ends_with_the_demo_footer() {
        let data = CrmData::bundled();
        let q4 = Quarter::new(2026, 4).unwrap();
        let intents = [
            Intent::DealStatus(vec!["IXIS".into()]),
            Intent::UnknownAccount,
            Intent::Closing(q4),
            Intent::Pipeline(PipelineScope::Quarter(q4)),
            Intent::Pipeline(PipelineScope::AllOpen),
            Intent::Leads(LeadsQuery {
                filter: LeadFilter::Top,
                limit: None,
            }),
            Intent::Leads(LeadsQuery {
                filter: LeadFilter::NeedOutreach,
                limit: None,
            }),
            Intent::Capabilities,
            Intent::Unknown,
        ];
        for intent in intents {
            let answer = render(&intent, &data);
            assert!(
                answer.ends_with(
                    "\n\n_Demo agent — answers from bundled sample CRM data as of 2026-11-15._"
                ),
                "{intent:?}: {answer}"
            );
            assert!(
                answer.starts_with("**"),
                "{intent:?} starts with a bold title"
            );
        }
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "deal", "deals"), "1 deal");
        assert_eq!(count(0, "deal", "deals"), "0 deals");
        assert_eq!(count(3, "deal", "deals"), "3 deals");
    }
}
