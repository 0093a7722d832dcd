//! "What deals are closing this quarter?": the open deals expected to close in a quarter.

use super::count;
use super::quarter_notes;
use super::table::{Align, Table};
use crate::data::{CrmData, Deal};
use crate::money::usd;
use crate::quarter::Quarter;

/// The open deals closing in `quarter`, as a table with their total.
pub(super) fn render(quarter: Quarter, data: &CrmData) -> String {
    let title = if quarter == data.as_of_quarter() {
        format!("**Deals Closing This Quarter ({quarter})**")
    } else {
        format!("**Deals Closing in {quarter}**")
    };
    let deals = data.open_deals_closing_in(quarter);
    let mut parts = vec![title];
    if deals.is_empty() {
        parts.push(format!(
            "No open deals in the sample data are expected to close in {quarter}."
        ));
    } else {
        parts.push(table(&deals));
        let total: u64 = deals.iter().map(|d| d.amount_usd).sum();
        let weighted: u64 = deals.iter().map(|d| d.weighted_usd()).sum();
        parts.push(format!(
            "**Total:** {} across {} (weighted by stage: {}).",
            usd(total),
            count(deals.len(), "open deal", "open deals"),
            usd(weighted)
        ));
    }
    parts.extend(quarter_notes::notes(quarter, data));
    parts.join("\n\n")
}

fn table(deals: &[&Deal]) -> String {
    let mut table = Table::new(&[
        ("Account", Align::Left),
        ("Deal", Align::Left),
        ("Stage", Align::Left),
        ("Amount", Align::Right),
        ("Close date", Align::Left),
        ("Owner", Align::Left),
        ("Next step", Align::Left),
    ]);
    for deal in deals {
        table.row(vec![
            deal.account.clone(),
            deal.name.clone(),
            deal.stage.label().to_string(),
            usd(deal.amount_usd),
            deal.close_date.to_string(),
            deal.owner.clone(),
            deal.next_step.clone(),
        ]);
    }
    table.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deal names in the answer's table rows, in order.
    fn listed_deals(answer: &str) -> Vec<String> {
        answer
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Account") && !l.contains("---"))
            .map(|l| l.split(" | ").nth(1).unwrap().to_string())
            .collect()
    }

    #[test]
    fn this_quarter_lists_exactly_the_open_deals_closing_in_q4_2026() {
        let data = CrmData::bundled();
        let q4 = Quarter::new(2026, 4).unwrap();
        let answer = render(q4, &data);
        assert!(answer.starts_with("**Deals Closing This Quarter (Q4 2026)**"));

        let mut expected: Vec<&Deal> = data
            .deals
            .iter()
            .filter(|d| {
                d.stage.is_open()
                    && d.close_date >= chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
            })
            .filter(|d| d.close_date <= chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
            .collect();
        expected.sort_by_key(|d| (d.close_date, d.name.clone()));
        let expected_names: Vec<String> = expected.iter().map(|d| d.name.clone()).collect();
        assert!(!expected_names.is_empty());
        assert_eq!(listed_deals(&answer), expected_names);

        let total: u64 = expected.iter().map(|d| d.amount_usd).sum();
        assert!(
            answer.contains(&format!(
                "**Total:** {} across {} open deals",
                usd(total),
                expected.len()
            )),
            "{answer}"
        );
        // Closed deals of the quarter are not in the table.
        for deal in data.closed_deals_in(q4) {
            assert!(!listed_deals(&answer).contains(&deal.name));
        }
    }

    #[test]
    fn another_quarter_is_named_in_the_title() {
        let answer = render(Quarter::new(2027, 1).unwrap(), &CrmData::bundled());
        assert!(answer.starts_with("**Deals Closing in Q1 2027**"));
        assert!(!listed_deals(&answer).is_empty());
    }

    #[test]
    fn a_quarter_without_open_deals_says_so() {
        let answer = render(Quarter::new(2026, 2).unwrap(), &CrmData::bundled());
        assert!(
            answer.contains("No open deals in the sample data are expected to close in Q2 2026.")
        );
        assert!(listed_deals(&answer).is_empty());
    }
}
