//! The functions the cold-start benchmark runs: the three Lambda binaries and the Python 3
//! gateway with boto3 (`crates/bench/python/gateway.py`, boto3 clients created at import
//! as the seeds do), each with its environment and an event whose first invocation makes no
//! AWS call (every AWS endpoint points at a closed loopback port).

use serde_json::{Value, json};
use std::path::PathBuf;

/// Where no AWS call may go: a closed loopback port.
const NOWHERE: &str = "http://127.0.0.1:9";

/// One function to time.
pub struct Case {
    /// Its name in the table.
    pub name: &'static str,
    /// The program and its arguments.
    pub command: Vec<String>,
    /// Variables on top of the Lambda ones.
    pub env: Vec<(&'static str, String)>,
    /// The first event.
    pub event: Value,
    /// What the first invocation does.
    pub first_invocation: &'static str,
}

/// An HTTP API (payload 2.0) `POST /webhook` whose body fails validation (`400`).
fn invalid_post() -> Value {
    revops_testkit::lambda_events::http_api_post("{}", &[])
}

fn shared_env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", NOWHERE.to_owned()),
        (
            "OUTBOUND_WEBHOOK_QUEUE_URL",
            format!("{NOWHERE}/123456789012/revops"),
        ),
        ("TRACKING_TABLE_NAME", "revops-tracking".to_owned()),
        ("INBOUND_AUTH", "none".to_owned()),
    ]
}

/// The cases: the three binaries in `release_dir`, and Python at `python`.
pub fn cases(release_dir: &std::path::Path, python: Option<PathBuf>) -> Vec<Case> {
    let bin = |n: &str| vec![release_dir.join(n).display().to_string()];
    let bedrock = [
        ("BEDROCK_AGENT_ID", "PVWGKOWSOT".to_owned()),
        ("BEDROCK_AGENT_ALIAS_ID", "TSTALIASID".to_owned()),
    ];
    let mut cases = vec![
        Case {
            name: "webhook-gateway (Rust)",
            command: bin("webhook-gateway"),
            env: shared_env(),
            event: invalid_post(),
            first_invocation: "POST /webhook with body {} → 400",
        },
        Case {
            name: "queue-processor (Rust)",
            command: bin("queue-processor"),
            env: shared_env()
                .into_iter()
                .chain(bedrock.clone())
                .chain([("WEBHOOK_URL", "https://example.com/hook".to_owned())])
                .collect(),
            event: json!({"Records": []}),
            first_invocation: "empty SQS batch",
        },
        Case {
            name: "agent-wrapper (Rust)",
            command: bin("agent-wrapper"),
            env: shared_env().into_iter().chain(bedrock).collect(),
            event: json!({}),
            first_invocation: "payload without a question → error",
        },
    ];
    if let Some(python) = python {
        cases.push(Case {
            name: "gateway (Python 3 + boto3)",
            command: vec![
                python.display().to_string(),
                "-c".to_owned(),
                crate::python::program("webhook-gateway"),
            ],
            env: shared_env(),
            event: invalid_post(),
            first_invocation: "POST /webhook with body {} → 400",
        });
    }
    cases
}
