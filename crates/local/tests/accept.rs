//! The gateway's flow when one of its two writes fails: the queue decides. Through the
//! side-by-side producer (the AWS host's), a request the queue took is accepted (and its
//! missing record is made by the processor); a request the queue refused is not, and its
//! record says so. Through the local producer, which writes both at once, a request is
//! recorded and queued, or neither.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod pipeline;

use async_trait::async_trait;
use chrono::Utc;
use revops_core::{
    InboundRequest, Status, SystemClock,
    flows::{AcceptError, Gateway, HandleOutcome},
    ports::{
        Agent, AgentAnswer, AgentError, AgentQuestion, MessagingSystem, Queue, QueueConsumer,
        QueueError, QueueMessage, QueueProducer, QueueSender, SideBySide, TrackingStore,
    },
};
use revops_local::{Database, SqliteProducer, SqliteQueue, SqliteStore, schema::SCHEMA};
use revops_telemetry::Telemetry;
use revops_testkit::ProbedStore;
use std::{sync::Arc, time::Duration};

const SEED_REQUEST: &[u8] = br#"{"query":"Which deals are in Negotiate?","source_system":"crm","source_process":"renewals","timestamp":"2026-11-22T06:30:00Z"}"#;

/// The SQLite queue, except that it refuses every message sent to it.
struct RefusingQueue(SqliteQueue);

#[async_trait]
impl Queue for RefusingQueue {
    fn system(&self) -> MessagingSystem {
        self.0.system()
    }
    async fn ping(&self) -> Result<(), QueueError> {
        self.0.ping().await
    }
}

#[async_trait]
impl QueueSender for RefusingQueue {
    async fn send(&self, _: QueueMessage, _: Duration) -> Result<String, QueueError> {
        Err(QueueError::Unavailable("the disk is full".into()))
    }
}

/// An agent that answers at once.
struct EchoAgent;

#[async_trait]
impl Agent for EchoAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        Ok(AgentAnswer {
            response: format!("You asked: {}", question.query),
            session_id: "s1".into(),
            answered_at: Utc::now(),
            ..Default::default()
        })
    }
}

fn open(dir: &std::path::Path) -> (SqliteQueue, SqliteStore) {
    let db = Database::open(&dir.join("revops.sqlite"), &SCHEMA).unwrap();
    (
        SqliteQueue::new(db.clone(), Arc::new(SystemClock), 5),
        SqliteStore::new(db),
    )
}

fn gateway(producer: Arc<dyn QueueProducer>, store: Arc<dyn TrackingStore>) -> Gateway {
    Gateway::new(
        producer,
        store,
        Arc::new(SystemClock),
        Telemetry::without_metrics("gateway"),
    )
}

/// The gateway writing to `queue` and `store` side by side, as on AWS.
fn side_by_side(queue: Arc<dyn QueueSender>, store: Arc<dyn TrackingStore>) -> Gateway {
    let producer = SideBySide::new(queue, store.clone(), Arc::new(SystemClock));
    gateway(Arc::new(producer), store)
}

#[tokio::test]
async fn a_refused_message_is_not_accepted_and_its_record_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, store) = open(dir.path());
    let gateway = side_by_side(
        Arc::new(RefusingQueue(queue.clone())),
        Arc::new(store.clone()),
    );
    let request = InboundRequest::parse(SEED_REQUEST).unwrap().request;
    let refused = gateway.accept(request, None).await.unwrap_err();
    let AcceptError::Unavailable(reason) = refused;
    assert!(reason.contains("the disk is full"), "{reason}");
    assert_eq!(queue.depth().await.unwrap().waiting, 0);
    // The record written beside the refused send is marked, so nobody waits for it.
    let database = dir.path().join("revops.sqlite");
    assert_eq!(count(&database, "SELECT COUNT(*) FROM tracking"), 1);
    let failed = count(
        &database,
        "SELECT COUNT(*) FROM tracking WHERE status = 'failed' AND last_error LIKE '%disk is full%'",
    );
    assert_eq!(failed, 1);
}

#[tokio::test]
async fn a_queued_message_is_accepted_and_delivered_though_its_record_was_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, store) = open(dir.path());
    let gateway = side_by_side(
        Arc::new(queue.clone()),
        Arc::new(ProbedStore::refusing_creates(store.clone())),
    );
    let request = InboundRequest::parse(SEED_REQUEST).unwrap().request;
    let accepted = gateway.accept(request, None).await.unwrap();
    assert!(store.get(&accepted.tracking_id).await.unwrap().is_none());
    assert_eq!(queue.depth().await.unwrap().waiting, 1);

    let processor = pipeline::processor(
        dir.path(),
        Arc::new(EchoAgent),
        &queue,
        Arc::new(store.clone()),
    );
    let batch = queue.receive(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    assert_eq!(
        processor.handle(&batch.messages[0]).await.unwrap(),
        HandleOutcome::Delivered { attempts: 1 }
    );
    let record = store.get(&accepted.tracking_id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::Delivered);
    assert_eq!(record.source_system, "crm");
    assert_eq!(
        record.events.first().map(|e| e.status),
        Some(Status::Queued)
    );
    let delivered = std::fs::read_to_string(dir.path().join(pipeline::OUTBOX)).unwrap();
    assert!(delivered.contains(&accepted.tracking_id.to_string()));
}

#[tokio::test]
async fn through_the_local_producer_a_request_is_recorded_and_queued_or_neither() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, store) = open(dir.path());
    let gateway = gateway(
        Arc::new(SqliteProducer::new(queue.clone())),
        Arc::new(store.clone()),
    );
    let database = dir.path().join("revops.sqlite");
    let refuse_messages = "CREATE TRIGGER refuse BEFORE INSERT ON queue_messages
                           BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;";
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute_batch(refuse_messages)
        .unwrap();

    let request = InboundRequest::parse(SEED_REQUEST).unwrap().request;
    let AcceptError::Unavailable(reason) = gateway.accept(request, None).await.unwrap_err();
    assert!(reason.contains("the disk is full"), "{reason}");
    assert_eq!(count(&database, "SELECT COUNT(*) FROM tracking"), 0);
    assert_eq!(count(&database, "SELECT COUNT(*) FROM tracking_events"), 0);
    assert_eq!(queue.depth().await.unwrap().waiting, 0);

    rusqlite::Connection::open(&database)
        .unwrap()
        .execute_batch("DROP TRIGGER refuse;")
        .unwrap();
    let request = InboundRequest::parse(SEED_REQUEST).unwrap().request;
    let accepted = gateway.accept(request, None).await.unwrap();
    let record = store.get(&accepted.tracking_id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::Queued);
    assert_eq!(record.events.len(), 1);
    let batch = queue.receive(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!(batch.messages.len(), 1);
    assert_eq!(
        batch.messages[0].message.attributes.get("tracking_id"),
        Some(&accepted.tracking_id.to_string())
    );
}

/// One number from the database, read outside the adapters.
fn count(path: &std::path::Path, sql: &str) -> i64 {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}
