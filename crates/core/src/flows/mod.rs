//! The flows both hosts run: [`accept`] (the gateway's half) and [`process`] (the
//! processor's: ask the agent, deliver the webhook with retries, record every step),
//! built for either host by one [`Pipeline`]; and [`replay`], which puts a request that
//! reached a bad end back in line.

pub mod accept;
mod known_record;
pub mod message;
mod pipeline;
pub mod process;
pub mod replay;
pub mod routing;

pub use accept::{AcceptError, Gateway};
pub use message::{MessageError, RequestMessage};
pub use pipeline::{Pipeline, ProcessorParts};
pub use process::{
    BUSY_RETRY, HandleOutcome, ProcessError, Processor, ProcessorConfig, ProcessorPorts,
};
pub use replay::{ReplayFrom, ReplayResult, Replayer, Selection, SelectionError};
pub use routing::{DeliveryTargets, classify};
