//! The demo agent's steps, as the Bedrock agent reports its own: the manager reads the
//! question (a model invocation, here the intent classifier), then hands it to the
//! sub-agent for its kind of question, which reads the sample data (an action group).
//! Help and unknown questions the manager answers alone. No tokens are reported: no
//! model runs.

use crate::intent::Intent;
use chrono::{DateTime, Utc};
use revops_telemetry::agent_steps::{AgentStep, StepKind};

/// The orchestrator's name.
pub const MANAGER: &str = "DemoManagerAgent";
/// The sub-agent for deals and the pipeline.
pub const DEAL_ANALYSIS: &str = "DealAnalysisAgent";
/// The sub-agent for leads.
pub const LEAD_ANALYSIS: &str = "LeadAnalysisAgent";
/// The "model" that classifies the question.
pub const CLASSIFIER: &str = "demo-intent-classifier";
/// The action group that reads the data.
pub const DATA_ACTION: &str = "sample-crm-data";

/// The sub-agent that answers `intent`, if the manager does not answer it alone.
pub fn sub_agent(intent: &Intent) -> Option<&'static str> {
    match intent {
        Intent::DealStatus(_)
        | Intent::UnknownAccount
        | Intent::Closing(_)
        | Intent::Pipeline(_) => Some(DEAL_ANALYSIS),
        Intent::Leads(_) => Some(LEAD_ANALYSIS),
        Intent::Capabilities | Intent::Unknown => None,
    }
}

/// The steps of one answer: classified from `started` to `classified`, answered by
/// `answered`.
pub fn taken(
    intent: &Intent,
    started: DateTime<Utc>,
    classified: DateTime<Utc>,
    answered: DateTime<Utc>,
) -> Vec<AgentStep> {
    let mut planning = AgentStep::new(StepKind::ModelInvocation, MANAGER, started, classified);
    planning.model = Some(CLASSIFIER.to_owned());
    let mut steps = vec![planning];
    if let Some(agent) = sub_agent(intent) {
        let mut collaborator =
            AgentStep::new(StepKind::Collaborator, MANAGER, classified, answered);
        collaborator.target = agent.to_owned();
        steps.push(collaborator);
        let mut read = AgentStep::new(StepKind::ActionGroup, agent, classified, answered);
        read.target = DATA_ACTION.to_owned();
        read.parent = Some(1);
        steps.push(read);
    }
    steps
}
