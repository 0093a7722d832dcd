//! [`S3Archive`]: the conversation archive on S3. Each finished conversation is one JSON
//! object (compact, one line, as Athena's JSON reader wants it) at its date-partitioned
//! key ([`ConversationRecord::key`]), below an optional prefix, with
//! `content-type: application/json` and SSE-S3 (`AES256`) encryption. A later export of
//! the same conversation replaces the object.

use crate::errors::describe;
use async_trait::async_trait;
use aws_sdk_s3::{Client, primitives::ByteStream, types::ServerSideEncryption};
use revops_core::ports::{ArchiveError, ConversationArchive, ConversationRecord};

/// `prefix` as the start of a key: empty, or ending with one `/`.
pub(crate) fn key_prefix(mut prefix: String) -> String {
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    prefix
}

/// The conversation archive in one S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Archive {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3Archive {
    /// An archive in `bucket`, with keys at the bucket's root.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            prefix: String::new(),
        }
    }

    /// With keys below `prefix` (a `/` is added when it does not end with one).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = key_prefix(prefix.into());
        self
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The object key of `conversation`.
    pub fn key_of(&self, conversation: &ConversationRecord) -> String {
        format!("{}{}", self.prefix, conversation.key())
    }
}

#[async_trait]
impl ConversationArchive for S3Archive {
    async fn export(&self, conversation: &ConversationRecord) -> Result<(), ArchiveError> {
        let key = self.key_of(conversation);
        let json =
            serde_json::to_vec(conversation).map_err(|error| ArchiveError(error.to_string()))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/json")
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(json))
            .send()
            .await
            .map_err(|error| {
                ArchiveError(describe(
                    &format!("PutObject s3://{}/{key}", self.bucket),
                    &error,
                ))
            })?;
        Ok(())
    }
}
