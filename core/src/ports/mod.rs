//! The ports: what the flows need from the world, as traits. Each host brings its
//! adapters (SQLite and HTTP locally; SQS, DynamoDB, Lambda and Bedrock on AWS).

mod agent;
mod archive;
mod deliverer;
mod intake;
mod queue;
mod store;

pub use agent::{Agent, AgentAnswer, AgentError, AgentQuestion};
pub use archive::{ArchiveError, ConversationArchive, ConversationRecord};
pub use deliverer::{Delivered, Deliverer, DeliveryError, DeliveryErrorKind};
pub use intake::{Intake, SideBySide};
pub use queue::{
    DeadLettered, QueueError, QueueMessage, Receipt, ReceiveBatch, Received, RequestQueue,
};
pub use store::{
    IDEMPOTENCY_WINDOW, IdempotencyClaim, NewRecord, StatusEvent, StatusUpdate, StoreError,
    TrackingRecord, TrackingStore,
};
