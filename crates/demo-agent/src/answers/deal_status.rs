//! "What is the deal status for IXIS?": one account's deals, as bullet lists.

use crate::data::{CrmData, Deal};
use crate::money::usd;
use chrono::NaiveDate;

/// The status of each account's deals, one section per account.
pub(super) fn render(accounts: &[String], data: &CrmData) -> String {
    accounts
        .iter()
        .map(|account| account_status(account, data))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn account_status(account: &str, data: &CrmData) -> String {
    let deals: Vec<&Deal> = data.deals.iter().filter(|d| d.account == account).collect();
    let mut parts = vec![format!("**Deal Status for {account}**")];
    if deals.is_empty() {
        parts.push(format!("The sample data has no deal for {account}."));
    }
    for (i, deal) in deals.iter().enumerate() {
        if deals.len() > 1 {
            parts.push(format!("_Deal {} of {}_", i + 1, deals.len()));
        }
        parts.push(bullets(deal, data.as_of));
    }
    parts.join("\n\n")
}

fn bullets(deal: &Deal, as_of: NaiveDate) -> String {
    let stage = if deal.stage.is_open() {
        format!(
            "{} ({}% win probability)",
            deal.stage.label(),
            deal.stage.win_probability_percent()
        )
    } else {
        deal.stage.label().to_string()
    };
    let mut lines = vec![
        format!("- **Deal:** {}", deal.name),
        format!("- **Stage:** {stage}"),
        format!("- **Amount:** {}", usd(deal.amount_usd)),
        format!("- **Close date:** {}", close_date(deal, as_of)),
        format!("- **Owner:** {}", deal.owner),
        format!("- **Next step:** {}", deal.next_step),
    ];
    let notes = deal
        .meddpicc
        .as_ref()
        .map(|m| m.entries())
        .unwrap_or_default();
    if !notes.is_empty() {
        lines.push("- **MEDDPICC:**".to_string());
        lines.extend(
            notes
                .into_iter()
                .map(|(label, text)| format!("  - {label}: {text}")),
        );
    }
    lines.join("\n")
}

/// The close date, and how far it is from the data's "as of" day.
fn close_date(deal: &Deal, as_of: NaiveDate) -> String {
    if !deal.stage.is_open() {
        return format!("{} (closed)", deal.close_date);
    }
    let days = (deal.close_date - as_of).num_days();
    let when = match days {
        0 => "today".to_string(),
        1 => "in 1 day".to_string(),
        -1 => "1 day overdue".to_string(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days overdue", -d),
    };
    format!("{} ({when})", deal.close_date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Stage;

    fn status(account: &str) -> String {
        render(&[account.to_string()], &CrmData::bundled())
    }

    #[test]
    fn ixis_answer_has_a_bold_title_and_names_stage_negotiate() {
        let answer = status("IXIS");
        let mut lines = answer.lines();
        assert_eq!(lines.next(), Some("**Deal Status for IXIS**"));
        assert!(answer.contains("- **Stage:** Negotiate"), "{answer}");
        assert!(answer.contains("- **Amount:** $240,000"), "{answer}");
        assert!(answer.contains("- **Close date:** 2026-12-12 (in 27 days)"));
        assert!(answer.contains("- **Owner:** Dana Whitfield"));
        assert!(answer.contains("- **Next step:** Redline the MSA"));
        assert!(answer.contains("  - Champion: Victor Lam"));
    }

    #[test]
    fn every_deal_of_an_account_is_shown_with_its_own_facts() {
        let data = CrmData::bundled();
        for account in data.account_names() {
            let answer = status(account);
            for deal in data.deals.iter().filter(|d| d.account == account) {
                assert!(answer.contains(&format!("- **Deal:** {}", deal.name)));
                assert!(answer.contains(&format!("**Stage:** {}", deal.stage.label())));
                assert!(answer.contains(&usd(deal.amount_usd)));
                assert!(answer.contains(&deal.close_date.to_string()));
            }
        }
    }

    #[test]
    fn an_account_with_two_deals_numbers_them() {
        let answer = status("Helios Energy");
        assert!(answer.contains("_Deal 1 of 2_") && answer.contains("_Deal 2 of 2_"));
        assert!(answer.contains("(closed)"));
    }

    #[test]
    fn close_dates_are_counted_from_the_as_of_day() {
        let mut deal = CrmData::bundled().deals[0].clone();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        deal.close_date = as_of;
        assert_eq!(close_date(&deal, as_of), "2026-11-15 (today)");
        deal.close_date = NaiveDate::from_ymd_opt(2026, 11, 12).unwrap();
        assert_eq!(close_date(&deal, as_of), "2026-11-12 (3 days overdue)");
        deal.stage = Stage::ClosedWon;
        assert_eq!(close_date(&deal, as_of), "2026-11-12 (closed)");
    }
}
