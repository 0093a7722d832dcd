//! What reading Bedrock's orchestration trace costs the wrapper: one `InvokeAgent` call
//! through the real SDK client against the testkit's stand-in on loopback, whose stream
//! carries the same two answer chunks in every case, and (a) no trace events (the
//! baseline: the call as it was before traces were read), (b) the recorded-shape
//! orchestration trace of ten events (a manager model invocation, a collaborator with
//! its own model invocation, an action group and a failure), (c) that trace twenty
//! times over (200 events). The difference to (a) is the cost of decoding the trace
//! frames and turning them into steps; no tracer is installed, so no span is exported.

use aws_config::BehaviorVersion;
use aws_sdk_bedrockagentruntime::config::{Credentials, Region, retry::RetryConfig};
use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use revops_agent_wrapper::{BedrockAgent, BedrockAgentConfig};
use revops_core::{
    TrackingId,
    ports::{Agent, AgentQuestion},
};
use revops_testkit::bedrock::{FakeBedrock, Reply, orchestration::trace_events};
use std::{hint::black_box, time::Duration};

async fn agent(server: &FakeBedrock) -> BedrockAgent {
    let sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(server.url())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDBENCH",
            "bench-secret",
            None,
            None,
            "bench",
        ))
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    let config = BedrockAgentConfig::new("PVWGKOWSOT", "TSTALIASID")
        .expect("valid ids")
        .with_call_timeout(Duration::from_secs(5));
    BedrockAgent::new(&sdk_config, config)
}

fn trace_parsing(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let start = Utc::now();
    let cases: [(&str, usize); 3] = [
        ("answer_without_trace_baseline", 0),
        ("answer_with_orchestration_trace_10_events", 1),
        ("answer_with_orchestration_trace_200_events", 20),
    ];
    let question = AgentQuestion {
        tracking_id: TrackingId::new(),
        query: "What is the deal status for IXIS?".to_owned(),
        session_id: None,
    };
    let mut group = c.benchmark_group("invoke_agent_stream");
    for (name, copies) in cases {
        let traces: Vec<_> = (0..copies).flat_map(|_| trace_events(start)).collect();
        let (server, agent) = runtime.block_on(async {
            let server = FakeBedrock::answering(move |_| {
                Reply::traced(traces.clone(), &["**IXIS**", ": Negotiation"])
            })
            .await;
            let agent = agent(&server).await;
            (server, agent)
        });
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime
                    .block_on(agent.ask(black_box(&question)))
                    .expect("an answer")
            })
        });
        drop(server);
    }
    group.finish();
}

criterion_group!(benches, trace_parsing);
criterion_main!(benches);
