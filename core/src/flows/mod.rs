//! The flows both hosts run: [`accept`] (the gateway's half) and [`process`] (the
//! processor's: ask the agent, deliver the webhook with retries, record every step).

pub mod accept;
mod known_record;
pub mod message;
pub mod process;
pub mod routing;

pub use accept::{AcceptError, Gateway};
pub use message::{MessageError, RequestMessage};
pub use process::{
    BUSY_RETRY, HandleOutcome, ProcessError, Processor, ProcessorConfig, ProcessorPorts,
};
pub use routing::{Category, DeliveryTargets};
