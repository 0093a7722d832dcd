//! Where a webhook goes. `WEBHOOK_URL` takes every answer (seed 001); without it, the
//! answer is classified as seed 000 does and sent to that category's URL, falling back to
//! `GENERAL_WEBHOOK_URL`.

use std::fmt;

/// The kinds of answer seed 000 routes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// Deal status, stages, MEDDPICC, opportunities.
    DealAnalysis,
    /// Revenue, forecasts, metrics, analytics.
    DataAnalysis,
    /// Leads, prospects, qualification, outreach.
    LeadAnalysis,
    /// Anything else.
    General,
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Category::DealAnalysis => "deal_analysis",
            Category::DataAnalysis => "data_analysis",
            Category::LeadAnalysis => "lead_analysis",
            Category::General => "general",
        })
    }
}

const DEAL_WORDS: &[&str] = &[
    "deal",
    "status",
    "meddpicc",
    "opportunity",
    "stage",
    "negotiat",
    "closing",
];
const DATA_WORDS: &[&str] = &[
    "revenue",
    "forecast",
    "analytics",
    "metric",
    "pipeline",
    "quarter",
    "trend",
];
const LEAD_WORDS: &[&str] = &[
    "lead", "prospect", "qualif", "outreach", "inbound", "mql", "sql",
];

impl Category {
    /// Classifies a question and its answer by the words they use most.
    pub fn classify(query: &str, answer: &str) -> Self {
        let text = format!("{query}\n{answer}").to_lowercase();
        let score =
            |words: &[&str]| -> usize { words.iter().map(|w| text.matches(w).count()).sum() };
        let scores = [
            (Category::DealAnalysis, score(DEAL_WORDS)),
            (Category::DataAnalysis, score(DATA_WORDS)),
            (Category::LeadAnalysis, score(LEAD_WORDS)),
        ];
        let best = scores
            .iter()
            .fold((Category::General, 0), |best, &(category, score)| {
                if score > best.1 {
                    (category, score)
                } else {
                    best
                }
            });
        best.0
    }
}

/// The configured webhook URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryTargets {
    /// `WEBHOOK_URL`: every answer goes here when set.
    pub webhook_url: Option<String>,
    /// `DEAL_ANALYSIS_WEBHOOK_URL`.
    pub deal_analysis: Option<String>,
    /// `DATA_ANALYSIS_WEBHOOK_URL`.
    pub data_analysis: Option<String>,
    /// `LEAD_ANALYSIS_WEBHOOK_URL`.
    pub lead_analysis: Option<String>,
    /// `GENERAL_WEBHOOK_URL`: the fallback of the category routes.
    pub general: Option<String>,
}

impl DeliveryTargets {
    /// Every answer to one URL.
    pub fn single(url: impl Into<String>) -> Self {
        Self {
            webhook_url: Some(url.into()),
            ..Self::default()
        }
    }

    /// Whether any URL is configured.
    pub fn is_empty(&self) -> bool {
        self.webhook_url.is_none()
            && self.deal_analysis.is_none()
            && self.data_analysis.is_none()
            && self.lead_analysis.is_none()
            && self.general.is_none()
    }

    /// Every configured URL, for checks at start-up.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        [
            &self.webhook_url,
            &self.deal_analysis,
            &self.data_analysis,
            &self.lead_analysis,
            &self.general,
        ]
        .into_iter()
        .filter_map(|url| url.as_deref())
    }

    /// The URL for this question and answer, if any is configured.
    pub fn target_for(&self, query: &str, answer: &str) -> Option<&str> {
        if let Some(url) = &self.webhook_url {
            return Some(url);
        }
        let routed = match Category::classify(query, answer) {
            Category::DealAnalysis => &self.deal_analysis,
            Category::DataAnalysis => &self.data_analysis,
            Category::LeadAnalysis => &self.lead_analysis,
            Category::General => &None,
        };
        routed.as_deref().or(self.general.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_as_seed_000_describes() {
        assert_eq!(
            Category::classify("What is the deal status for IXIS?", "Stage: Negotiate"),
            Category::DealAnalysis
        );
        assert_eq!(
            Category::classify("Revenue forecast?", "Forecast by quarter"),
            Category::DataAnalysis
        );
        assert_eq!(
            Category::classify("Which leads need outreach?", "Three prospects"),
            Category::LeadAnalysis
        );
        assert_eq!(Category::classify("Hello", "Hi there"), Category::General);
    }

    #[test]
    fn webhook_url_wins_then_category_then_general() {
        let targets = DeliveryTargets {
            deal_analysis: Some("https://deals".into()),
            general: Some("https://general".into()),
            ..DeliveryTargets::default()
        };
        assert_eq!(
            targets.target_for("deal status?", ""),
            Some("https://deals")
        );
        assert_eq!(targets.target_for("revenue?", ""), Some("https://general"));
        let single = DeliveryTargets {
            webhook_url: Some("https://all".into()),
            ..targets
        };
        assert_eq!(single.target_for("deal status?", ""), Some("https://all"));
        assert_eq!(DeliveryTargets::default().target_for("x", "y"), None);
    }
}
