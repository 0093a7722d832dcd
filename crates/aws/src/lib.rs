//! The AWS host's adapters for the core's ports:
//!
//! - [`SqsQueue`]: the request queue's consumer half
//!   ([`revops_core::ports::QueueConsumer`]) on SQS, with its dead-letter queue, delays
//!   longer than SQS allows, and the Lambda event records; [`queue_pair`] makes it with
//!   its producer half (the DynamoDB record and the SQS message side by side);
//! - [`DynamoStore`]: the tracking store ([`revops_core::ports::TrackingStore`]) and the
//!   idempotency keys on one DynamoDB table;
//! - [`S3Archive`]: the conversation archive
//!   ([`revops_core::ports::ConversationArchive`]) on S3;
//! - [`AwsClients`]: the SDK clients, built once from the standard AWS configuration.
//!
//! Errors never carry credentials: they name the operation, the service's error code and
//! its message.

mod clients;
mod dynamo;
mod errors;
mod s3_archive;
mod s3_archive_reader;
mod sqs;

pub use clients::AwsClients;
pub use dynamo::{
    DEFAULT_RETENTION, DynamoStore, IDEMPOTENCY_TTL, IdempotencyClaim, create_table_if_missing,
    request_key,
};
pub use errors::describe as describe_error;
pub use s3_archive::S3Archive;
pub use s3_archive_reader::{ArchivedObject, KeyPages, S3ArchiveReader};
pub use sqs::{
    AWS_TRACE_HEADER, DEAD_LETTER_REASON_ATTRIBUTE, MAX_SQS_DELAY, NOT_BEFORE_ATTRIBUTE,
    SQS_MESSAGING_SYSTEM, SqsQueue, not_due_yet, queue_pair, received_from_event,
};
