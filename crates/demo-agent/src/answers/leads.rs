//! "Show me the top leads" and "Which leads need outreach?": leads ranked by score.

use super::count;
use super::table::{Align, Table};
use crate::data::{CrmData, Lead, LeadStatus};
use crate::intent::{LeadFilter, LeadsQuery};
use chrono::NaiveDate;

/// How many leads a "top leads" answer shows when the question names no number.
const DEFAULT_TOP: usize = 10;

/// A lead nobody has reached in more than this many days needs outreach.
pub(crate) const STALE_AFTER_DAYS: i64 = 14;

/// The leads answer for `query`.
pub(super) fn render(query: LeadsQuery, data: &CrmData) -> String {
    let ranked = ranked(data, query.filter);
    match query.filter {
        LeadFilter::Top => top(&ranked, query.limit.unwrap_or(DEFAULT_TOP)),
        LeadFilter::NeedOutreach => need_outreach(&ranked, query.limit, data.as_of),
    }
}

/// The leads that pass `filter`, highest score first (ties by name).
pub(crate) fn ranked(data: &CrmData, filter: LeadFilter) -> Vec<&Lead> {
    let mut leads: Vec<&Lead> = data
        .leads
        .iter()
        .filter(|lead| match filter {
            LeadFilter::Top => lead.status.is_open(),
            LeadFilter::NeedOutreach => needs_outreach(lead, data.as_of),
        })
        .collect();
    leads.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    leads
}

/// Not yet qualified or disqualified, and never reached or not reached lately.
fn needs_outreach(lead: &Lead, as_of: NaiveDate) -> bool {
    matches!(
        lead.status,
        LeadStatus::New | LeadStatus::Working | LeadStatus::Nurturing
    ) && lead
        .last_contacted
        .is_none_or(|day| (as_of - day).num_days() > STALE_AFTER_DAYS)
}

fn top(ranked: &[&Lead], limit: usize) -> String {
    let shown = &ranked[..limit.min(ranked.len())];
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("Lead", Align::Left),
        ("Company", Align::Left),
        ("Title", Align::Left),
        ("Source", Align::Left),
        ("Status", Align::Left),
        ("Score", Align::Right),
        ("Owner", Align::Left),
    ]);
    for (rank, lead) in shown.iter().enumerate() {
        table.row(vec![
            (rank + 1).to_string(),
            lead.name.clone(),
            lead.company.clone(),
            lead.title.clone(),
            lead.source.clone(),
            lead.status.label().to_string(),
            lead.score.to_string(),
            lead.owner.clone(),
        ]);
    }
    let scope = if shown.len() < ranked.len() {
        format!(
            "Showing the top {} of {}",
            shown.len(),
            count(ranked.len(), "open lead", "open leads")
        )
    } else {
        format!("All {}", count(ranked.len(), "open lead", "open leads"))
    };
    [
        "**Top Leads by Score**".to_string(),
        table.render(),
        format!("{scope}, highest score first; disqualified leads are left out."),
    ]
    .join("\n\n")
}

fn need_outreach(ranked: &[&Lead], limit: Option<usize>, as_of: NaiveDate) -> String {
    let title = "**Leads That Need Outreach**".to_string();
    if ranked.is_empty() {
        return format!(
            "{title}\n\nEvery open lead has been contacted in the last {STALE_AFTER_DAYS} days."
        );
    }
    let shown = &ranked[..limit.unwrap_or(ranked.len()).min(ranked.len())];
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("Lead", Align::Left),
        ("Company", Align::Left),
        ("Status", Align::Left),
        ("Score", Align::Right),
        ("Last contacted", Align::Left),
        ("Owner", Align::Left),
    ]);
    for (rank, lead) in shown.iter().enumerate() {
        let last = lead.last_contacted.map_or_else(
            || "never".to_string(),
            |day| format!("{day} ({} days ago)", (as_of - day).num_days()),
        );
        table.row(vec![
            (rank + 1).to_string(),
            lead.name.clone(),
            lead.company.clone(),
            lead.status.label().to_string(),
            lead.score.to_string(),
            last,
            lead.owner.clone(),
        ]);
    }
    let mut parts = vec![
        title,
        format!(
            "Open leads never contacted, or last contacted more than {STALE_AFTER_DAYS} days before {as_of}, highest score first:"
        ),
        table.render(),
    ];
    if shown.len() < ranked.len() {
        parts.push(format!(
            "Showing {} of {} that need outreach.",
            shown.len(),
            count(ranked.len(), "lead", "leads")
        ));
    }
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lead names in the answer's table rows, in order.
    fn listed(answer: &str) -> Vec<String> {
        answer
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| #") && !l.contains("---"))
            .map(|l| l.split(" | ").nth(1).unwrap().to_string())
            .collect()
    }

    fn ask(filter: LeadFilter, limit: Option<usize>) -> String {
        render(LeadsQuery { filter, limit }, &CrmData::bundled())
    }

    #[test]
    fn top_leads_are_the_open_leads_by_descending_score() {
        let data = CrmData::bundled();
        let answer = ask(LeadFilter::Top, None);
        assert!(answer.starts_with("**Top Leads by Score**"));
        let names = listed(&answer);
        assert_eq!(names.len(), DEFAULT_TOP.min(data.leads.len()));
        let scores: Vec<u8> = names
            .iter()
            .map(|n| data.leads.iter().find(|l| &l.name == n).unwrap().score)
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        let best = data
            .leads
            .iter()
            .filter(|l| l.status.is_open())
            .max_by_key(|l| l.score)
            .unwrap();
        assert_eq!(names[0], best.name);
        for lead in data.leads.iter().filter(|l| !l.status.is_open()) {
            assert!(!names.contains(&lead.name));
        }
    }

    #[test]
    fn a_named_number_limits_the_list() {
        assert_eq!(listed(&ask(LeadFilter::Top, Some(3))).len(), 3);
        assert!(ask(LeadFilter::Top, Some(3)).contains("Showing the top 3 of"));
        assert_eq!(listed(&ask(LeadFilter::NeedOutreach, Some(2))).len(), 2);
    }

    #[test]
    fn outreach_lists_exactly_the_unworked_or_stale_open_leads() {
        let data = CrmData::bundled();
        let answer = ask(LeadFilter::NeedOutreach, None);
        assert!(answer.starts_with("**Leads That Need Outreach**"));
        let names = listed(&answer);
        let mut expected: Vec<&Lead> = data
            .leads
            .iter()
            .filter(|l| {
                matches!(
                    l.status,
                    LeadStatus::New | LeadStatus::Working | LeadStatus::Nurturing
                ) && l
                    .last_contacted
                    .is_none_or(|d| (data.as_of - d).num_days() > STALE_AFTER_DAYS)
            })
            .collect();
        expected.sort_by(|a, b| b.score.cmp(&a.score).then(a.name.cmp(&b.name)));
        let expected: Vec<String> = expected.iter().map(|l| l.name.clone()).collect();
        assert!(!expected.is_empty());
        assert_eq!(names, expected);
        assert!(answer.contains("never"));
    }
}
