//! The flows both hosts run: [`accept`] (the gateway's half) and [`process`] (the
//! processor's: ask the agent, deliver the webhook with retries, record every step),
//! built for either host by one [`Pipeline`].

pub mod accept;
mod known_record;
pub mod message;
mod pipeline;
pub mod process;
pub mod routing;

pub use accept::{AcceptError, Gateway};
pub use message::{MessageError, RequestMessage};
pub use pipeline::{Pipeline, ProcessorParts};
pub use process::{
    BUSY_RETRY, HandleOutcome, ProcessError, Processor, ProcessorConfig, ProcessorPorts,
};
pub use routing::{DeliveryTargets, classify};
