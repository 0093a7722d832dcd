//! A compiled Lambda function with a Runtime API of its own: started in one call,
//! invoked like Lambda invokes it. As in Lambda, an invocation fails with
//! `Runtime.ExitError` when the process ends without answering (a function whose
//! configuration is refused at start, say) instead of waiting out its timeout.

use crate::{
    lambda_process::LambdaProcess,
    runtime_api::{Outcome, RuntimeApi, TraceHeader},
};
use serde_json::{Value, json};
use std::{ffi::OsStr, path::Path, time::Duration};

/// How often a waiting invocation checks that the process still runs.
const EXIT_CHECK: Duration = Duration::from_millis(50);

/// A running function and its Runtime API.
pub struct LambdaFunction {
    /// Its Runtime API.
    pub runtime: RuntimeApi,
    /// Its process (killed on drop).
    pub process: LambdaProcess,
}

impl LambdaFunction {
    /// Starts `program` as the function `name`, with `env` on top of the Lambda
    /// environment (see [`LambdaProcess::spawn`]).
    pub async fn start<K, V>(
        program: &Path,
        name: &str,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let runtime = RuntimeApi::start(name).await;
        let process = LambdaProcess::spawn(program, &runtime, env);
        Self { runtime, process }
    }

    /// Invokes it with `event`, as [`RuntimeApi::invoke`] does, failing with
    /// `Runtime.ExitError` as soon as the process has ended.
    pub async fn invoke(&self, event: &Value, timeout: Duration) -> Outcome {
        self.invoke_traced(event, timeout, None).await
    }

    /// As [`invoke`](Self::invoke), with `trace` as the invocation's X-Ray header.
    pub async fn invoke_traced(
        &self,
        event: &Value,
        timeout: Duration,
        trace: Option<TraceHeader>,
    ) -> Outcome {
        let invocation = self.runtime.invoke_traced(event, timeout, trace);
        tokio::pin!(invocation);
        loop {
            tokio::select! {
                biased;
                outcome = &mut invocation => return outcome,
                () = tokio::time::sleep(EXIT_CHECK) => {
                    if let Some(status) = self.process.exit_status() {
                        return Err(json!({
                            "errorType": "Runtime.ExitError",
                            "errorMessage": format!("Runtime exited with error: {status}"),
                        }));
                    }
                }
            }
        }
    }
}
