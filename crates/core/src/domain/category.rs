//! The routing category of an answer (seed 000's `header` and `target_webhook`): which of
//! the per-category webhook URLs it goes to. The processor works it out once, when the
//! agent answers, and it stays on the record.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The kinds of answer seed 000 routes apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Deal status, stages, MEDDPICC, opportunities (`DEAL_ANALYSIS_WEBHOOK_URL`).
    DealAnalysis,
    /// Revenue, forecasts, pipeline, metrics (`DATA_ANALYSIS_WEBHOOK_URL`).
    DataAnalysis,
    /// Leads, prospects, qualification, outreach (`LEAD_ANALYSIS_WEBHOOK_URL`).
    LeadAnalysis,
    /// Anything else (`GENERAL_WEBHOOK_URL`).
    General,
}

impl Category {
    /// Every category, in the order that breaks a tie between them.
    pub const ALL: [Category; 4] = [
        Category::DealAnalysis,
        Category::DataAnalysis,
        Category::LeadAnalysis,
        Category::General,
    ];

    /// The wire name (`deal_analysis`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::DealAnalysis => "deal_analysis",
            Category::DataAnalysis => "data_analysis",
            Category::LeadAnalysis => "lead_analysis",
            Category::General => "general",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category {0:?} (expected deal_analysis, data_analysis, lead_analysis or general)")]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|category| category.as_str() == text)
            .ok_or_else(|| UnknownCategory(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_read_back_and_match_serde() {
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>(), Ok(category));
            assert_eq!(
                serde_json::to_value(category).unwrap(),
                serde_json::json!(category.as_str())
            );
        }
        assert!("deals".parse::<Category>().is_err());
    }
}
