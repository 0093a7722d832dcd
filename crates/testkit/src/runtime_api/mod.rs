//! A small Lambda Runtime API on 127.0.0.1 (port 0), enough to run a compiled Lambda
//! function (`AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT`) as Lambda does: the test queues an
//! event with [`RuntimeApi::invoke`], the function takes it from
//! `/2018-06-01/runtime/invocation/next` and posts its response or error, and `invoke`
//! returns that.
//!
//! One function process should poll one Runtime API at a time, as in Lambda.

mod routes;
mod state;
mod trace_header;

pub use state::Outcome;
pub use trace_header::TraceHeader;

use serde_json::{Value, json};
use state::State;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::task::JoinHandle;

/// The account id in the function ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

/// A running Runtime API for one function; stops when dropped.
pub struct RuntimeApi {
    address: SocketAddr,
    function_name: String,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl RuntimeApi {
    /// Starts a Runtime API for the function `function_name`.
    pub async fn start(function_name: &str) -> Self {
        let arn = format!(
            "arn:aws:lambda:{}:{ACCOUNT_ID}:function:{function_name}",
            crate::moto::REGION
        );
        let state = Arc::new(State::new(arn));
        let app = routes::router(Arc::clone(&state));
        let (address, task) = crate::loopback::serve(app).await;
        Self {
            address,
            function_name: function_name.to_owned(),
            state,
            task,
        }
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API`: `127.0.0.1:PORT`.
    pub fn runtime_api(&self) -> String {
        self.address.to_string()
    }

    /// The function's name (`AWS_LAMBDA_FUNCTION_NAME`).
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The function's ARN (`Lambda-Runtime-Invoked-Function-Arn`).
    pub fn function_arn(&self) -> &str {
        &self.state.function_arn
    }

    /// Invokes the function with `event` and waits up to `timeout` (also the function's
    /// deadline) for its answer: `Ok` with its response, `Err` with the error it
    /// reported (`{"errorType", "errorMessage"}`), its init error, or
    /// `Sandbox.Timedout` when no answer came in time.
    ///
    /// The future borrows neither `self` nor `event`.
    pub fn invoke(
        &self,
        event: &Value,
        timeout: Duration,
    ) -> impl Future<Output = Outcome> + Send + use<> {
        self.invoke_traced(event, timeout, None)
    }

    /// As [`invoke`](Self::invoke), with `trace` as the invocation's X-Ray header (a
    /// fresh unsampled one when `None`, as Lambda passes without active tracing).
    pub fn invoke_traced(
        &self,
        event: &Value,
        timeout: Duration,
        trace: Option<TraceHeader>,
    ) -> impl Future<Output = Outcome> + Send + use<> {
        let (invoker, event) = (self.invoker(), event.clone());
        async move { invoker.invoke_traced(event, timeout, trace).await }
    }

    /// A handle that invokes this function from elsewhere (another server's task).
    pub fn invoker(&self) -> Invoker {
        Invoker {
            state: Arc::clone(&self.state),
        }
    }

    /// The init error the function reported (`/runtime/init/error`), if any.
    pub fn init_error(&self) -> Option<Value> {
        self.state.init_error()
    }

    /// How many events the function has taken so far.
    pub fn invocations(&self) -> usize {
        self.state.handed_out()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Invokes one function; cheap to clone.
#[derive(Clone)]
pub struct Invoker {
    state: Arc<State>,
}

impl Invoker {
    /// As [`RuntimeApi::invoke`].
    pub async fn invoke(&self, event: Value, timeout: Duration) -> Outcome {
        self.invoke_traced(event, timeout, None).await
    }

    /// As [`RuntimeApi::invoke_traced`].
    pub async fn invoke_traced(
        &self,
        event: Value,
        timeout: Duration,
        trace: Option<TraceHeader>,
    ) -> Outcome {
        let trace = trace.unwrap_or_else(|| TraceHeader::fresh(false));
        let (id, outcome) = self.state.queue(event, timeout, trace.header())?;
        match tokio::time::timeout(timeout, outcome).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(json!({
                "errorType": "Runtime.Unavailable",
                "errorMessage": "the Runtime API stopped before the function answered",
            })),
            Err(_) => {
                self.state.forget(&id);
                Err(json!({
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": format!("Task timed out after {:.2} seconds", timeout.as_secs_f64()),
                }))
            }
        }
    }
}
