//! The ports: what the flows need from the world, as traits. Each host brings its
//! adapters (SQLite and HTTP locally; SQS, DynamoDB, Lambda and Bedrock on AWS).

mod agent;
mod archive;
mod dead_letters;
mod deliverer;
mod producer;
mod queue;
mod receivers;
mod store;

pub use agent::{Agent, AgentAnswer, AgentError, AgentQuestion, TokenUsage};
pub use archive::{ArchiveError, ConversationArchive, ConversationRecord, NoArchive};
pub use dead_letters::DeadLetterCopies;
pub use deliverer::{Delivered, Deliverer, DeliveryError, DeliveryErrorKind};
pub use producer::{QueueProducer, SideBySide};
pub use queue::{
    DeadLettered, MessagingSystem, Queue, QueueConsumer, QueueError, QueueMessage, QueueSender,
    Receipt, ReceiveBatch, Received,
};
pub use receivers::{
    BreakerPolicy, Circuit, CircuitState, DisabledUrl, FailureRecorded, ReceiverRegistry, origin_of,
};
pub use store::{
    IDEMPOTENCY_WINDOW, IdempotencyClaim, NewRecord, RequestKeyClaim, StatusEvent, StatusUpdate,
    StoreError, TrackingRecord, TrackingStore,
};
