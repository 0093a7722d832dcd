//! Inside the agent (issue 16): the Bedrock stand-in streams an orchestration trace next
//! to the answer's chunks (the Manager Agent's model invocation, a collaborator agent
//! with its own model invocation, an action group and a failure trace), and the
//! agent-wrapper binary's spans reproduce that tree under its Bedrock call, with the
//! steps' own times, the gen-ai names and token counts, and no prompt or rationale
//! text. The answer is unchanged, and it names the agents used and the tokens spent.

use crate::support::functions::Function;
use chrono::Utc;
use revops_testkit::{
    bedrock::{
        FakeBedrock, Reply,
        orchestration::{EXPECTED, PROMPT_TEXT, RATIONALE_TEXT, trace_events},
    },
    otlp::{OtlpReceiver, SeenSpan},
    span_tree::span_names,
    wait_until,
};
use serde_json::json;
use std::time::Duration;

const CALLER_TRACE: &str = "5759e988bd862e3fe1be46a994272793";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_orchestration_trace_becomes_the_wrappers_spans() {
    let otlp = OtlpReceiver::start().await;
    let endpoint = otlp.endpoint();
    // Bedrock writes times to the millisecond.
    let start =
        chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis() - 5_000).unwrap();
    let bedrock = FakeBedrock::answering(move |_| {
        Reply::traced(trace_events(start), &["**IXIS**", ": Negotiation"])
    })
    .await;
    let wrapper = Function::wrapper(
        &bedrock.url(),
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())],
    )
    .await;

    let answer = wrapper
        .call(&json!({
            "query": "What is the deal status for IXIS?",
            "tracking_id": "e7aeb7e9-5382-41a5-b858-f8010978cd26",
            "trace_context": {"traceparent": format!("00-{CALLER_TRACE}-53995c3f42cd8ad8-01")},
        }))
        .await;
    assert_eq!(answer["response"], "**IXIS**: Negotiation", "{answer}");
    assert_eq!(
        answer["agents_used"],
        json!(["ManagerAgent", "DealAnalysisAgent"])
    );
    assert_eq!(
        answer["usage"],
        json!({"input_tokens": 2000, "output_tokens": 240})
    );
    let request = &bedrock.requests()[0];
    assert_eq!(request.body["enableTrace"], true, "the trace is asked for");

    let spans = wait_until(Duration::from_secs(10), "the steps' spans", || {
        let spans = otlp.trace(CALLER_TRACE);
        let all = EXPECTED
            .iter()
            .all(|(name, ..)| spans.iter().any(|s| s.name == *name));
        async move { all.then_some(spans) }
    })
    .await;
    let call = named(&spans, "bedrock.invoke_agent");
    let start_ns = u64::try_from(start.timestamp_nanos_opt().unwrap()).unwrap();
    for (name, agent, parent, (from_ms, to_ms), tokens, failed) in EXPECTED {
        let span = named(&spans, name);
        let parent = parent.map_or(call, |parent| named(&spans, parent));
        assert_eq!(
            span.parent_span_id, parent.span_id,
            "{name} sits under {}",
            parent.name
        );
        assert_eq!(span.attribute("gen_ai.agent.name"), Some(agent), "{name}");
        assert_eq!(
            span.times,
            (
                start_ns + u64::try_from(from_ms).unwrap() * 1_000_000,
                start_ns + u64::try_from(to_ms).unwrap() * 1_000_000
            ),
            "{name} keeps the step's own times"
        );
        let seen_tokens = span
            .attribute("gen_ai.usage.input_tokens")
            .zip(span.attribute("gen_ai.usage.output_tokens"))
            .map(|(i, o)| (i.parse::<u64>().unwrap(), o.parse::<u64>().unwrap()));
        assert_eq!(seen_tokens, tokens, "{name}");
        assert_eq!(span.status_code == 2, failed, "{name} failed or not");
    }
    for span in &spans {
        for (key, value) in &span.attributes {
            assert!(
                !value.contains(PROMPT_TEXT) && !value.contains(RATIONALE_TEXT),
                "{}:{key} carries the prompt or the rationale",
                span.name
            );
        }
    }
    assert_eq!(
        spans
            .iter()
            .filter(|s| s.parent_span_id == call.span_id)
            .count(),
        2,
        "two steps at the top: {}",
        span_names(&spans)
    );
}

fn named<'a>(spans: &'a [SeenSpan], name: &str) -> &'a SeenSpan {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name:?} in {}", span_names(spans)))
}
