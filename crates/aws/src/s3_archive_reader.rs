//! [`S3ArchiveReader`]: reading the S3 conversation archive back (`revops export --aws`).
//! Keys are listed a page at a time (ListObjectsV2 returns them in key order, and the
//! date-partitioned keys sort by day), starting after the day before the export's window
//! and stopping after its last day, so a window reads only its own days; each object is
//! one conversation, fetched on its own.

use crate::{errors::describe, s3_archive::key_prefix};
use aws_sdk_s3::Client;
use chrono::NaiveDate;
use revops_core::{
    export::ExportFilter,
    ports::{ArchiveError, ConversationRecord},
};

/// The conversation archive in one S3 bucket, read back.
#[derive(Debug, Clone)]
pub struct S3ArchiveReader {
    client: Client,
    bucket: String,
    /// Where the partitions start: `<prefix>conversations/`.
    root: String,
}

/// What one archived object held.
#[derive(Debug)]
pub enum ArchivedObject {
    /// A conversation.
    Conversation(Box<ConversationRecord>),
    /// Something that does not parse as one: why.
    Unreadable(String),
}

/// The listing of an export's keys, a page at a time.
#[derive(Debug)]
pub struct KeyPages<'a> {
    reader: &'a S3ArchiveReader,
    filter: ExportFilter,
    continuation: Option<String>,
    done: bool,
}

impl S3ArchiveReader {
    /// The archive in `bucket`, below `prefix` (empty for the bucket's root; a `/` is
    /// added when it does not end with one), as [`crate::S3Archive`] writes it.
    pub fn new(client: Client, bucket: impl Into<String>, prefix: &str) -> Self {
        let mut root = key_prefix(prefix.to_owned());
        root.push_str("conversations/");
        Self {
            client,
            bucket: bucket.into(),
            root,
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The keys of the conversations queued on a day `filter` covers, oldest day first.
    pub fn keys(&self, filter: &ExportFilter) -> KeyPages<'_> {
        KeyPages {
            reader: self,
            filter: filter.clone(),
            continuation: None,
            done: false,
        }
    }

    /// The conversation at `key`; an object that is not one is [`ArchivedObject::Unreadable`],
    /// an S3 that does not answer an error.
    pub async fn get(&self, key: &str) -> Result<ArchivedObject, ArchiveError> {
        let operation = || format!("GetObject s3://{}/{key}", self.bucket);
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| ArchiveError(describe(&operation(), &error)))?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|error| ArchiveError(format!("{}: {error}", operation())))?
            .into_bytes();
        Ok(match serde_json::from_slice(&bytes) {
            Ok(conversation) => ArchivedObject::Conversation(Box::new(conversation)),
            Err(error) => ArchivedObject::Unreadable(format!("{}: {error}", operation())),
        })
    }

    /// The day a key's partition names, if it is a conversation's key.
    fn day_of(&self, key: &str) -> Option<NaiveDate> {
        let partition = key.strip_prefix(&self.root)?;
        let mut parts = partition.splitn(4, '/');
        let mut number = |name: &str| {
            parts
                .next()?
                .strip_prefix(name)?
                .strip_prefix('=')?
                .parse::<u32>()
                .ok()
        };
        let (year, month, day) = (number("year")?, number("month")?, number("day")?);
        NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
    }

    /// The key to list after for a window that starts on `day`: that day's partition
    /// sorts after every earlier day's keys and before its own.
    fn start_after(&self, day: NaiveDate) -> String {
        format!("{}{}", self.root, day.format("year=%Y/month=%m/day=%d"))
    }
}

impl KeyPages<'_> {
    /// The next page of keys, `None` after the last. A page may be empty when every key
    /// on it lies outside the window.
    pub async fn next_page(&mut self) -> Result<Option<Vec<String>>, ArchiveError> {
        if self.done {
            return Ok(None);
        }
        let reader = self.reader;
        let start_after = match (&self.continuation, self.filter.from) {
            (None, Some(from)) => Some(reader.start_after(from.date_naive())),
            _ => None,
        };
        let page = reader
            .client
            .list_objects_v2()
            .bucket(&reader.bucket)
            .prefix(&reader.root)
            .set_start_after(start_after)
            .set_continuation_token(self.continuation.take())
            .send()
            .await
            .map_err(|error| {
                ArchiveError(describe(
                    &format!("ListObjectsV2 s3://{}/{}", reader.bucket, reader.root),
                    &error,
                ))
            })?;
        self.continuation = page.next_continuation_token().map(str::to_owned);
        self.done = self.continuation.is_none();
        let mut keys = Vec::new();
        for object in page.contents() {
            let Some(key) = object.key() else { continue };
            let Some(day) = reader.day_of(key) else {
                continue;
            };
            if self.filter.to.is_some_and(|to| day > to.date_naive()) {
                self.done = true;
                break;
            }
            if self.filter.covers_day(day) {
                keys.push(key.to_owned());
            }
        }
        Ok(Some(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(prefix: &str) -> S3ArchiveReader {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .build();
        S3ArchiveReader::new(Client::from_conf(config), "bucket", prefix)
    }

    #[test]
    fn keys_name_their_day_and_the_window_starts_before_its_first_day() {
        let reader = reader("exports");
        let day = NaiveDate::from_ymd_opt(2025, 8, 4).unwrap();
        assert_eq!(
            reader.day_of("exports/conversations/year=2025/month=08/day=04/abc.json"),
            Some(day)
        );
        assert_eq!(
            reader.day_of("exports/other/year=2025/month=08/day=04/a"),
            None
        );
        assert_eq!(
            reader.day_of("exports/conversations/year=2025/a.json"),
            None
        );
        let start = reader.start_after(day);
        assert!(start.as_str() < "exports/conversations/year=2025/month=08/day=04/abc.json");
        assert!(start.as_str() > "exports/conversations/year=2025/month=08/day=03/zzz.json");
        assert_eq!(
            super::S3ArchiveReader::new(reader.client.clone(), "b", "").root,
            "conversations/"
        );
    }
}
