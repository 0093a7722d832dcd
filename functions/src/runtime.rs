//! One handler under the Lambda runtime: a function's handler is built once per
//! container and serves every invocation through [`serve`], so each `main` is the same
//! three lines (telemetry, handler, serve) whatever its event.

use async_trait::async_trait;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

/// A function's handler: what one invocation does with its event.
#[async_trait]
pub trait Invocation: Send + Sync + 'static {
    /// The invocation's event.
    type Event: DeserializeOwned + Send + 'static;
    /// What the invocation answers.
    type Response: Serialize + Send + 'static;

    /// Handles one invocation; failures are part of the response, never an error.
    async fn invoke(&self, event: LambdaEvent<Self::Event>) -> Self::Response;
}

/// Serves `handler` until the runtime stops.
pub async fn serve<H: Invocation>(handler: H) -> Result<(), lambda_runtime::Error> {
    let handler = Arc::new(handler);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<H::Event>| {
        let handler = handler.clone();
        async move { Ok::<_, lambda_runtime::Error>(handler.invoke(event).await) }
    }))
    .await
}
