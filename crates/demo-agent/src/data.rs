//! The bundled sample CRM data set: its types and how it is loaded.
//!
//! The data is fictional. It has a fixed "as of" date, so that "this quarter" and
//! "in 27 days" mean the same thing whenever the demo runs.

use crate::quarter::Quarter;
use chrono::NaiveDate;
use serde::Deserialize;

/// The bundled data set, compiled into the binary.
pub const BUNDLED_CRM_JSON: &str = include_str!("../data/crm.json");

/// A sample CRM: deals and leads, as of one day.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrmData {
    /// The day the data describes; "this quarter" is this day's quarter.
    pub as_of: NaiveDate,
    /// The deals (opportunities), open and closed.
    pub deals: Vec<Deal>,
    /// The leads.
    pub leads: Vec<Lead>,
}

impl CrmData {
    /// Parses a data set from its JSON form.
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The bundled data set.
    ///
    /// # Panics
    ///
    /// Never in practice: a unit test proves the bundled file parses.
    pub fn bundled() -> Self {
        Self::parse(BUNDLED_CRM_JSON).expect("the bundled data/crm.json parses (unit-tested)")
    }

    /// The quarter of the "as of" day: what "this quarter" means.
    pub fn as_of_quarter(&self) -> Quarter {
        Quarter::of(self.as_of)
    }

    /// The open deals expected to close in `quarter`, soonest first.
    pub fn open_deals_closing_in(&self, quarter: Quarter) -> Vec<&Deal> {
        self.deals_in(quarter, true)
    }

    /// The won or lost deals that closed in `quarter`, earliest first.
    pub fn closed_deals_in(&self, quarter: Quarter) -> Vec<&Deal> {
        self.deals_in(quarter, false)
    }

    fn deals_in(&self, quarter: Quarter, open: bool) -> Vec<&Deal> {
        let mut deals: Vec<&Deal> = self
            .deals
            .iter()
            .filter(|d| d.stage.is_open() == open && quarter.contains(d.close_date))
            .collect();
        deals.sort_by(|a, b| (a.close_date, &a.name).cmp(&(b.close_date, &b.name)));
        deals
    }

    /// The distinct account names, in the order they first appear.
    pub fn account_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for deal in &self.deals {
            if !names.contains(&deal.account.as_str()) {
                names.push(&deal.account);
            }
        }
        names
    }
}

/// One deal (opportunity).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// The customer account.
    pub account: String,
    /// Other names a question may use for the account (e.g. "Northwind").
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The deal's own name.
    pub name: String,
    /// Where the deal stands.
    pub stage: Stage,
    /// Its value, in whole US dollars.
    pub amount_usd: u64,
    /// When it is expected to close, or closed.
    pub close_date: NaiveDate,
    /// The sales rep who owns it.
    pub owner: String,
    /// What happens next.
    pub next_step: String,
    /// Qualification notes, if the rep kept any.
    #[serde(default)]
    pub meddpicc: Option<Meddpicc>,
}

impl Deal {
    /// The amount weighted by the stage's win probability, in whole dollars (rounded).
    pub fn weighted_usd(&self) -> u64 {
        let percent = u64::from(self.stage.win_probability_percent());
        (self.amount_usd * percent + 50) / 100
    }
}

/// The stages of a deal, in the order deals move through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Stage {
    /// First contact; not yet qualified.
    Prospecting,
    /// Need, budget and timeline being confirmed.
    Qualification,
    /// A proposal is with the customer.
    Proposal,
    /// Terms and paperwork under negotiation.
    Negotiate,
    /// Won.
    #[serde(rename = "Closed Won")]
    ClosedWon,
    /// Lost.
    #[serde(rename = "Closed Lost")]
    ClosedLost,
}

impl Stage {
    /// The open stages, in pipeline order.
    pub const OPEN: [Stage; 4] = [
        Stage::Prospecting,
        Stage::Qualification,
        Stage::Proposal,
        Stage::Negotiate,
    ];

    /// The stage's name as a CRM shows it.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Prospecting => "Prospecting",
            Stage::Qualification => "Qualification",
            Stage::Proposal => "Proposal",
            Stage::Negotiate => "Negotiate",
            Stage::ClosedWon => "Closed Won",
            Stage::ClosedLost => "Closed Lost",
        }
    }

    /// Whether a deal in this stage is still open.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::ClosedWon | Stage::ClosedLost)
    }

    /// The chance of winning a deal in this stage, in percent (used for weighted pipeline).
    pub fn win_probability_percent(self) -> u8 {
        match self {
            Stage::Prospecting => 10,
            Stage::Qualification => 25,
            Stage::Proposal => 50,
            Stage::Negotiate => 75,
            Stage::ClosedWon => 100,
            Stage::ClosedLost => 0,
        }
    }
}

/// MEDDPICC qualification notes; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meddpicc {
    /// The measurable outcome the customer wants.
    pub metrics: Option<String>,
    /// Who signs.
    pub economic_buyer: Option<String>,
    /// How the customer will choose.
    pub decision_criteria: Option<String>,
    /// The steps to a decision.
    pub decision_process: Option<String>,
    /// The steps to a signed contract.
    pub paper_process: Option<String>,
    /// The pain the deal solves.
    pub identify_pain: Option<String>,
    /// Who sells for us inside the account.
    pub champion: Option<String>,
    /// Who or what we compete with.
    pub competition: Option<String>,
}

impl Meddpicc {
    /// The notes that are present, labelled, in MEDDPICC order.
    pub fn entries(&self) -> Vec<(&'static str, &str)> {
        [
            ("Metrics", &self.metrics),
            ("Economic buyer", &self.economic_buyer),
            ("Decision criteria", &self.decision_criteria),
            ("Decision process", &self.decision_process),
            ("Paper process", &self.paper_process),
            ("Identified pain", &self.identify_pain),
            ("Champion", &self.champion),
            ("Competition", &self.competition),
        ]
        .into_iter()
        .filter_map(|(label, text)| text.as_deref().map(|text| (label, text)))
        .collect()
    }
}

/// One lead.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    /// The person.
    pub name: String,
    /// Their company.
    pub company: String,
    /// Their job title.
    pub title: String,
    /// Where the lead came from.
    pub source: String,
    /// Where the lead stands.
    pub status: LeadStatus,
    /// Lead score, 0 to 100; higher is hotter.
    pub score: u8,
    /// When a rep last reached them, if ever.
    #[serde(default)]
    pub last_contacted: Option<NaiveDate>,
    /// The sales rep who owns the lead.
    pub owner: String,
}

/// Where a lead stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum LeadStatus {
    /// Not yet worked.
    New,
    /// A rep is working it.
    Working,
    /// Not ready; kept warm with content.
    Nurturing,
    /// Ready to become a deal.
    Qualified,
    /// Not a fit.
    Disqualified,
}

impl LeadStatus {
    /// The status's name as a CRM shows it.
    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::New => "New",
            LeadStatus::Working => "Working",
            LeadStatus::Nurturing => "Nurturing",
            LeadStatus::Qualified => "Qualified",
            LeadStatus::Disqualified => "Disqualified",
        }
    }

    /// Whether the lead is still worth working.
    pub fn is_open(self) -> bool {
        self != LeadStatus::Disqualified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_data_parses() {
        let data = CrmData::parse(BUNDLED_CRM_JSON).expect("bundled data parses");
        assert_eq!(data.as_of, NaiveDate::from_ymd_opt(2026, 11, 15).unwrap());
        assert!(data.deals.len() >= 24, "a few dozen deals");
        assert!(data.leads.len() >= 10, "a dozen or so leads");
        assert_eq!(CrmData::bundled(), data);
    }

    #[test]
    fn ixis_is_in_negotiate() {
        let data = CrmData::bundled();
        let ixis: Vec<&Deal> = data.deals.iter().filter(|d| d.account == "IXIS").collect();
        assert_eq!(ixis.len(), 1);
        assert_eq!(ixis[0].stage, Stage::Negotiate);
    }

    #[test]
    fn the_data_covers_several_quarters_and_every_stage() {
        let data = CrmData::bundled();
        let this_quarter = Quarter::of(data.as_of);
        let open_now = data
            .deals
            .iter()
            .filter(|d| d.stage.is_open() && this_quarter.contains(d.close_date))
            .count();
        let open_next = data
            .deals
            .iter()
            .filter(|d| d.stage.is_open() && this_quarter.next().contains(d.close_date))
            .count();
        assert!(open_now >= 5 && open_next >= 3);
        for stage in Stage::OPEN
            .into_iter()
            .chain([Stage::ClosedWon, Stage::ClosedLost])
        {
            assert!(data.deals.iter().any(|d| d.stage == stage), "{stage:?}");
        }
    }

    #[test]
    fn the_data_is_sane() {
        let data = CrmData::bundled();
        for deal in &data.deals {
            assert!(!deal.account.trim().is_empty() && !deal.name.trim().is_empty());
            assert!(deal.amount_usd > 0, "{}", deal.name);
            if deal.stage.is_open() {
                assert!(deal.close_date >= data.as_of, "{} is overdue", deal.name);
            } else {
                assert!(deal.close_date <= data.as_of, "{} closes later", deal.name);
            }
        }
        for lead in &data.leads {
            assert!(lead.score <= 100, "{}", lead.name);
            assert!(lead.last_contacted.is_none_or(|day| day <= data.as_of));
        }
    }

    #[test]
    fn an_unknown_field_is_an_error_not_silently_dropped() {
        let json = r#"{"as_of":"2026-11-15","deals":[],"leads":[],"extra":1}"#;
        assert!(CrmData::parse(json).is_err());
        let json = r#"{"as_of":"2026-11-15","deals":[],"leads":[]}"#;
        assert!(CrmData::parse(json).is_ok());
    }

    #[test]
    fn weighted_amount_follows_the_stage_probability() {
        let mut deal = CrmData::bundled().deals[0].clone();
        deal.amount_usd = 100_000;
        deal.stage = Stage::Proposal;
        assert_eq!(deal.weighted_usd(), 50_000);
        deal.stage = Stage::ClosedLost;
        assert_eq!(deal.weighted_usd(), 0);
    }
}
