//! Working out what a question asks for.
//!
//! The demo agent understands a handful of question shapes. Matching is on lower-cased
//! words, so punctuation and case do not matter; anything it does not recognise is
//! [`Intent::Unknown`], never a guess.

use crate::data::CrmData;
use crate::quarter::Quarter;

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// The deals of these accounts (names as in the data, in data order).
    DealStatus(Vec<String>),
    /// A deal status, but for no account the data knows.
    UnknownAccount,
    /// The open deals closing in a quarter.
    Closing(Quarter),
    /// Pipeline analysis.
    Pipeline(PipelineScope),
    /// Leads, ranked by score.
    Leads(LeadsQuery),
    /// What the demo agent can answer.
    Capabilities,
    /// Anything else.
    Unknown,
}

/// Which deals a pipeline analysis covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineScope {
    /// The open deals closing in one quarter.
    Quarter(Quarter),
    /// Every open deal.
    AllOpen,
}

/// Which leads to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadsQuery {
    /// Which leads qualify.
    pub filter: LeadFilter,
    /// At most this many, if the question said ("top 5 leads").
    pub limit: Option<usize>,
}

/// Which leads qualify for a leads answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadFilter {
    /// Every open lead.
    Top,
    /// Open leads nobody has reached lately.
    NeedOutreach,
}

const LEAD_WORDS: &[&str] = &[
    "lead",
    "leads",
    "prospect",
    "prospects",
    "mql",
    "mqls",
    "sql",
    "sqls",
];
const OUTREACH_WORDS: &[&str] = &[
    "outreach",
    "follow",
    "followup",
    "contact",
    "contacted",
    "reach",
    "stale",
    "attention",
    "untouched",
    "neglected",
];
const PIPELINE_WORDS: &[&str] = &["pipeline", "pipe", "forecast"];
const CLOSING_WORDS: &[&str] = &["closing"];
const CLOSE_WORDS: &[&str] = &["close", "closes"];
const DEAL_WORDS: &[&str] = &[
    "deal",
    "deals",
    "opportunity",
    "opportunities",
    "opp",
    "opps",
];
const STATUS_WORDS: &[&str] = &[
    "status",
    "deal",
    "account",
    "opportunity",
    "opp",
    "customer",
];
const HELP_WORDS: &[&str] = &["help", "capabilities"];

/// Classifies `query` against the data (which knows the account names).
pub fn classify(query: &str, data: &CrmData) -> Intent {
    let words = words(query);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));

    let accounts = mentioned_accounts(&words, data);
    if !accounts.is_empty() {
        return Intent::DealStatus(accounts);
    }
    if has(LEAD_WORDS) {
        let filter = if has(OUTREACH_WORDS) {
            LeadFilter::NeedOutreach
        } else {
            LeadFilter::Top
        };
        return Intent::Leads(LeadsQuery {
            filter,
            limit: requested_limit(&words),
        });
    }
    let quarter = quarter_named(&words, data.as_of_quarter());
    if has(PIPELINE_WORDS) {
        return Intent::Pipeline(quarter.map_or(PipelineScope::AllOpen, PipelineScope::Quarter));
    }
    if has(CLOSING_WORDS)
        || (has(CLOSE_WORDS) && (has(DEAL_WORDS) || quarter.is_some()))
        || (has(DEAL_WORDS) && quarter.is_some())
    {
        return Intent::Closing(quarter.unwrap_or(data.as_of_quarter()));
    }
    if has(STATUS_WORDS) {
        return Intent::UnknownAccount;
    }
    if has(HELP_WORDS) || contains_phrase(&words, &["what", "can", "you"]) {
        return Intent::Capabilities;
    }
    Intent::Unknown
}

/// The lower-cased words of `text`, split at anything not a letter or digit.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn contains_phrase(words: &[String], phrase: &[&str]) -> bool {
    !phrase.is_empty()
        && words
            .windows(phrase.len())
            .any(|window| window.iter().zip(phrase).all(|(w, p)| w == p))
}

/// The accounts whose name or an alias appears, as whole words, in the question.
fn mentioned_accounts(words: &[String], data: &CrmData) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for deal in &data.deals {
        if found.contains(&deal.account) {
            continue;
        }
        let named = std::iter::once(&deal.account)
            .chain(&deal.aliases)
            .any(|name| {
                let name_words = self::words(name);
                let phrase: Vec<&str> = name_words.iter().map(String::as_str).collect();
                contains_phrase(words, &phrase)
            });
        if named {
            found.push(deal.account.clone());
        }
    }
    found
}

/// "top 5 leads" or "5 leads" → 5.
fn requested_limit(words: &[String]) -> Option<usize> {
    words.windows(2).find_map(|pair| {
        let number = if pair[0] == "top" {
            &pair[1]
        } else if LEAD_WORDS.contains(&pair[1].as_str()) {
            &pair[0]
        } else {
            return None;
        };
        number
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
    })
}

/// The quarter a question names: "this quarter", "next quarter", "last quarter",
/// "fourth quarter", "Q4", "Q4 2026", "2026 Q4", "Q1 of 2027", "Q1 FY27", "Q1'27".
/// A quarter without a year is in the year of `current`.
pub(crate) fn quarter_named(words: &[String], current: Quarter) -> Option<Quarter> {
    for (i, word) in words.iter().enumerate() {
        let relative = match word.as_str() {
            "this" | "current" => Some(current),
            "next" | "coming" => Some(current.next()),
            "last" | "previous" | "prior" => Some(current.previous()),
            _ => None,
        };
        if let Some(quarter) = relative
            && words.get(i + 1).is_some_and(|w| w == "quarter")
        {
            return Some(quarter);
        }
        let number = quarter_number(word).or_else(|| {
            words
                .get(i + 1)
                .filter(|next| *next == "quarter")
                .and(ordinal_number(word))
        });
        if let Some(number) = number {
            let year = year_near(words, i).unwrap_or(current.year());
            return Quarter::new(year, number);
        }
    }
    None
}

/// "q4" → 4.
fn quarter_number(word: &str) -> Option<u8> {
    let digit = word.strip_prefix('q')?;
    digit.parse::<u8>().ok().filter(|n| (1..=4).contains(n))
}

fn ordinal_number(word: &str) -> Option<u8> {
    match word {
        "first" | "1st" => Some(1),
        "second" | "2nd" => Some(2),
        "third" | "3rd" => Some(3),
        "fourth" | "4th" => Some(4),
        _ => None,
    }
}

/// A year written just after (skipping "of", "fy", "quarter") or just before the quarter at `i`.
fn year_near(words: &[String], i: usize) -> Option<i32> {
    let after = words
        .iter()
        .skip(i + 1)
        .find(|w| !matches!(w.as_str(), "of" | "fy" | "quarter"))
        .and_then(|w| year(w));
    after.or_else(|| {
        i.checked_sub(1)
            .and_then(|before| words.get(before))
            .and_then(|w| four_digit_year(w))
    })
}

/// "2027", "fy2027", "fy27" or "27" → 2027.
fn year(word: &str) -> Option<i32> {
    let digits = word.strip_prefix("fy").unwrap_or(word);
    match digits.len() {
        2 => digits.parse::<i32>().ok().map(|y| 2000 + y),
        _ => four_digit_year(digits),
    }
}

fn four_digit_year(word: &str) -> Option<i32> {
    let digits = word.strip_prefix("fy").unwrap_or(word);
    if digits.len() != 4 {
        return None;
    }
    digits
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2999).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> CrmData {
        CrmData::bundled()
    }

    fn q(year: i32, number: u8) -> Quarter {
        Quarter::new(year, number).unwrap()
    }

    fn intent(query: &str) -> Intent {
        classify(query, &data())
    }

    #[test]
    fn the_seed_questions_are_understood() {
        assert_eq!(
            intent("What is the deal status for IXIS?"),
            Intent::DealStatus(vec!["IXIS".into()])
        );
        assert_eq!(
            intent("What deals are closing this quarter?"),
            Intent::Closing(q(2026, 4))
        );
        assert_eq!(
            intent("Show me pipeline analysis for Q4"),
            Intent::Pipeline(PipelineScope::Quarter(q(2026, 4)))
        );
    }

    #[test]
    fn accounts_match_whole_words_in_any_case_and_by_alias() {
        assert_eq!(
            intent("status of ixis please"),
            Intent::DealStatus(vec!["IXIS".into()])
        );
        assert_eq!(
            intent("How is the Northwind deal going?"),
            Intent::DealStatus(vec!["Northwind Traders".into()])
        );
        assert_eq!(
            intent("Compare Bluefin Analytics and IXIS"),
            Intent::DealStatus(vec!["IXIS".into(), "Bluefin Analytics".into()])
        );
        // "ixisting" is not IXIS.
        assert_eq!(intent("deal status for ixisting"), Intent::UnknownAccount);
    }

    #[test]
    fn every_account_in_the_data_is_recognised() {
        let data = data();
        for account in data.account_names() {
            let query = format!("What is the deal status for {}?", account.to_uppercase());
            assert_eq!(
                classify(&query, &data),
                Intent::DealStatus(vec![account.to_string()]),
                "{query}"
            );
        }
    }

    #[test]
    fn no_account_name_is_a_word_other_questions_use() {
        let data = data();
        let keywords: Vec<&str> = [
            LEAD_WORDS,
            OUTREACH_WORDS,
            PIPELINE_WORDS,
            CLOSING_WORDS,
            CLOSE_WORDS,
            DEAL_WORDS,
            STATUS_WORDS,
            HELP_WORDS,
        ]
        .concat();
        for deal in &data.deals {
            for name in std::iter::once(&deal.account).chain(&deal.aliases) {
                for word in words(name) {
                    assert!(!keywords.contains(&word.as_str()), "{name}");
                }
            }
        }
    }

    #[test]
    fn a_status_question_about_an_unknown_account_is_not_guessed() {
        assert_eq!(
            intent("What is the deal status for Globex?"),
            Intent::UnknownAccount
        );
    }

    #[test]
    fn quarters_are_read_in_many_spellings() {
        let now = q(2026, 4);
        let read = |text: &str| quarter_named(&words(text), now);
        assert_eq!(read("this quarter"), Some(now));
        assert_eq!(read("the current quarter"), Some(now));
        assert_eq!(read("next quarter"), Some(q(2027, 1)));
        assert_eq!(read("last quarter"), Some(q(2026, 3)));
        assert_eq!(read("Q1"), Some(q(2026, 1)));
        assert_eq!(read("Q1 2027"), Some(q(2027, 1)));
        assert_eq!(read("q1-2027"), Some(q(2027, 1)));
        assert_eq!(read("2027 Q2"), Some(q(2027, 2)));
        assert_eq!(read("Q2 of 2027"), Some(q(2027, 2)));
        assert_eq!(read("Q3 FY27"), Some(q(2027, 3)));
        assert_eq!(read("Q3'27"), Some(q(2027, 3)));
        assert_eq!(read("the first quarter of 2027"), Some(q(2027, 1)));
        assert_eq!(read("Q5"), None);
        assert_eq!(read("quarter"), None);
        assert_eq!(read("nothing here"), None);
    }

    #[test]
    fn pipeline_without_a_quarter_covers_every_open_deal() {
        assert_eq!(
            intent("How does the pipeline look?"),
            Intent::Pipeline(PipelineScope::AllOpen)
        );
        assert_eq!(
            intent("Pipeline for Q1 2027"),
            Intent::Pipeline(PipelineScope::Quarter(q(2027, 1)))
        );
        assert_eq!(
            intent("What is the forecast for next quarter?"),
            Intent::Pipeline(PipelineScope::Quarter(q(2027, 1)))
        );
    }

    #[test]
    fn closing_questions_name_their_quarter() {
        assert_eq!(
            intent("Which deals close in Q1 2027?"),
            Intent::Closing(q(2027, 1))
        );
        assert_eq!(intent("What's closing?"), Intent::Closing(q(2026, 4)));
        assert_eq!(
            intent("deals for next quarter"),
            Intent::Closing(q(2027, 1))
        );
    }

    #[test]
    fn lead_questions_are_understood() {
        assert_eq!(
            intent("Show me the top leads"),
            Intent::Leads(LeadsQuery {
                filter: LeadFilter::Top,
                limit: None
            })
        );
        assert_eq!(
            intent("Which leads need outreach?"),
            Intent::Leads(LeadsQuery {
                filter: LeadFilter::NeedOutreach,
                limit: None
            })
        );
        assert_eq!(
            intent("top 5 prospects"),
            Intent::Leads(LeadsQuery {
                filter: LeadFilter::Top,
                limit: Some(5)
            })
        );
        assert_eq!(
            intent("give me 3 leads to follow up"),
            Intent::Leads(LeadsQuery {
                filter: LeadFilter::NeedOutreach,
                limit: Some(3)
            })
        );
    }

    #[test]
    fn anything_else_is_unknown_or_a_request_for_help() {
        assert_eq!(intent("What's the weather in Paris?"), Intent::Unknown);
        assert_eq!(intent("Write me a poem"), Intent::Unknown);
        assert_eq!(intent("help"), Intent::Capabilities);
        assert_eq!(intent("What can you do?"), Intent::Capabilities);
    }
}
