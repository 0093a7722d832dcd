//! `revops dlq list` and `revops dlq replay --aws` against the AWS host's real clients
//! (SQS and DynamoDB, on moto): a dead-lettered request in the table and its copy in the
//! dead-letter queue are listed, then replayed: the record goes back to `queued`, its
//! message is on the request queue marked as replayed, and its dead-letter copy is gone
//! while another request's copy stays.

use crate::support::binary::revops_with;
use revops_aws::{AwsClients, DynamoStore, SqsQueue, create_table_if_missing};
use revops_core::{
    Status, TrackingId,
    flows::{RequestMessage, message::REPLAYED_BY_ATTRIBUTE},
    ports::{AgentAnswer, QueueConsumer, QueueSender, StatusUpdate, TrackingStore},
};
use revops_testkit::{
    moto,
    store_contract::{new_record, sample_request},
    unique,
};
use serde_json::Value;
use std::time::Duration;

async fn queue(clients: &AwsClients, name: &str) -> String {
    clients
        .sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned()
}

/// A dead-lettered request, answered, with its message's copy in `dead_letters`.
async fn dead_lettered(store: &DynamoStore, dead_letters: &SqsQueue) -> TrackingId {
    let id = TrackingId::new();
    let new = new_record(id);
    store.create(new.clone()).await.unwrap();
    let now = chrono::Utc::now();
    let answer = AgentAnswer {
        response: "**IXIS**: Negotiation".into(),
        session_id: "s-1".into(),
        answered_at: now,
        ..Default::default()
    };
    let dead = StatusUpdate::new(Status::DeadLettered, now)
        .answer(answer)
        .attempts(5)
        .last_error(Some("HTTP 503 from http://127.0.0.1:9/hook".into()))
        .keep_request(&sample_request());
    store.update(&id, dead).await.unwrap();
    let message = RequestMessage {
        tracking_id: id,
        request: sample_request(),
        queued_at: new.queued_at,
    };
    dead_letters
        .send(message.encode(), Duration::ZERO)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn dead_letters_on_aws_are_listed_and_replayed_with_their_copies_removed() {
    let clients = AwsClients::from_sdk_config(&moto().config().await);
    let (queue_name, dlq_name, table) = (
        unique("revops-requests"),
        unique("revops-dlq"),
        unique("revops-tracking"),
    );
    let requests_url = queue(&clients, &queue_name).await;
    let dead_letters_url = queue(&clients, &dlq_name).await;
    create_table_if_missing(&clients.dynamodb, &table)
        .await
        .unwrap();
    let store = DynamoStore::new(clients.dynamodb.clone(), &table);
    let dead_letters = SqsQueue::new(clients.sqs.clone(), &dead_letters_url);
    let replayed = dead_lettered(&store, &dead_letters).await;
    let kept = dead_lettered(&store, &dead_letters).await;

    let env = [
        ("AWS_ENDPOINT_URL", moto().endpoint()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let on_aws = |args: &[&str]| {
        let all = [
            args,
            &[
                "--aws",
                "--queue",
                &queue_name,
                "--dlq",
                &dlq_name,
                "--table",
                &table,
            ],
        ]
        .concat();
        let output = revops_with(&all, &env);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "revops {all:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };

    let listed: Value =
        serde_json::from_str(&on_aws(&["dlq", "list", "--format", "json"])).unwrap();
    let mut ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["tracking_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = [replayed.to_string(), kept.to_string()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(listed[0]["last_error"].as_str().unwrap().contains("503"));

    let out = on_aws(&[
        "dlq",
        "replay",
        "--tracking-id",
        &replayed.to_string(),
        "--format",
        "json",
    ]);
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["replayed"][0], replayed.to_string());
    assert_eq!(summary["dead_letter_copies_removed"], 1);

    let record = store.get(&replayed).await.unwrap().unwrap();
    assert_eq!(record.status, Status::Queued);
    assert_eq!(record.attempts, 0);
    assert!(record.answer.is_some(), "the stored answer is kept");
    let requests = SqsQueue::new(clients.sqs.clone(), &requests_url);
    let sent = requests.receive(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(sent.messages.len(), 1);
    let message = &sent.messages[0].message;
    assert_eq!(
        RequestMessage::decode(message).unwrap().tracking_id,
        replayed
    );
    assert!(
        message.attributes[REPLAYED_BY_ATTRIBUTE].starts_with("revops dlq replay"),
        "{:?}",
        message.attributes
    );
    assert!(
        message.attributes.contains_key("traceparent"),
        "the replay carries on the request's trace"
    );
    let left = dead_letters
        .receive(10, Duration::from_secs(30))
        .await
        .unwrap();
    let left: Vec<TrackingId> = left
        .messages
        .iter()
        .map(|m| RequestMessage::decode(&m.message).unwrap().tracking_id)
        .collect();
    assert_eq!(left, [kept], "the other request's dead letter stays");
    assert_eq!(
        store.get(&kept).await.unwrap().unwrap().status,
        Status::DeadLettered
    );
}
