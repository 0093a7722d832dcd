//! "Show me pipeline analysis for Q4": open deals by stage, with totals and weighting.

use super::count;
use super::quarter_notes;
use super::table::{Align, Table};
use crate::data::{CrmData, Deal, Stage};
use crate::intent::PipelineScope;
use crate::money::usd;
use crate::quarter::Quarter;

/// The pipeline analysis for `scope`.
pub(super) fn render(scope: PipelineScope, data: &CrmData) -> String {
    match scope {
        PipelineScope::Quarter(quarter) => quarter_pipeline(quarter, data),
        PipelineScope::AllOpen => all_open(data),
    }
}

fn quarter_pipeline(quarter: Quarter, data: &CrmData) -> String {
    let deals = data.open_deals_closing_in(quarter);
    let mut parts = vec![format!("**Pipeline Analysis for {quarter}**")];
    if deals.is_empty() {
        parts.push(format!(
            "No open deals in the sample data are expected to close in {quarter}."
        ));
    } else {
        parts.push(format!(
            "Open deals expected to close in {quarter}, by stage (weighted = amount × the stage's win probability):"
        ));
        parts.push(by_stage(&deals));
        parts.push(total_line(&deals));
    }
    parts.extend(quarter_notes::notes(quarter, data));
    parts.join("\n\n")
}

fn all_open(data: &CrmData) -> String {
    let deals: Vec<&Deal> = data.deals.iter().filter(|d| d.stage.is_open()).collect();
    let mut parts = vec!["**Pipeline Analysis: All Open Deals**".to_string()];
    if deals.is_empty() {
        parts.push("The sample data has no open deals.".to_string());
        return parts.join("\n\n");
    }
    parts.push(
        "Every open deal, by stage (weighted = amount × the stage's win probability):".to_string(),
    );
    parts.push(by_stage(&deals));
    parts.push("By expected close quarter:".to_string());
    parts.push(by_quarter(&deals));
    parts.push(total_line(&deals));
    parts.join("\n\n")
}

fn by_stage(deals: &[&Deal]) -> String {
    let mut table = Table::new(&[
        ("Stage", Align::Left),
        ("Deals", Align::Right),
        ("Amount", Align::Right),
        ("Win probability", Align::Right),
        ("Weighted", Align::Right),
    ]);
    for stage in Stage::OPEN {
        let in_stage: Vec<&Deal> = deals.iter().copied().filter(|d| d.stage == stage).collect();
        let (amount, weighted) = sums(&in_stage);
        table.row(vec![
            stage.label().to_string(),
            in_stage.len().to_string(),
            usd(amount),
            format!("{}%", stage.win_probability_percent()),
            usd(weighted),
        ]);
    }
    let (amount, weighted) = sums(deals);
    table.row(vec![
        "**Total**".to_string(),
        format!("**{}**", deals.len()),
        format!("**{}**", usd(amount)),
        String::new(),
        format!("**{}**", usd(weighted)),
    ]);
    table.render()
}

fn by_quarter(deals: &[&Deal]) -> String {
    let mut quarters: Vec<Quarter> = deals.iter().map(|d| Quarter::of(d.close_date)).collect();
    quarters.sort();
    quarters.dedup();
    let mut table = Table::new(&[
        ("Quarter", Align::Left),
        ("Deals", Align::Right),
        ("Amount", Align::Right),
        ("Weighted", Align::Right),
    ]);
    for quarter in quarters {
        let in_quarter: Vec<&Deal> = deals
            .iter()
            .copied()
            .filter(|d| quarter.contains(d.close_date))
            .collect();
        let (amount, weighted) = sums(&in_quarter);
        table.row(vec![
            quarter.to_string(),
            in_quarter.len().to_string(),
            usd(amount),
            usd(weighted),
        ]);
    }
    table.render()
}

fn total_line(deals: &[&Deal]) -> String {
    let (amount, weighted) = sums(deals);
    format!(
        "**Total pipeline:** {} across {}; weighted pipeline {}.",
        usd(amount),
        count(deals.len(), "open deal", "open deals"),
        usd(weighted)
    )
}

/// Total amount and total weighted amount.
fn sums(deals: &[&Deal]) -> (u64, u64) {
    (
        deals.iter().map(|d| d.amount_usd).sum(),
        deals.iter().map(|d| d.weighted_usd()).sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q4() -> Quarter {
        Quarter::new(2026, 4).unwrap()
    }

    /// The table row that starts with `label`, split into cells.
    fn row<'a>(answer: &'a str, label: &str) -> Vec<&'a str> {
        let line = answer
            .lines()
            .find(|l| l.starts_with(&format!("| {label} |")))
            .unwrap_or_else(|| panic!("no {label} row in {answer}"));
        line.trim_matches('|').split(" | ").map(str::trim).collect()
    }

    #[test]
    fn q4_pipeline_totals_equal_the_sum_of_the_open_q4_amounts() {
        let data = CrmData::bundled();
        let answer = render(PipelineScope::Quarter(q4()), &data);
        assert!(answer.starts_with("**Pipeline Analysis for Q4 2026**"));

        let open_q4: Vec<&Deal> = data
            .deals
            .iter()
            .filter(|d| d.stage.is_open() && q4().contains(d.close_date))
            .collect();
        let total: u64 = open_q4.iter().map(|d| d.amount_usd).sum();
        let weighted: u64 = open_q4.iter().map(|d| d.weighted_usd()).sum();
        let total_row = row(&answer, "**Total**");
        assert_eq!(total_row[1], format!("**{}**", open_q4.len()));
        assert_eq!(total_row[2], format!("**{}**", usd(total)));
        assert_eq!(total_row[4], format!("**{}**", usd(weighted)));

        let mut stage_sum = 0;
        for stage in Stage::OPEN {
            let in_stage: Vec<&&Deal> = open_q4.iter().filter(|d| d.stage == stage).collect();
            let amount: u64 = in_stage.iter().map(|d| d.amount_usd).sum();
            let cells = row(&answer, stage.label());
            assert_eq!(cells[1], in_stage.len().to_string(), "{stage:?}");
            assert_eq!(cells[2], usd(amount), "{stage:?}");
            stage_sum += amount;
        }
        assert_eq!(stage_sum, total);
    }

    #[test]
    fn the_whole_pipeline_adds_up_across_quarters() {
        let data = CrmData::bundled();
        let answer = render(PipelineScope::AllOpen, &data);
        let open: Vec<&Deal> = data.deals.iter().filter(|d| d.stage.is_open()).collect();
        let total: u64 = open.iter().map(|d| d.amount_usd).sum();
        assert!(answer.contains(&format!(
            "**Total pipeline:** {} across {} open deals",
            usd(total),
            open.len()
        )));
        assert!(answer.contains("| Q4 2026 |") && answer.contains("| Q1 2027 |"));
        assert!(
            !answer.contains("| Q3 2026 |"),
            "no open deals closed in the past"
        );
    }

    #[test]
    fn a_past_quarter_has_no_open_pipeline_and_says_what_closed() {
        let answer = render(
            PipelineScope::Quarter(Quarter::new(2026, 3).unwrap()),
            &CrmData::bundled(),
        );
        assert!(
            answer.contains("No open deals in the sample data are expected to close in Q3 2026.")
        );
        assert!(answer.contains("Closed in Q3 2026: "));
    }
}
