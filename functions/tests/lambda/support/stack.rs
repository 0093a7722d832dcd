//! The AWS resources one test uses, new on the shared moto server: the request queue
//! and its dead-letter queue (redrive after 5 receives), the tracking table and the
//! conversation bucket, with the environment that points a function at them.

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use revops_aws::{AwsClients, DynamoStore, create_table_if_missing};
use revops_core::{
    Status, TrackingId,
    ports::{TrackingRecord, TrackingStore},
};
use revops_testkit::{moto, unique};
use std::time::Duration;

/// The resources and the clients that reach them.
pub struct Stack {
    /// The SDK clients, pointed at moto.
    pub clients: AwsClients,
    /// The request queue's URL.
    pub queue_url: String,
    /// The request queue's ARN.
    pub queue_arn: String,
    /// The dead-letter queue's URL.
    pub dead_letter_url: String,
    /// The tracking table.
    pub table: String,
    /// The conversation bucket.
    pub bucket: String,
}

impl Stack {
    /// New resources for one test.
    pub async fn create() -> Self {
        let clients = AwsClients::from_sdk_config(&moto().config().await);
        let sqs = &clients.sqs;
        let dead_letter_url = create_queue(sqs, &unique("revops-dlq"), None).await;
        let dead_letter_arn = queue_arn(sqs, &dead_letter_url).await;
        let redrive =
            format!(r#"{{"deadLetterTargetArn":"{dead_letter_arn}","maxReceiveCount":"5"}}"#);
        let queue_url = create_queue(sqs, &unique("revops-requests"), Some(redrive)).await;
        let queue_arn = queue_arn(sqs, &queue_url).await;
        let table = unique("revops-tracking");
        create_table_if_missing(&clients.dynamodb, &table)
            .await
            .unwrap();
        let bucket = unique("revops-conversations");
        clients
            .s3
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        Self {
            clients,
            queue_url,
            queue_arn,
            dead_letter_url,
            table,
            bucket,
        }
    }

    /// The variables that point a function at these resources (on moto).
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", moto().endpoint()),
            ("OUTBOUND_WEBHOOK_QUEUE_URL", &self.queue_url),
            ("DEAD_LETTER_QUEUE_URL", &self.dead_letter_url),
            ("TRACKING_TABLE_NAME", &self.table),
            ("CONVERSATION_BUCKET", &self.bucket),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// The tracking store, as the functions see it.
    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(self.clients.dynamodb.clone(), self.table.clone())
    }

    /// The tracking record of `id`, which must exist.
    pub async fn record(&self, id: &str) -> TrackingRecord {
        let id: TrackingId = id.parse().unwrap();
        self.store()
            .get(&id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no tracking record for {id}"))
    }

    /// The status of `id`.
    pub async fn status(&self, id: &str) -> Status {
        self.record(id).await.status
    }

    /// Receives up to `count` messages (waiting at most `within`), hidden for
    /// `visibility` seconds, with every attribute, as Lambda's event source would.
    pub async fn receive(&self, count: usize, visibility: i32, within: Duration) -> Vec<Message> {
        let deadline = tokio::time::Instant::now() + within;
        let mut messages = Vec::new();
        while messages.len() < count && tokio::time::Instant::now() < deadline {
            let answer = self
                .clients
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(i32::try_from(count - messages.len()).unwrap().min(10))
                .visibility_timeout(visibility)
                .wait_time_seconds(1)
                .message_attribute_names("All")
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap();
            messages.extend(answer.messages.unwrap_or_default());
        }
        messages
    }

    /// Messages in the request queue: (visible, in flight).
    pub async fn queue_depth(&self) -> (u64, u64) {
        let attributes = self
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default();
        let count = |name: QueueAttributeName| {
            attributes
                .get(&name)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        (
            count(QueueAttributeName::ApproximateNumberOfMessages),
            count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        )
    }
}

async fn create_queue(client: &aws_sdk_sqs::Client, name: &str, redrive: Option<String>) -> String {
    let mut request = client.create_queue().queue_name(name);
    if let Some(redrive) = redrive {
        request = request.attributes(QueueAttributeName::RedrivePolicy, redrive);
    }
    request.send().await.unwrap().queue_url.unwrap()
}

async fn queue_arn(client: &aws_sdk_sqs::Client, url: &str) -> String {
    client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone()
}
