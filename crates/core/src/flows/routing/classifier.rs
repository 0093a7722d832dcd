//! Which category an answer belongs to, from the words of the question and the answer
//! ([`super::vocabulary`]). Deterministic: the same question and answer always give the
//! same category.
//!
//! The question says what was asked, so it decides first: the category whose terms it
//! uses most, a tie settled by the answer's count and then by the table's order. A
//! question that uses no term leaves it to the answer, which must point one way clearly
//! (at least two hits, and at least twice the runner-up's): an answer that lists
//! everything it could talk about ("I cannot answer that; ask me about deals, pipeline,
//! leads") is `general`, not whichever list came first.

use super::vocabulary::VOCABULARY;
use crate::Category;
use std::{collections::HashMap, sync::LazyLock};

/// Hits per routed category, in [`VOCABULARY`]'s order.
type Hits = [usize; VOCABULARY.len()];

/// A term split into words, and the slot of its category in [`VOCABULARY`].
type Term = (Vec<&'static str>, usize);

/// Each term, found by its first word.
static TERMS_BY_FIRST_WORD: LazyLock<HashMap<&'static str, Vec<Term>>> = LazyLock::new(|| {
    let mut index: HashMap<&str, Vec<Term>> = HashMap::new();
    for (slot, terms) in VOCABULARY.iter().enumerate() {
        for term in terms.terms {
            let words: Vec<&str> = term.split(' ').collect();
            index.entry(words[0]).or_default().push((words, slot));
        }
    }
    index
});

/// The category of an answer to `query`.
pub fn classify(query: &str, answer: &str) -> Category {
    let asked = hits(query);
    let answered = hits(answer);
    let top = asked.iter().copied().max().unwrap_or(0);
    if top > 0 {
        // The first of the question's leaders with the most hits in the answer.
        let leaders = (0..asked.len()).filter(|&slot| asked[slot] == top);
        let best = leaders.fold(None, |best: Option<usize>, slot| match best {
            Some(current) if answered[current] >= answered[slot] => Some(current),
            _ => Some(slot),
        });
        return best.map_or(Category::General, |slot| VOCABULARY[slot].category);
    }
    clear_winner(&answered).map_or(Category::General, |slot| VOCABULARY[slot].category)
}

/// The category an answer points to clearly: at least two hits and at least twice as
/// many as any other.
fn clear_winner(hits: &Hits) -> Option<usize> {
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&slot| std::cmp::Reverse(hits[slot]));
    let (first, second) = (hits[order[0]], hits[order[1]]);
    (first >= 2 && first >= 2 * second).then_some(order[0])
}

/// How many times each category's terms occur in `text`, as whole words.
fn hits(text: &str) -> Hits {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut hits = [0; VOCABULARY.len()];
    for start in 0..words.len() {
        let Some(terms) = TERMS_BY_FIRST_WORD.get(words[start].as_str()) else {
            continue;
        };
        for (term, slot) in terms {
            let rest = &words[start..];
            if rest.len() >= term.len() && term.iter().zip(rest).all(|(t, w)| t == w) {
                hits[*slot] += 1;
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_questions_take_their_categories() {
        let cases = [
            ("What is the deal status for IXIS?", Category::DealAnalysis),
            ("Show me pipeline analysis for Q4", Category::DataAnalysis),
            ("Which leads need outreach?", Category::LeadAnalysis),
            ("What is the weather in Lisbon?", Category::General),
        ];
        for (query, expected) in cases {
            assert_eq!(classify(query, ""), expected, "{query}");
        }
    }

    #[test]
    fn a_term_inside_another_word_does_not_count() {
        // "sql" in PostgreSQL, "lead" in misleading and leadership, "deal" in ideal,
        // "arr" in arrange, "stage" in backstage, "q4" in q42.
        let query =
            "Is PostgreSQL misleading our leadership? An ideal way to arrange backstage q42";
        assert_eq!(hits(query), [0, 0, 0]);
        assert_eq!(classify(query, ""), Category::General);
    }

    #[test]
    fn case_and_punctuation_do_not_matter_and_phrases_match_words_in_a_row() {
        assert_eq!(hits("DEAL-status: MEDDPICC!"), [4, 0, 0]);
        assert_eq!(hits("win, rate"), [0, 1, 0], "a phrase spans punctuation");
        assert_eq!(hits("the rate of wins"), [0, 0, 0]);
    }

    #[test]
    fn the_question_decides_before_the_answer() {
        let answer = "Deals: Acme, Initech, Globex. Stage: Negotiate. Deal stage: Proposal.";
        assert_eq!(
            classify("Show me pipeline analysis for Q4", answer),
            Category::DataAnalysis
        );
    }

    #[test]
    fn a_tie_in_the_question_goes_to_the_answer_then_to_the_tables_order() {
        let query = "Which deals close in Q4?";
        assert_eq!(hits(query), [1, 1, 0]);
        assert_eq!(
            classify(query, "Revenue forecast by quarter"),
            Category::DataAnalysis
        );
        assert_eq!(classify(query, ""), Category::DealAnalysis);
    }

    #[test]
    fn an_answer_decides_only_when_it_points_one_way() {
        let question = "Tell me about IXIS";
        assert_eq!(
            classify(question, "IXIS: deal at stage Negotiate, next step a call"),
            Category::DealAnalysis
        );
        let menu = "I cannot answer that. Ask me for a deal status, a pipeline analysis \
                    for a quarter, or the leads that need outreach.";
        assert_eq!(classify(question, menu), Category::General);
        assert_eq!(classify(question, "One lead."), Category::General);
    }
}
