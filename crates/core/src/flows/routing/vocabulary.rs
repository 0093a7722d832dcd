//! The words and phrases that mark each routing category: data, read by the classifier
//! ([`super::classify`]) and listed in the README. Each term is lower-case; a term of
//! several words is a phrase and matches those words in a row. A term matches whole
//! words only, so `sql` is not found in "PostgreSQL" nor `lead` in "misleading"; plural
//! and other forms are listed where they mean the same.

use crate::Category;

/// A category and the terms that speak for it.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    /// The category the terms speak for.
    pub category: Category,
    /// Its words and phrases.
    pub terms: &'static [&'static str],
}

/// Seed 000's three routed categories and their terms, in the order that breaks a tie.
/// `general` has none: it is what is left.
pub const VOCABULARY: [Terms; 3] = [
    Terms {
        category: Category::DealAnalysis,
        terms: &[
            "deal",
            "deals",
            "deal status",
            "status",
            "meddpicc",
            "opportunity",
            "opportunities",
            "stage",
            "stages",
            "negotiate",
            "negotiation",
            "negotiating",
            "closing",
            "close date",
            "next step",
            "next steps",
            "champion",
            "economic buyer",
            "decision criteria",
            "paper process",
        ],
    },
    Terms {
        category: Category::DataAnalysis,
        terms: &[
            "revenue",
            "forecast",
            "forecasts",
            "forecasting",
            "analytics",
            "metric",
            "metrics",
            "kpi",
            "kpis",
            "pipeline",
            "pipeline analysis",
            "quarter",
            "quarterly",
            "q1",
            "q2",
            "q3",
            "q4",
            "trend",
            "trends",
            "arr",
            "mrr",
            "bookings",
            "win rate",
            "conversion rate",
            "year over year",
        ],
    },
    Terms {
        category: Category::LeadAnalysis,
        terms: &[
            "lead",
            "leads",
            "lead score",
            "prospect",
            "prospects",
            "prospecting",
            "qualification",
            "qualify",
            "qualified",
            "outreach",
            "follow up",
            "inbound",
            "mql",
            "mqls",
            "sql",
            "sqls",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn terms_are_lower_case_single_spaced_and_each_in_one_category() {
        let mut seen = HashSet::new();
        for Terms { category, terms } in VOCABULARY {
            assert_ne!(category, Category::General, "general is what is left");
            for term in terms {
                assert_eq!(*term, term.to_lowercase(), "{term:?} is not lower-case");
                let words: Vec<&str> = term.split(' ').collect();
                assert!(
                    words
                        .iter()
                        .all(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric)),
                    "{term:?} must be words of letters and digits, one space apart"
                );
                assert!(seen.insert(*term), "{term:?} is listed twice");
            }
        }
    }

    #[test]
    fn the_readme_lists_every_term() {
        let readme = include_str!("../../../../../README.md");
        for Terms { category, terms } in VOCABULARY {
            let row = format!("| `{category}` | {} |", terms.join(", "));
            assert!(
                readme.contains(&row),
                "README.md's routing table should have the row\n{row}"
            );
        }
    }
}
