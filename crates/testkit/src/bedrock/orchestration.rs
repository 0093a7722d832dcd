//! A recorded-shape orchestration trace, as Bedrock streams it with `enableTrace`: the
//! Manager Agent's model invocation, then a collaborator agent (`DealAnalysisAgent`)
//! with its own model invocation, an action group and a failure trace, then the
//! collaborator's observation. Each event is a `TracePart` in Bedrock's JSON, with its
//! `eventTime`, `callerChain` and, for the collaborator's events, `collaboratorName`.
//! [`EXPECTED`] says what the agent's steps must come to.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The manager's alias ARN.
pub const MANAGER_ARN: &str =
    "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT123/ALIAS123";
/// The collaborator's alias ARN.
pub const COLLABORATOR_ARN: &str =
    "arn:aws:bedrock:us-east-1:123456789012:agent-alias/DEALS123/ALIAS456";
/// The collaborator's name.
pub const COLLABORATOR: &str = "DealAnalysisAgent";
/// The manager's model.
pub const MANAGER_MODEL: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";
/// The collaborator's model.
pub const COLLABORATOR_MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// The prompt text Bedrock sends with each model invocation input: it must never reach
/// a span.
pub const PROMPT_TEXT: &str = "SYSTEM PROMPT: you are the RevOps Manager Agent";
/// The rationale Bedrock sends: it must never reach a span either.
pub const RATIONALE_TEXT: &str = "I should ask the deal analysis agent";

/// One step the trace must come to: (span name, agent, parent's span name or `None` for
/// the agent call, milliseconds from the trace's start to the step's start and end,
/// input and output tokens, whether it failed).
pub type ExpectedStep = (
    &'static str,
    &'static str,
    Option<&'static str>,
    (i64, i64),
    Option<(u64, u64)>,
    bool,
);

/// The steps of [`trace_events`], in the order they begin.
pub const EXPECTED: [ExpectedStep; 5] = [
    (
        "chat anthropic.claude-3-5-sonnet-20240620-v1:0",
        "ManagerAgent",
        None,
        (0, 800),
        Some((1200, 150)),
        false,
    ),
    (
        "invoke_agent DealAnalysisAgent",
        "ManagerAgent",
        None,
        (820, 3000),
        None,
        false,
    ),
    (
        "chat anthropic.claude-3-haiku-20240307-v1:0",
        COLLABORATOR,
        Some("invoke_agent DealAnalysisAgent"),
        (900, 1500),
        Some((800, 90)),
        false,
    ),
    (
        "execute_tool crm-lookup",
        COLLABORATOR,
        Some("invoke_agent DealAnalysisAgent"),
        (1600, 2400),
        None,
        false,
    ),
    (
        "failure failure",
        COLLABORATOR,
        Some("invoke_agent DealAnalysisAgent"),
        (2500, 2500),
        None,
        true,
    ),
];

fn at(start: DateTime<Utc>, ms: i64) -> String {
    (start + Duration::milliseconds(ms)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn part(start: DateTime<Utc>, ms: i64, collaborator: bool, trace: Value) -> Value {
    let mut chain = vec![json!({ "agentAliasArn": MANAGER_ARN })];
    let mut part = json!({
        "agentId": "AGENT123",
        "agentAliasId": "ALIAS123",
        "agentVersion": "1",
        "sessionId": "webhook_session",
        "eventTime": at(start, ms),
        "trace": trace,
    });
    if collaborator {
        chain.push(json!({ "agentAliasArn": COLLABORATOR_ARN }));
        part["collaboratorName"] = json!(COLLABORATOR);
    }
    part["callerChain"] = json!(chain);
    part
}

/// The trace events, their times counted from `start`.
pub fn trace_events(start: DateTime<Utc>) -> Vec<Value> {
    let metadata = |from: i64, to: i64, tokens: Option<(u64, u64)>| {
        let mut metadata = json!({ "startTime": at(start, from), "endTime": at(start, to), "totalTimeMs": to - from });
        if let Some((input, output)) = tokens {
            metadata["usage"] = json!({ "inputTokens": input, "outputTokens": output });
        }
        metadata
    };
    vec![
        part(
            start,
            0,
            false,
            json!({"orchestrationTrace": {"modelInvocationInput": {
            "traceId": "m-0", "type": "ORCHESTRATION", "text": PROMPT_TEXT, "foundationModel": MANAGER_MODEL}}}),
        ),
        part(
            start,
            800,
            false,
            json!({"orchestrationTrace": {"modelInvocationOutput": {
            "traceId": "m-0", "metadata": metadata(0, 800, Some((1200, 150)))}}}),
        ),
        part(
            start,
            810,
            false,
            json!({"orchestrationTrace": {"rationale": {
            "traceId": "m-0", "text": RATIONALE_TEXT}}}),
        ),
        part(
            start,
            820,
            false,
            json!({"orchestrationTrace": {"invocationInput": {
            "traceId": "m-0", "invocationType": "AGENT_COLLABORATOR",
            "agentCollaboratorInvocationInput": {"agentCollaboratorName": COLLABORATOR,
                "agentCollaboratorAliasArn": COLLABORATOR_ARN, "input": {"type": "TEXT", "text": "IXIS deal status"}}}}}),
        ),
        part(
            start,
            900,
            true,
            json!({"orchestrationTrace": {"modelInvocationInput": {
            "traceId": "c-0", "type": "ORCHESTRATION", "text": PROMPT_TEXT, "foundationModel": COLLABORATOR_MODEL}}}),
        ),
        part(
            start,
            1500,
            true,
            json!({"orchestrationTrace": {"modelInvocationOutput": {
            "traceId": "c-0", "metadata": metadata(900, 1500, Some((800, 90)))}}}),
        ),
        part(
            start,
            1600,
            true,
            json!({"orchestrationTrace": {"invocationInput": {
            "traceId": "c-0", "invocationType": "ACTION_GROUP",
            "actionGroupInvocationInput": {"actionGroupName": "crm-lookup", "function": "get_deal"}}}}),
        ),
        part(
            start,
            2400,
            true,
            json!({"orchestrationTrace": {"observation": {
            "traceId": "c-0", "type": "ACTION_GROUP", "actionGroupInvocationOutput": {"text": "{\"stage\": \"Negotiation\"}"}}}}),
        ),
        part(
            start,
            2500,
            true,
            json!({"failureTrace": {
            "traceId": "c-1", "failureReason": "the CRM search action timed out; answered from the deal record"}}),
        ),
        part(
            start,
            3000,
            false,
            json!({"orchestrationTrace": {"observation": {
            "traceId": "m-0", "type": "AGENT_COLLABORATOR",
            "agentCollaboratorInvocationOutput": {"agentCollaboratorName": COLLABORATOR,
                "agentCollaboratorAliasArn": COLLABORATOR_ARN, "output": {"type": "TEXT", "text": "Negotiation"},
                "metadata": metadata(820, 3000, None)}}}}),
        ),
    ]
}
