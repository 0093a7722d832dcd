//! The whole stack at once, as the trace tests need it: the moto resources, the Bedrock
//! stand-in answering the seed's question, a receiver that takes every webhook, and the
//! three functions wired to each other (the processor asking through the wrapper's
//! `Invoke` endpoint), each with the same extra variables.

use super::{Function, InvokableWrapper, Stack, functions::owned};
use revops_testkit::{
    bedrock::{FakeBedrock, Reply},
    webhook::WebhookReceiver,
};

/// The running deployment; everything stops when it is dropped.
pub struct Deployment {
    /// The moto resources.
    pub stack: Stack,
    /// The Bedrock stand-in.
    pub bedrock: FakeBedrock,
    /// The webhook receiver (always `200`).
    pub receiver: WebhookReceiver,
    /// The gateway function.
    pub gateway: Function,
    /// The agent wrapper function, behind its `Invoke` endpoint.
    pub wrapper: InvokableWrapper,
    /// The processor function.
    pub processor: Function,
}

impl Deployment {
    /// Starts it, giving every function `extra` variables.
    pub async fn start(extra: &[(&str, &str)]) -> Self {
        let stack = Stack::create().await;
        let bedrock = FakeBedrock::answering(|_| Reply::text(&["**IXIS**", ": Negotiation"])).await;
        let receiver = WebhookReceiver::always(200).await;
        let gateway = Function::gateway(&stack, extra).await;
        let wrapper = InvokableWrapper::start(&bedrock.url(), extra).await;
        let mut processor_env = wrapper.route();
        processor_env.extend(owned(extra));
        let processor = Function::processor(&stack, &receiver.url(), processor_env).await;
        Self {
            stack,
            bedrock,
            receiver,
            gateway,
            wrapper,
            processor,
        }
    }
}
