//! What the demo agent says when it cannot answer, and what it can answer.

use crate::data::CrmData;

/// The plain "I cannot answer that" answer, with what it can answer.
pub(super) fn cannot_answer(data: &CrmData) -> String {
    format!(
        "**The demo agent cannot answer that**\n\n\
         I am the demo agent: I answer only from a small bundled set of sample CRM data, \
         not a live CRM, and I cannot answer that question. Questions I can answer:\n\n{}",
        capabilities_list(data)
    )
}

/// What the demo agent can answer.
pub(super) fn capabilities(data: &CrmData) -> String {
    format!(
        "**What the demo agent can answer**\n\n\
         I am the demo agent: I answer only from a small bundled set of sample CRM data, \
         not a live CRM. Questions I can answer:\n\n{}",
        capabilities_list(data)
    )
}

/// A deal status was asked for, but for no account in the data.
pub(super) fn unknown_account(data: &CrmData) -> String {
    format!(
        "**Deal Status**\n\n\
         I am the demo agent, and the sample CRM data has no deal for an account named in \
         your question, so I cannot give its status.\n\n{}",
        accounts_line(data)
    )
}

fn capabilities_list(data: &CrmData) -> String {
    let quarter = data.as_of_quarter();
    let next = quarter.next();
    [
        "- **Deal status** for an account: \"What is the deal status for IXIS?\"".to_string(),
        format!(
            "- **Deals closing this quarter** ({quarter}): \"What deals are closing this quarter?\" \
             or \"Which deals close in {next}?\""
        ),
        format!(
            "- **Pipeline analysis** by stage: \"Show me pipeline analysis for Q{}\" \
             (Q1 to Q4, optionally with a year such as \"{next}\"), or \"Show me the pipeline\" \
             for every open deal",
            quarter.number()
        ),
        "- **Leads** ranked by score: \"Show me the top leads\" or \"Which leads need outreach?\""
            .to_string(),
        String::new(),
        accounts_line(data),
    ]
    .join("\n")
}

fn accounts_line(data: &CrmData) -> String {
    let mut accounts = data.account_names();
    accounts.sort_by_key(|name| name.to_lowercase());
    format!("Accounts in the sample data: {}.", accounts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cannot_answer_says_it_is_the_demo_agent_and_lists_what_it_can_answer() {
        let answer = cannot_answer(&CrmData::bundled());
        assert!(answer.starts_with("**The demo agent cannot answer that**"));
        assert!(answer.contains("I am the demo agent"));
        assert!(answer.contains("cannot answer that question"));
        for example in [
            "What is the deal status for IXIS?",
            "What deals are closing this quarter?",
            "Show me pipeline analysis for Q4",
            "Show me the top leads",
            "Which leads need outreach?",
        ] {
            assert!(answer.contains(example), "{example}");
        }
    }

    #[test]
    fn unknown_account_lists_the_accounts_it_knows() {
        let data = CrmData::bundled();
        let answer = unknown_account(&data);
        assert!(answer.contains("no deal for an account named in your question"));
        for account in data.account_names() {
            assert!(answer.contains(account), "{account}");
        }
    }
}
