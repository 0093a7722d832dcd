//! The built-in demo agent: answers a few RevOps questions from bundled sample CRM data.
//!
//! The local host uses it when there is no AWS account (and so no Bedrock agent) to ask.
//! It never calls out and never fails: it classifies the question ([`intent`]), and
//! renders the answer from the bundled, fictional data set ([`data`]) as markdown
//! ([`answers`]). Answers are deterministic: the data has a fixed "as of" day, so the
//! same question always gets the same text; only [`AgentAnswer::answered_at`] varies.
//! Every answer says it comes from the demo agent and its sample data.
//!
//! It understands:
//! - "What is the deal status for IXIS?" (any account in the data),
//! - "What deals are closing this quarter?" (or "…in Q1 2027", "…next quarter"),
//! - "Show me pipeline analysis for Q4" (Q1 to Q4, optionally with a year, or the
//!   whole open pipeline),
//! - "Show me the top leads" and "Which leads need outreach?",
//! - "What can you do?";
//!
//! and says plainly that it cannot answer anything else.
//!
//! Like the Bedrock agent, it reports its steps ([`steps`]): the manager reading the
//! question, and the sub-agent that answers it reading the data, so the local trace
//! shows them under the agent call and the status lists the agents used.

pub mod answers;
pub mod data;
pub mod intent;
pub mod money;
pub mod quarter;
pub mod steps;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_telemetry::agent_steps::{AgentStep, agents_used, record_steps};

pub use data::CrmData;

/// How hosts name the demo agent, e.g. in their start-up log line.
pub const DEMO_AGENT_NAME: &str = "demo agent (bundled sample CRM data)";

/// The demo agent: answers from the bundled sample CRM data.
#[derive(Debug, Clone)]
pub struct DemoAgent {
    data: CrmData,
}

impl DemoAgent {
    /// The demo agent over the bundled data set (parsed once, here).
    pub fn new() -> Self {
        Self::with_data(CrmData::bundled())
    }

    /// A demo agent over another data set (for tests and experiments).
    pub fn with_data(data: CrmData) -> Self {
        Self { data }
    }

    /// The data it answers from.
    pub fn data(&self) -> &CrmData {
        &self.data
    }

    /// The markdown answer to `query`: the same query always gets the same text.
    pub fn respond(&self, query: &str) -> String {
        self.respond_with_steps(query).0
    }

    /// The answer to `query`, and the steps taken to it.
    pub fn respond_with_steps(&self, query: &str) -> (String, Vec<AgentStep>) {
        let started = Utc::now();
        let intent = intent::classify(query, &self.data);
        let classified = Utc::now();
        let answer = answers::render(&intent, &self.data);
        let steps = steps::taken(&intent, started, classified, Utc::now());
        (answer, steps)
    }
}

impl Default for DemoAgent {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Agent for DemoAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        if question.query.trim().is_empty() {
            return Err(AgentError::Rejected("the question is empty".to_string()));
        }
        let (response, steps) = self.respond_with_steps(&question.query);
        record_steps(&tracing::Span::current(), &steps, 0);
        let answered_at = Utc::now();
        Ok(AgentAnswer {
            response,
            session_id: session_id(question, answered_at.date_naive()),
            answered_at,
            agents_used: agents_used(&steps),
            usage: None,
        })
    }
}

/// The question's session id if it named one; otherwise a new one,
/// `webhook_YYYYMMDD_<first 8 hex digits of the tracking id>`, dated `today`.
pub fn session_id(question: &AgentQuestion, today: NaiveDate) -> String {
    if let Some(session_id) = &question.session_id {
        return session_id.clone();
    }
    let tracking_id = question.tracking_id.to_string();
    let prefix: String = tracking_id.chars().take(8).collect();
    format!("webhook_{}_{prefix}", today.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use revops_core::TrackingId;

    fn question(query: &str, session_id: Option<&str>) -> AgentQuestion {
        AgentQuestion {
            tracking_id: "e7aeb7e9-5382-41a5-b858-f8010978cd26".parse().unwrap(),
            query: query.to_string(),
            session_id: session_id.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn answers_the_ixis_seed_question() {
        let answer = DemoAgent::new()
            .ask(&question("What is the deal status for IXIS?", None))
            .await
            .unwrap();
        assert!(answer.response.starts_with("**Deal Status for IXIS**\n\n"));
        assert!(answer.response.contains("**Stage:** Negotiate"));
        assert!(
            answer
                .response
                .ends_with("_Demo agent — answers from bundled sample CRM data as of 2026-11-15._")
        );
    }

    #[tokio::test]
    async fn the_same_question_twice_gets_the_same_response() {
        let agent = DemoAgent::new();
        for query in [
            "What is the deal status for IXIS?",
            "What deals are closing this quarter?",
            "Show me pipeline analysis for Q4",
            "Show me the top leads",
            "Which leads need outreach?",
            "What is the meaning of life?",
        ] {
            let first = agent.ask(&question(query, None)).await.unwrap();
            let second = agent.ask(&question(query, None)).await.unwrap();
            assert_eq!(first.response, second.response, "{query}");
            assert_eq!(DemoAgent::new().respond(query), first.response, "{query}");
        }
    }

    #[tokio::test]
    async fn an_unknown_question_gets_the_plain_cannot_answer_answer() {
        let answer = DemoAgent::new()
            .ask(&question("What's the weather in Paris tomorrow?", None))
            .await
            .unwrap();
        assert!(answer.response.contains("I am the demo agent"));
        assert!(answer.response.contains("cannot answer that question"));
        assert!(
            answer
                .response
                .contains("What is the deal status for IXIS?")
        );
        assert!(
            !answer.response.contains("Paris"),
            "it repeats nothing made up"
        );
    }

    #[tokio::test]
    async fn echoes_a_given_session_id() {
        let answer = DemoAgent::new()
            .ask(&question("Show me the top leads", Some("webhook_1")))
            .await
            .unwrap();
        assert_eq!(answer.session_id, "webhook_1");
    }

    #[tokio::test]
    async fn makes_a_dated_session_id_from_the_tracking_id_otherwise() {
        let before = Utc::now().date_naive();
        let answer = DemoAgent::new()
            .ask(&question("Show me the top leads", None))
            .await
            .unwrap();
        let after = Utc::now().date_naive();
        let expected: Vec<String> = [before, after]
            .iter()
            .map(|day| format!("webhook_{}_e7aeb7e9", day.format("%Y%m%d")))
            .collect();
        assert!(
            expected.contains(&answer.session_id),
            "{}",
            answer.session_id
        );
        // The session id is dated by the same instant as the answer.
        let dated = NaiveDate::parse_from_str(&answer.session_id[8..16], "%Y%m%d").unwrap();
        assert_eq!(dated, answer.answered_at.date_naive());
    }

    #[test]
    fn session_ids_use_the_given_day_and_the_tracking_id_prefix() {
        let day = NaiveDate::from_ymd_opt(2025, 8, 13).unwrap();
        let mut q = question("x", None);
        assert_eq!(session_id(&q, day), "webhook_20250813_e7aeb7e9");
        q.tracking_id = TrackingId::new();
        let id = session_id(&q, day);
        assert_eq!(id.len(), "webhook_20250813_".len() + 8);
        assert!(id[17..].chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[tokio::test]
    async fn an_empty_question_is_rejected_for_good() {
        let error = DemoAgent::new()
            .ask(&question("   ", None))
            .await
            .unwrap_err();
        assert!(matches!(error, AgentError::Rejected(_)));
        assert!(!error.is_retryable());
    }

    #[test]
    fn the_name_says_it_is_a_demo() {
        assert!(DEMO_AGENT_NAME.contains("demo"));
    }
}
