//! The agent's own steps as spans: what an agent reports it did while answering (model
//! invocations with their token counts, collaborator agents, action groups,
//! knowledge-base lookups, guardrails, failures) becomes child spans of the span that
//! called it, with the steps' real start and end times, named and attributed after
//! OpenTelemetry's gen-ai conventions (`gen_ai.operation.name`, `gen_ai.agent.name`,
//! `gen_ai.request.model`, `gen_ai.usage.input_tokens`, …). The Bedrock agent reads its
//! steps from the orchestration trace; the demo agent reports its own.
//!
//! At most [`MAX_STEP_SPANS`] spans are made for one call; the rest are counted on the
//! calling span (`revops.agent.steps_dropped`). Recording never fails the call.

use chrono::{DateTime, Utc};
use opentelemetry::{
    KeyValue,
    trace::{Span as _, SpanKind, Status, TraceContextExt, Tracer as _},
};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The most spans made for one agent call.
pub const MAX_STEP_SPANS: usize = 200;

/// What kind of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// The agent reading the question before it plans (Bedrock's pre-processing).
    PreProcessing,
    /// One call to a model.
    ModelInvocation,
    /// A collaborator agent answering part of the question.
    Collaborator,
    /// An action group (a tool: a Lambda function or an API) called.
    ActionGroup,
    /// A knowledge base searched.
    KnowledgeBase,
    /// A guardrail assessing the input or the output.
    Guardrail,
    /// The agent shaping its final answer (Bedrock's post-processing).
    PostProcessing,
    /// A step that failed.
    Failure,
}

impl StepKind {
    /// The `gen_ai.operation.name` of such a step.
    pub fn operation(self) -> &'static str {
        match self {
            StepKind::ModelInvocation | StepKind::PreProcessing | StepKind::PostProcessing => {
                "chat"
            }
            StepKind::Collaborator => "invoke_agent",
            StepKind::ActionGroup => "execute_tool",
            StepKind::KnowledgeBase => "retrieve",
            StepKind::Guardrail => "guardrail",
            StepKind::Failure => "failure",
        }
    }

    /// The `revops.agent.step` attribute: the step as the trace view names it.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::PreProcessing => "pre_processing",
            StepKind::ModelInvocation => "model_invocation",
            StepKind::Collaborator => "collaborator",
            StepKind::ActionGroup => "action_group",
            StepKind::KnowledgeBase => "knowledge_base",
            StepKind::Guardrail => "guardrail",
            StepKind::PostProcessing => "post_processing",
            StepKind::Failure => "failure",
        }
    }
}

/// One step the agent reported.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentStep {
    /// What kind of step.
    pub kind: StepKind,
    /// What it acted on: the collaborator's, the action group's or the knowledge base's
    /// name; empty when there is nothing to name.
    pub target: String,
    /// The agent that took the step.
    pub agent: String,
    /// The step it is part of (an index into the same list, always earlier): a
    /// collaborator's own steps sit under the step that called it.
    pub parent: Option<usize>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// The model, for a model invocation.
    pub model: Option<String>,
    /// Tokens read by the model.
    pub input_tokens: Option<u64>,
    /// Tokens written by the model.
    pub output_tokens: Option<u64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl AgentStep {
    /// A step of `kind` by `agent` from `started_at` to `ended_at`, at the top level.
    pub fn new(
        kind: StepKind,
        agent: impl Into<String>,
        started_at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
    ) -> Self {
        Self {
            kind,
            target: String::new(),
            agent: agent.into(),
            parent: None,
            started_at,
            ended_at,
            model: None,
            input_tokens: None,
            output_tokens: None,
            error: None,
        }
    }

    /// The span's name: the operation, then what it acted on (the model for a model
    /// invocation), as the gen-ai conventions name spans.
    pub fn span_name(&self) -> String {
        let object = match self.kind {
            StepKind::ModelInvocation | StepKind::PreProcessing | StepKind::PostProcessing => {
                self.model.as_deref().unwrap_or(self.kind.as_str())
            }
            _ if self.target.is_empty() => self.kind.as_str(),
            _ => self.target.as_str(),
        };
        format!("{} {object}", self.kind.operation())
    }

    /// How long it took.
    pub fn duration_ms(&self) -> i64 {
        (self.ended_at - self.started_at).num_milliseconds().max(0)
    }

    fn attributes(&self) -> Vec<KeyValue> {
        let mut attributes = vec![
            KeyValue::new("gen_ai.operation.name", self.kind.operation()),
            KeyValue::new("gen_ai.agent.name", self.agent.clone()),
            KeyValue::new("revops.agent.step", self.kind.as_str()),
            KeyValue::new("revops.agent.step_ms", self.duration_ms()),
        ];
        let optional = [
            ("gen_ai.request.model", self.model.clone()),
            (
                match self.kind {
                    StepKind::ActionGroup => "gen_ai.tool.name",
                    StepKind::KnowledgeBase => "gen_ai.data_source.id",
                    _ => "revops.agent.target",
                },
                (!self.target.is_empty()).then(|| self.target.clone()),
            ),
        ];
        attributes.extend(
            optional
                .into_iter()
                .filter_map(|(key, value)| value.map(|value| KeyValue::new(key, value))),
        );
        for (key, tokens) in [
            ("gen_ai.usage.input_tokens", self.input_tokens),
            ("gen_ai.usage.output_tokens", self.output_tokens),
        ] {
            if let Some(tokens) = tokens {
                attributes.push(KeyValue::new(
                    key,
                    i64::try_from(tokens).unwrap_or(i64::MAX),
                ));
            }
        }
        attributes
    }
}

/// Makes a span of each of `steps` (up to [`MAX_STEP_SPANS`]) under `parent`, each with
/// its own start and end time, collaborators' steps under the step that called them.
/// Steps beyond the limit, and the `already_dropped` that never reached the list, are
/// counted on `parent` as `revops.agent.steps_dropped`.
pub fn record_steps(parent: &tracing::Span, steps: &[AgentStep], already_dropped: usize) {
    let parent_cx = parent.context();
    if !parent_cx.span().span_context().is_valid() {
        return;
    }
    let tracer = opentelemetry::global::tracer("revops");
    let kept = &steps[..steps.len().min(MAX_STEP_SPANS)];
    let mut contexts: Vec<opentelemetry::Context> = Vec::with_capacity(kept.len());
    for step in kept {
        let cx = step
            .parent
            .and_then(|index| contexts.get(index))
            .unwrap_or(&parent_cx)
            .clone();
        let mut span = tracer
            .span_builder(step.span_name())
            .with_kind(if step.kind == StepKind::Collaborator {
                SpanKind::Internal
            } else {
                SpanKind::Client
            })
            .with_start_time(step.started_at)
            .with_attributes(step.attributes())
            .start_with_context(&tracer, &cx);
        if let Some(error) = &step.error {
            span.set_status(Status::error(error.clone()));
        }
        contexts.push(cx.with_span(span));
    }
    for (cx, step) in contexts.iter().zip(kept) {
        cx.span().end_with_timestamp(step.ended_at.into());
    }
    let dropped = steps.len() - kept.len() + already_dropped;
    if dropped > 0 {
        parent.set_attribute(
            "revops.agent.steps_dropped",
            i64::try_from(dropped).unwrap_or(i64::MAX),
        );
    }
}

/// The agents that took part, in order of first appearance (the orchestrator first).
pub fn agents_used(steps: &[AgentStep]) -> Vec<String> {
    let mut agents: Vec<String> = Vec::new();
    for step in steps {
        let names = [
            Some(&step.agent),
            (step.kind == StepKind::Collaborator).then_some(&step.target),
        ];
        for name in names.into_iter().flatten() {
            if !name.is_empty() && !agents.contains(name) {
                agents.push(name.clone());
            }
        }
    }
    agents
}

/// The tokens read and written by every model invocation among `steps`: `None` when no
/// step reported any.
pub fn token_totals(steps: &[AgentStep]) -> Option<(u64, u64)> {
    steps
        .iter()
        .filter(|s| s.input_tokens.is_some() || s.output_tokens.is_some())
        .fold(None, |totals, step| {
            let (input, output) = totals.unwrap_or((0, 0));
            Some((
                input + step.input_tokens.unwrap_or(0),
                output + step.output_tokens.unwrap_or(0),
            ))
        })
}
