//! The compiled functions, each a child process polling its own Runtime API, and the
//! environment each needs.

use super::{AGENT_ALIAS_ID, AGENT_ID, Stack, events};
use revops_testkit::{LambdaFunction, invoke_api::LambdaInvokeApi, runtime_api::TraceHeader};
use serde_json::Value;
use std::{ops::Deref, path::Path, time::Duration};

/// How long one invocation may take.
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The gateway's deployed name.
pub const GATEWAY: &str = "prod-revops-webhook-gateway";
/// The processor's deployed name.
pub const PROCESSOR: &str = "revops-webhook";
/// The agent wrapper's deployed name.
pub const WRAPPER: &str = "revops-manager-agent-wrapper";

/// One running function (the testkit's, with the environment each role needs).
pub struct Function(LambdaFunction);

impl Deref for Function {
    type Target = LambdaFunction;

    fn deref(&self) -> &LambdaFunction {
        &self.0
    }
}

impl Function {
    /// Starts `binary` as the function `name` with `env`.
    pub async fn start(binary: &str, name: &str, env: Vec<(String, String)>) -> Self {
        Self(LambdaFunction::start(Path::new(binary), name, env).await)
    }

    /// The gateway on `stack`, plus `extra` variables.
    pub async fn gateway(stack: &Stack, extra: &[(&str, &str)]) -> Self {
        let mut env = stack.env();
        env.extend(owned(&[
            ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
            // Inbound authentication is not what these tests are about.
            ("INBOUND_AUTH", "none"),
        ]));
        env.extend(owned(extra));
        Self::start(env!("CARGO_BIN_EXE_webhook-gateway"), GATEWAY, env).await
    }

    /// The processor on `stack`, delivering to `webhook_url`, plus `extra` variables
    /// (the agent route among them: see [`bedrock_route`]).
    pub async fn processor(stack: &Stack, webhook_url: &str, extra: Vec<(String, String)>) -> Self {
        let mut env = stack.env();
        env.extend(owned(&[
            ("WEBHOOK_URL", webhook_url),
            ("AGENT_RETRY_SCHEDULE", "0.05"),
            ("AGENT_RETRY_BACKOFF", "1"),
            // The receivers are plain http on loopback, which Lambda refuses by default.
            ("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8"),
            ("WEBHOOK_ALLOW_HTTP", "true"),
        ]));
        env.extend(extra);
        Self::start(env!("CARGO_BIN_EXE_queue-processor"), PROCESSOR, env).await
    }

    /// The agent wrapper asking the Bedrock stand-in at `bedrock_url`, plus `extra`.
    pub async fn wrapper(bedrock_url: &str, extra: &[(&str, &str)]) -> Self {
        let mut env = bedrock_route(bedrock_url);
        env.push(("AGENT_RETRY_SCHEDULE".into(), "0.05".into()));
        env.extend(owned(extra));
        Self::start(env!("CARGO_BIN_EXE_agent-wrapper"), WRAPPER, env).await
    }

    /// Invokes it and returns its answer; panics with its logs when it failed.
    pub async fn call(&self, event: &Value) -> Value {
        self.call_with(event, None).await
    }

    /// As [`call`](Self::call), with `trace` as the invocation's X-Ray header (Lambda's
    /// `Lambda-Runtime-Trace-Id`).
    pub async fn call_traced(&self, event: &Value, trace: TraceHeader) -> Value {
        self.call_with(event, Some(trace)).await
    }

    async fn call_with(&self, event: &Value, trace: Option<TraceHeader>) -> Value {
        match self.invoke_traced(event, INVOKE_TIMEOUT, trace).await {
            Ok(response) => response,
            Err(error) => panic!("the function failed: {error}\n{}", self.process.logs()),
        }
    }
}

/// The agent wrapper behind the testkit's Lambda `Invoke` endpoint, as the processor
/// reaches it with `MANAGER_AGENT_FUNCTION_NAME`.
pub struct InvokableWrapper {
    /// The wrapper function.
    pub function: Function,
    /// The endpoint in front of it.
    pub api: LambdaInvokeApi,
}

impl InvokableWrapper {
    /// The wrapper asking the Bedrock stand-in at `bedrock_url`, plus `extra`.
    pub async fn start(bedrock_url: &str, extra: &[(&str, &str)]) -> Self {
        let function = Function::wrapper(bedrock_url, extra).await;
        let api = LambdaInvokeApi::start(
            [(WRAPPER.to_owned(), function.runtime.invoker())],
            INVOKE_TIMEOUT,
        )
        .await;
        Self { function, api }
    }

    /// The processor's variables that route its agent calls here.
    pub fn route(&self) -> Vec<(String, String)> {
        owned(&[
            ("MANAGER_AGENT_FUNCTION_NAME", WRAPPER),
            ("AWS_ENDPOINT_URL_LAMBDA", &self.api.url()),
        ])
    }
}

/// The variables that send a function's agent calls to the Bedrock stand-in.
pub fn bedrock_route(bedrock_url: &str) -> Vec<(String, String)> {
    owned(&[
        ("BEDROCK_AGENT_ID", AGENT_ID),
        ("BEDROCK_AGENT_ALIAS_ID", AGENT_ALIAS_ID),
        ("BEDROCK_AGENT_CALL_TIMEOUT", "5"),
        ("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", bedrock_url),
    ])
}

/// `pairs` as owned strings.
pub fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Posts `body` through the gateway as a REST API event; returns the tracking id.
pub async fn accept(gateway: &Function, body: &str, headers: &[(&str, &str)]) -> String {
    let response = gateway.call(&events::rest_api_post(body, headers)).await;
    let (status, body) = events::api_response(&response);
    assert_eq!(status, 202, "{body}\n{}", gateway.process.logs());
    body["tracking_id"].as_str().unwrap().to_owned()
}
