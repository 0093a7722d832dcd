//! The processor over the SQLite adapters: two copies of one message (what an
//! at-least-once queue may hand out) never ask the agent twice nor deliver twice; a new
//! request's archived conversation is exactly its stored record; and a message that finds
//! its request changed since it was created works from what was stored.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;
mod pipeline;

use async_trait::async_trait;
use chrono::Utc;
use common::ManualClock;
use revops_core::{
    InboundRequest, Status, TrackingId,
    flows::{HandleOutcome, Processor, RequestMessage},
    ports::{
        Agent, AgentAnswer, AgentError, AgentQuestion, ConversationRecord, QueueConsumer,
        QueueSender, StatusUpdate, TrackingStore,
    },
};
use revops_local::{Database, SqliteQueue, SqliteStore, archive, schema::SCHEMA};
use revops_telemetry::events::EventRecorder;
use revops_testkit::ProbedStore;
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
            ..Default::default()
        })
    }
}

/// A processor over a new database in its own directory, asking a [`SlowAgent`], with
/// the reads it makes of the store counted.
struct Setup {
    dir: tempfile::TempDir,
    queue_clock: Arc<ManualClock>,
    queue: SqliteQueue,
    store: SqliteStore,
    probed: Arc<ProbedStore>,
    agent: Arc<SlowAgent>,
    processor: Processor,
    events: EventRecorder,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("revops.sqlite"), &SCHEMA).unwrap();
    let queue_clock = Arc::new(ManualClock::now_ish());
    let queue = SqliteQueue::new(db.clone(), queue_clock.clone(), 5);
    let store = SqliteStore::new(db);
    let probed = Arc::new(ProbedStore::new(store.clone()));
    let agent = Arc::new(SlowAgent::default());
    let (processor, events) =
        pipeline::recording_processor(dir.path(), agent.clone(), &queue, probed.clone());
    Setup {
        dir,
        queue_clock,
        queue,
        store,
        probed,
        agent,
        processor,
        events,
    }
}

/// A request message, queued now.
fn request_message() -> RequestMessage {
    let body = br#"{"query":"q","source_system":"a","source_process":"b","timestamp":"2025-08-13T06:30:00Z"}"#;
    RequestMessage {
        tracking_id: TrackingId::new(),
        request: InboundRequest::parse(body).unwrap().request,
        queued_at: Utc::now(),
    }
}

#[tokio::test]
async fn two_copies_of_one_message_ask_the_agent_once_and_deliver_once() {
    let Setup {
        dir,
        queue_clock,
        queue,
        store,
        agent,
        processor,
        ..
    } = setup();
    let outbox_path = dir.path().join(pipeline::OUTBOX);
    let message = request_message();
    store.create(message.new_record(None)).await.unwrap();
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

#[tokio::test]
async fn a_delivered_message_emits_its_events_and_a_duplicate_emits_only_its_receipt() {
    let Setup {
        dir: _dir,
        queue,
        store,
        processor,
        events,
        ..
    } = setup();
    let message = request_message();
    store.create(message.new_record(None)).await.unwrap();
    let outcome = send_and_handle_once(&queue, &processor, &message).await;
    assert_eq!(outcome, HandleOutcome::Delivered { attempts: 1 });
    assert_eq!(
        events.names(),
        [
            "MessageReceived",
            "AgentCallFinished",
            "DeliveryAttemptFinished",
            "DeliveryFinished"
        ]
    );
    let duplicate = send_and_handle_once(&queue, &processor, &message).await;
    assert_eq!(duplicate, HandleOutcome::Duplicate);
    assert_eq!(
        events.names()[4..],
        ["MessageReceived"],
        "a duplicate neither asks the agent nor delivers"
    );
}

/// Sends `message` and handles it on its first receive.
async fn send_and_handle_once(
    queue: &SqliteQueue,
    processor: &Processor,
    message: &RequestMessage,
) -> HandleOutcome {
    queue.send(message.encode(), Duration::ZERO).await.unwrap();
    let batch = queue.receive(10, Duration::from_secs(300)).await.unwrap();
    assert_eq!(batch.messages[0].receive_count, 1);
    processor.handle(&batch.messages[0]).await.unwrap()
}

/// The conversations archived below `dir` on the day `message` was queued.
fn archived(dir: &std::path::Path, message: &RequestMessage) -> Vec<ConversationRecord> {
    let day = message.queued_at.format("year=%Y/month=%m/day=%d");
    let path = dir.join(format!("conversations/{day}/{}", archive::DAY_FILE));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test]
async fn a_new_requests_archived_conversation_is_exactly_its_stored_record() {
    let Setup {
        dir,
        queue,
        store,
        probed,
        processor,
        ..
    } = setup();
    let message = request_message();
    store.create(message.new_record(None)).await.unwrap();
    assert_eq!(
        send_and_handle_once(&queue, &processor, &message).await,
        HandleOutcome::Delivered { attempts: 1 }
    );
    assert_eq!(
        probed.reads(),
        0,
        "the record as created is known without reading it"
    );

    let stored = store.get(&message.tracking_id).await.unwrap().unwrap();
    let [conversation] = archived(dir.path(), &message).try_into().unwrap();
    let steps = |events: &[revops_core::ports::StatusEvent]| {
        events.iter().map(|e| e.status).collect::<Vec<_>>()
    };
    assert_eq!(
        steps(&stored.events),
        [
            Status::Queued,
            Status::Processing,
            Status::AgentCompleted,
            Status::Delivering,
            Status::Delivered
        ]
    );
    assert_eq!(
        conversation.events, stored.events,
        "every step, time and detail"
    );
    assert_eq!(
        (
            conversation.status,
            conversation.attempts,
            conversation.queued_at,
            conversation.source_system,
            conversation.source_process,
            conversation.session_id,
        ),
        (
            stored.status,
            stored.attempts,
            stored.queued_at,
            stored.source_system,
            stored.source_process,
            stored.answer.map(|a| a.session_id),
        )
    );
}

#[tokio::test]
async fn a_first_receive_of_a_request_already_answered_delivers_the_stored_answer() {
    let Setup {
        dir,
        queue,
        store,
        probed,
        agent,
        processor,
        ..
    } = setup();
    let message = request_message();
    store.create(message.new_record(None)).await.unwrap();
    // An earlier copy's worker stored the agent's answer and then stopped: a new copy
    // of the message (received for the first time) comes to a record that has changed.
    let answer = AgentAnswer {
        response: "**Stored** answer".into(),
        session_id: "earlier".into(),
        answered_at: Utc::now(),
        ..Default::default()
    };
    store
        .update(
            &message.tracking_id,
            StatusUpdate::new(Status::AgentCompleted, Utc::now()).answer(answer),
        )
        .await
        .unwrap();
    assert_eq!(
        send_and_handle_once(&queue, &processor, &message).await,
        HandleOutcome::Delivered { attempts: 1 }
    );
    assert_eq!(
        agent.calls.load(Ordering::SeqCst),
        0,
        "the agent is not asked again"
    );
    assert_eq!(probed.reads(), 1, "the changed record was read");
    let delivered = std::fs::read_to_string(dir.path().join(pipeline::OUTBOX)).unwrap();
    assert!(delivered.contains("**Stored** answer"), "{delivered}");
    let stored = store.get(&message.tracking_id).await.unwrap().unwrap();
    assert!(
        !stored.events.iter().any(|e| e.status == Status::Processing),
        "no processing step: {:?}",
        stored.events
    );
    let [conversation] = archived(dir.path(), &message).try_into().unwrap();
    assert_eq!(conversation.events, stored.events);
}
