//! A function whose configuration is missing does not start: the invocation fails as
//! Lambda reports a runtime that exited, and the log names the variable to set.

use crate::support::{
    Function, Stack,
    functions::{GATEWAY, INVOKE_TIMEOUT, PROCESSOR, WRAPPER, owned},
};
use serde_json::json;

#[tokio::test]
async fn each_function_refuses_to_start_without_its_configuration_and_names_what_is_missing() {
    let stack = Stack::create().await;
    let mut without_webhook_url = stack.env();
    without_webhook_url.extend(owned(&[("BEDROCK_AGENT_ID", "PVWGKOWSOT")]));
    let cases = [
        (
            env!("CARGO_BIN_EXE_webhook-gateway"),
            GATEWAY,
            owned(&[("INBOUND_AUTH", "none")]),
            "OUTBOUND_WEBHOOK_QUEUE_URL",
        ),
        (
            env!("CARGO_BIN_EXE_queue-processor"),
            PROCESSOR,
            without_webhook_url,
            "WEBHOOK_URL",
        ),
        (
            env!("CARGO_BIN_EXE_agent-wrapper"),
            WRAPPER,
            Vec::new(),
            "BEDROCK_AGENT_ID",
        ),
    ];
    for (binary, name, env, missing) in cases {
        let function = Function::start(binary, name, env).await;

        let error = function
            .invoke(&json!({}), INVOKE_TIMEOUT)
            .await
            .unwrap_err();

        assert_eq!(error["errorType"], "Runtime.ExitError", "{name}: {error}");
        let logs = function.process.logs();
        assert!(
            logs.contains(missing),
            "{name} does not name {missing}:\n{logs}"
        );
    }
}
