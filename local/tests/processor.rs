//! The processor over the SQLite adapters: two copies of one message (what an
//! at-least-once queue may hand out) never ask the agent twice nor deliver twice.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;
mod pipeline;

use async_trait::async_trait;
use chrono::Utc;
use common::ManualClock;
use revops_core::{
    InboundRequest, TrackingId,
    flows::{HandleOutcome, RequestMessage},
    ports::{
        Agent, AgentAnswer, AgentError, AgentQuestion, NewRecord, RequestQueue, TrackingStore,
    },
};
use revops_local::{Database, SqliteQueue, SqliteStore, archive, schema::SCHEMA};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

/// An agent that takes a while and counts its calls.
#[derive(Default)]
struct SlowAgent {
    calls: AtomicUsize,
}

#[async_trait]
impl Agent for SlowAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(AgentAnswer {
            response: format!("**Answer** to {}", question.query),
            session_id: "s1".into(),
            answered_at: Utc::now(),
        })
    }
}

#[tokio::test]
async fn two_copies_of_one_message_ask_the_agent_once_and_deliver_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("revops.sqlite"), SCHEMA).unwrap();
    let queue_clock = Arc::new(ManualClock::now_ish());
    let queue = SqliteQueue::new(db.clone(), queue_clock.clone(), 5);
    let store = SqliteStore::new(db);
    let outbox_path = dir.path().join(pipeline::OUTBOX);
    let agent = Arc::new(SlowAgent::default());
    let processor = pipeline::processor(dir.path(), agent.clone(), &queue, &store);

    let body = br#"{"query":"q","source_system":"a","source_process":"b","timestamp":"2025-08-13T06:30:00Z"}"#;
    let message = RequestMessage {
        tracking_id: TrackingId::new(),
        request: InboundRequest::parse(body).unwrap().request,
        queued_at: Utc::now(),
    };
    store
        .create(NewRecord {
            tracking_id: message.tracking_id,
            source_system: "a".into(),
            source_process: "b".into(),
            queued_at: message.queued_at,
        })
        .await
        .unwrap();
    queue.send(message.encode(), Duration::ZERO).await.unwrap();
    queue.send(message.encode(), Duration::ZERO).await.unwrap();

    let batch = queue.receive(10, Duration::from_secs(300)).await.unwrap();
    assert_eq!(batch.messages.len(), 2);
    let (first, second) = tokio::join!(
        processor.handle(&batch.messages[0]),
        processor.handle(&batch.messages[1])
    );
    let mut outcomes = [first.unwrap(), second.unwrap()];
    outcomes.sort_by_key(|o| matches!(o, HandleOutcome::Busy));
    assert_eq!(
        outcomes,
        [
            HandleOutcome::Delivered { attempts: 1 },
            HandleOutcome::Busy
        ]
    );
    assert_eq!(agent.calls.load(Ordering::SeqCst), 1);
    assert!(outcomes[1].returned_to_queue());

    // The copy comes back later and finds the request finished.
    queue_clock.advance(revops_core::flows::BUSY_RETRY);
    let batch = queue.receive(10, Duration::from_secs(300)).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    assert_eq!(
        processor.handle(&batch.messages[0]).await.unwrap(),
        HandleOutcome::Duplicate
    );
    assert_eq!(agent.calls.load(Ordering::SeqCst), 1);
    let deliveries = std::fs::read_to_string(&outbox_path)
        .unwrap()
        .lines()
        .count();
    assert_eq!(deliveries, 1);
    assert_eq!(queue.depth().await.unwrap().waiting, 0);

    let day = message.queued_at.format("year=%Y/month=%m/day=%d");
    let archived = dir
        .path()
        .join(format!("conversations/{day}/{}", archive::DAY_FILE));
    let archived = std::fs::read_to_string(archived).unwrap();
    let conversations: Vec<serde_json::Value> = archived
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(conversations.len(), 1, "archived once: {archived}");
    let conversation = &conversations[0];
    assert_eq!(conversation["tracking_id"], message.tracking_id.to_string());
    assert_eq!(conversation["status"], "delivered");
    assert_eq!(conversation["response"], "**Answer** to q");
    assert_eq!(conversation["events"].as_array().unwrap().len(), 5);
}
