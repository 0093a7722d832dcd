//! Where a webhook goes. Every answer gets a category ([`classify`], over the words of
//! [`vocabulary`]); `WEBHOOK_URL` takes every answer whatever its category (seed 001);
//! without it, the answer goes to its category's URL, falling back to
//! `GENERAL_WEBHOOK_URL` (seed 000).

mod classifier;
pub mod vocabulary;

pub use classifier::classify;

use crate::Category;

/// The variable that names the webhook URL for answers of `category`.
pub fn url_variable(category: Category) -> &'static str {
    match category {
        Category::DealAnalysis => "DEAL_ANALYSIS_WEBHOOK_URL",
        Category::DataAnalysis => "DATA_ANALYSIS_WEBHOOK_URL",
        Category::LeadAnalysis => "LEAD_ANALYSIS_WEBHOOK_URL",
        Category::General => "GENERAL_WEBHOOK_URL",
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

    /// The URL for an answer of `category`, if any is configured.
    pub fn url_for(&self, category: Category) -> Option<&str> {
        if let Some(url) = &self.webhook_url {
            return Some(url);
        }
        let routed = match category {
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
    fn webhook_url_wins_then_category_then_general() {
        let targets = DeliveryTargets {
            deal_analysis: Some("https://deals".into()),
            general: Some("https://general".into()),
            ..DeliveryTargets::default()
        };
        assert_eq!(
            targets.url_for(Category::DealAnalysis),
            Some("https://deals")
        );
        assert_eq!(
            targets.url_for(Category::DataAnalysis),
            Some("https://general")
        );
        assert_eq!(targets.url_for(Category::General), Some("https://general"));
        let single = DeliveryTargets {
            webhook_url: Some("https://all".into()),
            ..targets
        };
        for category in Category::ALL {
            assert_eq!(single.url_for(category), Some("https://all"));
            assert_eq!(DeliveryTargets::default().url_for(category), None);
        }
    }
}
