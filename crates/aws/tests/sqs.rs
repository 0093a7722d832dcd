//! The SQS queue against moto: attributes and the X-Ray header round-trip, visibility,
//! acks, returns, requeues, dead letters (ours and SQS's redrive), long delays, and
//! Lambda's event records.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::{
    Client,
    types::{MessageAttributeValue, QueueAttributeName},
};
use revops_aws::{
    AWS_TRACE_HEADER, AwsClients, DEAD_LETTER_REASON_ATTRIBUTE, NOT_BEFORE_ATTRIBUTE, SqsQueue,
    not_due_yet, received_from_event,
};
use revops_core::ports::{Queue, QueueConsumer, QueueError, QueueMessage, QueueSender, Received};
use revops_testkit::{moto, unique};
use std::{collections::BTreeMap, time::Duration};

const VISIBILITY: Duration = Duration::from_secs(30);
const TRACE_HEADER: &str =
    "Root=1-6921a4e0-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1";

/// A request queue and its dead-letter queue, new for each test.
struct Queues {
    client: Client,
    queue: SqsQueue,
    dead_letters: SqsQueue,
}

/// New queues; with `max_receives`, the source queue redrives to the dead-letter queue
/// after that many receives.
async fn queues(max_receives: Option<u32>) -> Queues {
    let config = moto().config().await;
    let client = AwsClients::from_sdk_config(&config).sqs;
    let dlq_url = create_queue(&client, &unique("revops-dlq"), None).await;
    let redrive = match max_receives {
        Some(max) => {
            let arn = client
                .get_queue_attributes()
                .queue_url(&dlq_url)
                .attribute_names(QueueAttributeName::QueueArn)
                .send()
                .await
                .unwrap()
                .attributes
                .unwrap()[&QueueAttributeName::QueueArn]
                .clone();
            Some(format!(
                r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"{max}"}}"#
            ))
        }
        None => None,
    };
    let url = create_queue(&client, &unique("revops-requests"), redrive).await;
    Queues {
        queue: SqsQueue::new(client.clone(), url).with_dead_letter_queue(&dlq_url),
        dead_letters: SqsQueue::new(client.clone(), dlq_url),
        client,
    }
}

async fn create_queue(client: &Client, name: &str, redrive: Option<String>) -> String {
    let mut create = client.create_queue().queue_name(name);
    if let Some(policy) = redrive {
        create = create.attributes(QueueAttributeName::RedrivePolicy, policy);
    }
    create.send().await.unwrap().queue_url.unwrap()
}

/// Messages in `url`: (visible, in flight).
async fn depth(client: &Client, url: &str) -> (u64, u64) {
    let attributes = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    let count = |name| attributes[&name].parse().unwrap();
    (
        count(QueueAttributeName::ApproximateNumberOfMessages),
        count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

/// A message like the gateway's, with the trace context and the X-Ray header.
fn message(body: &str) -> QueueMessage {
    QueueMessage {
        body: body.to_owned(),
        attributes: [
            ("tracking_id", body),
            (
                "traceparent",
                "00-6921a4e00123456789abcdef01234567-0123456789abcdef-01",
            ),
            ("tracestate", "revops=1"),
            ("baggage", "tracking_id=abc"),
            (AWS_TRACE_HEADER, TRACE_HEADER),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    }
}

async fn receive_one(queue: &SqsQueue) -> Received {
    let batch = queue.receive(10, VISIBILITY).await.unwrap();
    assert!(batch.dead_lettered.is_empty(), "SQS dead-letters by itself");
    assert_eq!(batch.messages.len(), 1, "{batch:?}");
    batch.messages.into_iter().next().unwrap()
}

async fn receive_none(queue: &SqsQueue) {
    let batch = queue.receive(10, VISIBILITY).await.unwrap();
    assert!(batch.messages.is_empty(), "{batch:?}");
}

#[tokio::test]
async fn a_message_keeps_its_body_attributes_and_trace_header_and_hides_until_acked() {
    let q = queues(None).await;
    q.queue.ping().await.unwrap();
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    let id = q.queue.send(message("a"), Duration::ZERO).await.unwrap();

    let received = receive_one(&q.queue).await;
    assert_eq!(received.message_id, id);
    assert_eq!(received.message, message("a"));
    assert_eq!(received.message.attributes[AWS_TRACE_HEADER], TRACE_HEADER);
    assert_eq!(received.receive_count, 1);
    assert!(received.sent_at > before && received.sent_at <= chrono::Utc::now());
    receive_none(&q.queue).await;
    assert_eq!(depth(&q.client, q.queue.queue_url()).await, (0, 1));

    q.queue.ack(&received.receipt).await.unwrap();
    assert_eq!(depth(&q.client, q.queue.queue_url()).await, (0, 0));
}

#[tokio::test]
async fn retry_later_returns_a_message_and_its_receives_count() {
    let q = queues(None).await;
    q.queue.send(message("b"), Duration::ZERO).await.unwrap();
    let first = receive_one(&q.queue).await;
    q.queue
        .retry_later(&first.receipt, Duration::ZERO, "agent unavailable")
        .await
        .unwrap();
    let second = receive_one(&q.queue).await;
    assert_eq!(second.message_id, first.message_id);
    assert_eq!(second.receive_count, 2);
    assert_eq!(second.message, message("b"));
    q.queue.ack(&second.receipt).await.unwrap();
}

#[tokio::test]
async fn requeue_sends_a_fresh_copy_and_delays_hold_it_back() {
    let q = queues(None).await;
    q.queue.send(message("c"), Duration::ZERO).await.unwrap();
    let first = receive_one(&q.queue).await;
    q.queue
        .retry_later(&first.receipt, Duration::ZERO, "again")
        .await
        .unwrap();
    let second = receive_one(&q.queue).await;
    assert_eq!(second.receive_count, 2);

    q.queue
        .requeue(&second.receipt, Duration::from_secs(1))
        .await
        .unwrap();
    receive_none(&q.queue).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let copy = receive_one(&q.queue).await;
    assert_ne!(copy.message_id, first.message_id, "a new message");
    assert_eq!(copy.receive_count, 1, "its count starts over");
    assert_eq!(copy.message, message("c"));
    q.queue.ack(&copy.receipt).await.unwrap();
    assert_eq!(depth(&q.client, q.queue.queue_url()).await, (0, 0));
}

#[tokio::test]
async fn a_delay_beyond_fifteen_minutes_is_chained_through_the_due_time() {
    let q = queues(None).await;
    q.queue
        .send(message("later"), Duration::from_secs(3_600))
        .await
        .unwrap();
    receive_none(&q.queue).await;
    assert_eq!(depth(&q.client, q.queue.queue_url()).await.0, 0);

    // What comes back after 15 minutes still carries its due time, and the host sends
    // it back for the rest. Such a message is sent here by hand, with 10 minutes to go.
    let due = chrono::Utc::now() + chrono::Duration::seconds(600);
    q.client
        .send_message()
        .queue_url(q.queue.queue_url())
        .message_body("early")
        .message_attributes(
            NOT_BEFORE_ATTRIBUTE,
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(due.to_rfc3339())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let received = receive_one(&q.queue).await;
    let wait = not_due_yet(&received, chrono::Utc::now()).unwrap();
    assert!(wait > Duration::from_secs(590) && wait <= Duration::from_secs(600));
    q.queue.requeue(&received.receipt, wait).await.unwrap();
    receive_none(&q.queue).await;
    assert_eq!(depth(&q.client, q.queue.queue_url()).await, (0, 0));
}

#[tokio::test]
async fn dead_letter_moves_a_copy_with_its_reason_to_the_dead_letter_queue() {
    let q = queues(None).await;
    q.queue
        .send(message("poison"), Duration::ZERO)
        .await
        .unwrap();
    let received = receive_one(&q.queue).await;
    q.queue
        .dead_letter(&received.receipt, "undecodable queue message")
        .await
        .unwrap();
    assert_eq!(depth(&q.client, q.queue.queue_url()).await, (0, 0));

    let dead = receive_one(&q.dead_letters).await;
    let mut expected = message("poison");
    expected.attributes.insert(
        DEAD_LETTER_REASON_ATTRIBUTE.to_owned(),
        "undecodable queue message".to_owned(),
    );
    assert_eq!(dead.message, expected);

    let unconfigured = SqsQueue::new(q.client.clone(), q.queue.queue_url());
    unconfigured
        .send(message("x"), Duration::ZERO)
        .await
        .unwrap();
    let received = receive_one(&unconfigured).await;
    assert!(matches!(
        unconfigured.dead_letter(&received.receipt, "r").await,
        Err(QueueError::Unavailable(_))
    ));
}

#[tokio::test]
async fn the_redrive_policy_moves_a_message_received_too_often() {
    let q = queues(Some(2)).await;
    q.queue
        .send(message("loops"), Duration::ZERO)
        .await
        .unwrap();
    for count in 1..=2 {
        let received = receive_one(&q.queue).await;
        assert_eq!(received.receive_count, count);
        q.queue
            .retry_later(&received.receipt, Duration::ZERO, "crashed")
            .await
            .unwrap();
    }
    receive_none(&q.queue).await;
    let dead = receive_one(&q.dead_letters).await;
    assert_eq!(dead.message, message("loops"));
}

#[tokio::test]
async fn a_bad_receipt_is_stale_and_a_dead_queue_is_unavailable() {
    let q = queues(None).await;
    let bogus = revops_core::ports::Receipt("not-a-receipt".into());
    assert_eq!(q.queue.ack(&bogus).await, Err(QueueError::StaleReceipt));
    assert_eq!(
        q.queue.requeue(&bogus, Duration::ZERO).await,
        Err(QueueError::StaleReceipt),
        "a receipt this queue never received"
    );
    let missing = SqsQueue::new(
        q.client.clone(),
        format!("{}/000000000000/no-such-queue", moto().endpoint()),
    );
    match missing.ping().await {
        Err(QueueError::Unavailable(message)) => {
            assert!(message.starts_with("GetQueueAttributes: "), "{message}");
            assert!(!message.contains("testing"), "no credentials: {message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// The record Lambda would hand over for a message received from SQS.
fn lambda_record(received: &Received) -> SqsMessage {
    let attributes: BTreeMap<&str, String> = [
        (
            "ApproximateReceiveCount",
            received.receive_count.to_string(),
        ),
        (
            "SentTimestamp",
            received.sent_at.timestamp_millis().to_string(),
        ),
        (
            AWS_TRACE_HEADER,
            received.message.attributes[AWS_TRACE_HEADER].clone(),
        ),
    ]
    .into();
    let message_attributes: serde_json::Map<String, serde_json::Value> = received
        .message
        .attributes
        .iter()
        .filter(|(name, _)| name.as_str() != AWS_TRACE_HEADER)
        .map(|(name, value)| {
            (
                name.clone(),
                serde_json::json!({"stringValue": value, "stringListValues": [],
                                   "binaryListValues": [], "dataType": "String"}),
            )
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "messageId": received.message_id,
        "receiptHandle": received.receipt.0,
        "body": received.message.body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "eventSource": "aws:sqs",
        "awsRegion": "us-east-1",
    }))
    .unwrap()
}

#[tokio::test]
async fn lambda_event_records_read_like_received_messages_and_can_be_returned() {
    let q = queues(None).await;
    q.queue
        .send(message("event"), Duration::ZERO)
        .await
        .unwrap();
    let received = receive_one(&q.queue).await;
    let from_event = received_from_event(&lambda_record(&received));
    assert_eq!(from_event, received);

    // A Lambda host's queue never received the message itself: it remembers the record.
    let host = SqsQueue::new(q.client.clone(), q.queue.queue_url())
        .with_dead_letter_queue(q.dead_letters.queue_url());
    assert_eq!(
        host.dead_letter(&from_event.receipt, "gave up").await,
        Err(QueueError::StaleReceipt)
    );
    host.remember(&from_event);
    host.dead_letter(&from_event.receipt, "gave up")
        .await
        .unwrap();
    let dead = receive_one(&q.dead_letters).await;
    assert_eq!(dead.message.body, "event");
    assert_eq!(
        dead.message.attributes[DEAD_LETTER_REASON_ATTRIBUTE],
        "gave up"
    );
}

#[test]
fn a_lambda_event_fixture_gives_every_field() {
    let event: SqsEvent = serde_json::from_str(include_str!("fixtures/sqs_event.json")).unwrap();
    let received = received_from_event(&event.records[0]);
    assert_eq!(received.message_id, "5b7e3c1a-9f2d-4e6b-8a1c-2d3e4f5a6b7c");
    assert_eq!(
        received.receipt.0,
        "AQEBexampleReceiptHandleForTheRevOpsTests=="
    );
    assert_eq!(
        received.message.body,
        r#"{"tracking_id":"0f1e2d3c-4b5a-4697-8877-665544332211"}"#
    );
    assert_eq!(received.receive_count, 3);
    assert_eq!(received.sent_at.timestamp_millis(), 1_763_820_000_123);
    let attributes: Vec<(&str, &str)> = received
        .message
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attributes,
        [
            (AWS_TRACE_HEADER, TRACE_HEADER),
            (
                "traceparent",
                "00-6921a4e00123456789abcdef01234567-0123456789abcdef-01"
            ),
            ("tracking_id", "0f1e2d3c-4b5a-4697-8877-665544332211"),
        ]
    );
}
