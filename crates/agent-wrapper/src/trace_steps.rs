//! Bedrock's orchestration trace (`InvokeAgent` with `enableTrace`) read into the
//! agent's steps: each model invocation (pre-processing, orchestration,
//! post-processing) from its input to its output, with the model and the token counts;
//! each collaborator agent, action group and knowledge-base lookup from its
//! `invocationInput` to its `observation`; guardrail assessments; and failure traces as
//! failed steps. A collaborator's own events (a caller chain longer than one) sit under
//! the step that invoked it. Rationales and prompt texts are never kept.
//!
//! At most [`MAX_STEP_SPANS`] steps are kept; the rest are counted. Nothing here can fail
//! the call: an event it does not understand is skipped.

use aws_sdk_bedrockagentruntime::types::{
    GuardrailAction, InvocationInput, InvocationType, Metadata, ModelInvocationInput, Observation,
    OrchestrationTrace, PostProcessingTrace, PreProcessingTrace, Trace, TracePart,
};
use chrono::{DateTime, Utc};
use revops_core::ports::TokenUsage;
use revops_telemetry::agent_steps::{AgentStep, MAX_STEP_SPANS, StepKind, token_totals};
use std::collections::HashMap;

/// The orchestrator's name in the steps and in `agents_used`: the Manager Agent.
pub const MANAGER_AGENT: &str = "ManagerAgent";

/// Which of a Bedrock trace id's steps: one orchestration step (one trace id) has a
/// model invocation and may have an invocation of a collaborator, tool or knowledge base.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Half {
    Model,
    Invocation,
}

/// The steps read so far from one stream.
#[derive(Debug, Default)]
pub struct TraceSteps {
    steps: Vec<AgentStep>,
    /// Steps begun and not yet ended, by (agent, Bedrock trace id, which half).
    open: HashMap<(String, String, Half), usize>,
    /// Steps beyond [`MAX_STEP_SPANS`], not kept.
    dropped: usize,
    /// When the last event came.
    last_event: Option<DateTime<Utc>>,
}

impl TraceSteps {
    /// Reads one `trace` event.
    pub fn observe(&mut self, part: &TracePart) {
        let at = part
            .event_time
            .as_ref()
            .and_then(chrono_time)
            .unwrap_or_else(Utc::now);
        self.last_event = Some(at);
        let agent = part
            .collaborator_name
            .clone()
            .filter(|_| {
                part.caller_chain
                    .as_ref()
                    .is_some_and(|chain| chain.len() > 1)
            })
            .unwrap_or_else(|| MANAGER_AGENT.to_owned());
        let parent = self.collaborator_step(&agent);
        let Some(trace) = &part.trace else { return };
        if let Some((kind, event)) = model_event(trace) {
            match event {
                ModelEvent::Input(input) => {
                    let mut step = AgentStep::new(kind, agent.clone(), at, at);
                    step.model.clone_from(&input.foundation_model);
                    step.parent = parent;
                    self.begin(&agent, input.trace_id.as_deref(), Half::Model, step);
                }
                ModelEvent::Output { trace_id, metadata } => {
                    self.end_model(&agent, trace_id, metadata, at, parent, kind);
                }
            }
            return;
        }
        match trace {
            Trace::OrchestrationTrace(OrchestrationTrace::InvocationInput(input)) => {
                if let Some(step) = invocation_step(input, &agent, at, parent) {
                    self.begin(&agent, input.trace_id.as_deref(), Half::Invocation, step);
                }
            }
            Trace::OrchestrationTrace(OrchestrationTrace::Observation(observation)) => {
                self.end_invocation(&agent, observation, at);
            }
            Trace::FailureTrace(failure) => {
                let (started, ended) = times(failure.metadata.as_ref(), at, at);
                let mut step = AgentStep::new(StepKind::Failure, agent.clone(), started, ended);
                step.error = Some(
                    failure
                        .failure_reason
                        .clone()
                        .unwrap_or_else(|| "the agent reported a failure".to_owned()),
                );
                step.parent = parent;
                self.push(step);
            }
            Trace::GuardrailTrace(guardrail) => {
                let (started, ended) = times(guardrail.metadata.as_ref(), at, at);
                let mut step = AgentStep::new(StepKind::Guardrail, agent.clone(), started, ended);
                if let Some(action) = &guardrail.action {
                    step.target = action.as_str().to_ascii_lowercase();
                    if *action == GuardrailAction::Intervened {
                        step.error = Some("the guardrail intervened".to_owned());
                    }
                }
                step.parent = parent;
                self.push(step);
            }
            _ => {}
        }
    }

    /// The steps, any still open ended at the last event, and how many were not kept.
    pub fn finish(mut self) -> (Vec<AgentStep>, usize) {
        let end = self.last_event.unwrap_or_else(Utc::now);
        for index in self.open.values() {
            let step = &mut self.steps[*index];
            if step.ended_at < end {
                step.ended_at = end;
            }
        }
        (self.steps, self.dropped)
    }

    /// The token counts of every model invocation kept.
    pub fn usage(steps: &[AgentStep]) -> Option<TokenUsage> {
        token_totals(steps).map(|(input_tokens, output_tokens)| TokenUsage {
            input_tokens,
            output_tokens,
        })
    }

    /// The open collaborator step whose agent is `agent`: where that agent's steps go.
    fn collaborator_step(&self, agent: &str) -> Option<usize> {
        self.open
            .iter()
            .filter(|((_, _, half), index)| {
                *half == Half::Invocation
                    && self.steps[**index].kind == StepKind::Collaborator
                    && self.steps[**index].target == agent
            })
            .map(|(_, index)| *index)
            .max()
    }

    fn push(&mut self, step: AgentStep) -> Option<usize> {
        if self.steps.len() >= MAX_STEP_SPANS {
            self.dropped += 1;
            return None;
        }
        self.steps.push(step);
        Some(self.steps.len() - 1)
    }

    fn begin(&mut self, agent: &str, trace_id: Option<&str>, half: Half, step: AgentStep) {
        if let Some(index) = self.push(step) {
            let key = (
                agent.to_owned(),
                trace_id.unwrap_or_default().to_owned(),
                half,
            );
            self.open.insert(key, index);
        }
    }

    fn take_open(&mut self, agent: &str, trace_id: Option<&str>, half: Half) -> Option<usize> {
        let key = (
            agent.to_owned(),
            trace_id.unwrap_or_default().to_owned(),
            half,
        );
        self.open.remove(&key)
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "one call per kind of model output"
    )]
    fn end_model(
        &mut self,
        agent: &str,
        trace_id: Option<&str>,
        metadata: Option<&Metadata>,
        at: DateTime<Utc>,
        parent: Option<usize>,
        kind: StepKind,
    ) {
        let index = match self.take_open(agent, trace_id, Half::Model) {
            Some(index) => Some(index),
            // Its input was counted as dropped already.
            None if self.steps.len() >= MAX_STEP_SPANS => return,
            // An output whose input was not seen: a step of its own.
            None => self.push(AgentStep {
                parent,
                ..AgentStep::new(kind, agent, at, at)
            }),
        };
        let Some(index) = index else { return };
        let step = &mut self.steps[index];
        let (started, ended) = times(metadata, step.started_at, at);
        step.started_at = started;
        step.ended_at = ended;
        if let Some(usage) = metadata.and_then(|m| m.usage.as_ref()) {
            step.input_tokens = usage.input_tokens.and_then(|n| u64::try_from(n).ok());
            step.output_tokens = usage.output_tokens.and_then(|n| u64::try_from(n).ok());
        }
    }

    fn end_invocation(&mut self, agent: &str, observation: &Observation, at: DateTime<Utc>) {
        if let Some(index) =
            self.take_open(agent, observation.trace_id.as_deref(), Half::Invocation)
        {
            let metadata = observation
                .agent_collaborator_invocation_output
                .as_ref()
                .and_then(|output| output.metadata.as_ref());
            let step = &mut self.steps[index];
            let (started, ended) = times(metadata, step.started_at, at);
            step.started_at = started;
            step.ended_at = ended;
        }
    }
}

/// One end of a model invocation, in any of the three phases that have them.
enum ModelEvent<'a> {
    /// The call's input: the model, and the prompt (never kept).
    Input(&'a ModelInvocationInput),
    /// The call's output: Bedrock's times and token counts.
    Output {
        trace_id: Option<&'a str>,
        metadata: Option<&'a Metadata>,
    },
}

/// The model invocation event `trace` is, with the kind of step it belongs to.
fn model_event<'a>(trace: &'a Trace) -> Option<(StepKind, ModelEvent<'a>)> {
    let output =
        |trace_id: &'a Option<String>, metadata: &'a Option<Metadata>| ModelEvent::Output {
            trace_id: trace_id.as_deref(),
            metadata: metadata.as_ref(),
        };
    Some(match trace {
        Trace::PreProcessingTrace(PreProcessingTrace::ModelInvocationInput(input)) => {
            (StepKind::PreProcessing, ModelEvent::Input(input))
        }
        Trace::OrchestrationTrace(OrchestrationTrace::ModelInvocationInput(input)) => {
            (StepKind::ModelInvocation, ModelEvent::Input(input))
        }
        Trace::PostProcessingTrace(PostProcessingTrace::ModelInvocationInput(input)) => {
            (StepKind::PostProcessing, ModelEvent::Input(input))
        }
        Trace::PreProcessingTrace(PreProcessingTrace::ModelInvocationOutput(o)) => {
            (StepKind::PreProcessing, output(&o.trace_id, &o.metadata))
        }
        Trace::OrchestrationTrace(OrchestrationTrace::ModelInvocationOutput(o)) => {
            (StepKind::ModelInvocation, output(&o.trace_id, &o.metadata))
        }
        Trace::PostProcessingTrace(PostProcessingTrace::ModelInvocationOutput(o)) => {
            (StepKind::PostProcessing, output(&o.trace_id, &o.metadata))
        }
        _ => return None,
    })
}

/// The step an `invocationInput` begins, if it is one we show (not `FINISH`).
fn invocation_step(
    input: &InvocationInput,
    agent: &str,
    at: DateTime<Utc>,
    parent: Option<usize>,
) -> Option<AgentStep> {
    let (kind, target) = match input.invocation_type.as_ref()? {
        InvocationType::AgentCollaborator => (
            StepKind::Collaborator,
            input
                .agent_collaborator_invocation_input
                .as_ref()
                .and_then(|c| c.agent_collaborator_name.clone()),
        ),
        InvocationType::ActionGroup | InvocationType::ActionGroupCodeInterpreter => (
            StepKind::ActionGroup,
            input
                .action_group_invocation_input
                .as_ref()
                .and_then(|a| a.action_group_name.clone()),
        ),
        InvocationType::KnowledgeBase => (
            StepKind::KnowledgeBase,
            input
                .knowledge_base_lookup_input
                .as_ref()
                .and_then(|k| k.knowledge_base_id.clone()),
        ),
        _ => return None,
    };
    let mut step = AgentStep::new(kind, agent, at, at);
    step.target = target.unwrap_or_default();
    step.parent = parent;
    Some(step)
}

/// A step's start and end: Bedrock's own times when it gave them, else `started` (when
/// its first event came) and `at` (when its last did).
fn times(
    metadata: Option<&Metadata>,
    started: DateTime<Utc>,
    at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = metadata
        .and_then(|m| m.start_time.as_ref())
        .and_then(chrono_time)
        .unwrap_or(started);
    let end = metadata
        .and_then(|m| m.end_time.as_ref())
        .and_then(chrono_time)
        .unwrap_or(at);
    (start, end.max(start))
}

fn chrono_time(at: &aws_sdk_bedrockagentruntime::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(at.secs(), at.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockagentruntime::{
        primitives::DateTime as SdkTime,
        types::{Caller, ModelInvocationInput, OrchestrationModelInvocationOutput, Usage},
    };

    fn part(ms: i64, trace: Trace) -> TracePart {
        TracePart::builder()
            .event_time(SdkTime::from_millis(1_764_900_000_000 + ms))
            .caller_chain(Caller::AgentAliasArn("arn:manager".to_owned()))
            .trace(trace)
            .build()
    }

    fn model_input(trace_id: &str) -> Trace {
        Trace::OrchestrationTrace(OrchestrationTrace::ModelInvocationInput(
            ModelInvocationInput::builder()
                .trace_id(trace_id)
                .foundation_model("model-a")
                .text("the prompt")
                .build(),
        ))
    }

    fn model_output(trace_id: &str, tokens: (i32, i32)) -> Trace {
        Trace::OrchestrationTrace(OrchestrationTrace::ModelInvocationOutput(
            OrchestrationModelInvocationOutput::builder()
                .trace_id(trace_id)
                .metadata(
                    Metadata::builder()
                        .usage(
                            Usage::builder()
                                .input_tokens(tokens.0)
                                .output_tokens(tokens.1)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        ))
    }

    #[test]
    fn a_model_invocation_runs_from_its_input_to_its_output_with_its_tokens() {
        let mut steps = TraceSteps::default();
        steps.observe(&part(0, model_input("t-0")));
        steps.observe(&part(750, model_output("t-0", (1200, 150))));
        let (steps, dropped) = steps.finish();
        assert_eq!(dropped, 0);
        assert_eq!(steps.len(), 1);
        let step = &steps[0];
        assert_eq!(step.span_name(), "chat model-a");
        assert_eq!(step.agent, MANAGER_AGENT);
        assert_eq!(step.duration_ms(), 750);
        assert_eq!(
            (step.input_tokens, step.output_tokens),
            (Some(1200), Some(150))
        );
        assert_eq!(
            TraceSteps::usage(&steps),
            Some(TokenUsage {
                input_tokens: 1200,
                output_tokens: 150
            })
        );
    }

    #[test]
    fn a_runaway_trace_keeps_the_first_steps_and_counts_the_rest() {
        let mut steps = TraceSteps::default();
        for n in 0..3_000 {
            let id = format!("t-{n}");
            steps.observe(&part(n, model_input(&id)));
            steps.observe(&part(n, model_output(&id, (10, 1))));
        }
        let (steps, dropped) = steps.finish();
        assert_eq!(steps.len(), MAX_STEP_SPANS);
        assert_eq!(dropped, 3_000 - MAX_STEP_SPANS);
        assert!(steps.iter().all(|s| s.input_tokens == Some(10)));
    }

    #[test]
    fn a_step_left_open_ends_with_the_last_event_and_an_empty_event_is_skipped() {
        let mut steps = TraceSteps::default();
        steps.observe(&part(0, model_input("t-0")));
        steps.observe(&TracePart::builder().build());
        steps.observe(&part(400, model_input("t-1")));
        let (steps, _) = steps.finish();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].duration_ms(), 400, "ended at the last event");
    }
}
