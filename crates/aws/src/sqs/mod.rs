//! The request queue on SQS: [`SqsQueue`], its producer and consumer halves
//! ([`queue_pair`]), the attribute mapping, delays beyond SQS's 15 minutes, and the
//! records of Lambda's SQS events; a replay's clean-up of the dead-letter queue.

mod attributes;
mod dead_letters;
mod delay;
mod event;
mod in_flight;
mod pair;
mod queue;

pub use attributes::{AWS_TRACE_HEADER, DEAD_LETTER_REASON_ATTRIBUTE};
pub use delay::{MAX_SQS_DELAY, NOT_BEFORE_ATTRIBUTE, not_due_yet};
pub use event::received_from_event;
pub use pair::queue_pair;
pub use queue::{SQS_MESSAGING_SYSTEM, SqsQueue};
