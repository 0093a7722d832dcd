//! The SQLite queue keeps SQS's promises: visibility timeouts, receive counts, dead
//! letters, delays, and durability across a reopen.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use common::ManualClock;
use revops_core::ports::{QueueConsumer, QueueError, QueueMessage, QueueSender};
use revops_local::{Database, SqliteQueue, schema::SCHEMA};
use std::{sync::Arc, time::Duration};

fn open(dir: &std::path::Path, clock: Arc<ManualClock>, max_receives: u32) -> SqliteQueue {
    let db = Database::open(&dir.join("revops.sqlite"), &SCHEMA).unwrap();
    SqliteQueue::new(db, clock, max_receives)
}

fn message(body: &str) -> QueueMessage {
    QueueMessage {
        body: body.to_owned(),
        attributes: [("tracking_id".to_owned(), body.to_owned())].into(),
    }
}

const VISIBILITY: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_received_message_is_hidden_until_its_visibility_timeout_passes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::now_ish());
    let queue = open(dir.path(), clock.clone(), 5);
    queue.send(message("a"), Duration::ZERO).await.unwrap();

    let first = queue.receive(10, VISIBILITY).await.unwrap();
    assert_eq!(first.messages.len(), 1);
    assert_eq!(first.messages[0].message, message("a"));
    assert_eq!(first.messages[0].receive_count, 1);
    assert!(
        queue
            .receive(10, VISIBILITY)
            .await
            .unwrap()
            .messages
            .is_empty()
    );

    clock.advance(VISIBILITY + Duration::from_secs(1));
    let again = queue.receive(10, VISIBILITY).await.unwrap();
    assert_eq!(again.messages.len(), 1);
    assert_eq!(again.messages[0].receive_count, 2);
    assert_eq!(
        queue.ack(&first.messages[0].receipt).await,
        Err(QueueError::StaleReceipt),
        "the first receipt went stale when the message came back"
    );
    queue.ack(&again.messages[0].receipt).await.unwrap();
    clock.advance(VISIBILITY * 2);
    assert!(
        queue
            .receive(10, VISIBILITY)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

#[tokio::test]
async fn delays_hold_a_message_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::now_ish());
    let queue = open(dir.path(), clock.clone(), 5);
    queue
        .send(message("later"), Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        queue
            .receive(10, VISIBILITY)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
    let wait = queue.next_visible_in().await.unwrap().unwrap();
    assert!(wait <= Duration::from_secs(10) && wait > Duration::from_secs(9));
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        queue.receive(10, VISIBILITY).await.unwrap().messages.len(),
        1
    );
}

#[tokio::test]
async fn too_many_receives_move_a_message_to_the_dead_letters_with_its_last_error() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::now_ish());
    let queue = open(dir.path(), clock.clone(), 2);
    queue.send(message("poison"), Duration::ZERO).await.unwrap();
    for _ in 0..2 {
        let batch = queue.receive(10, VISIBILITY).await.unwrap();
        let received = &batch.messages[0];
        queue
            .retry_later(&received.receipt, Duration::ZERO, "agent unavailable")
            .await
            .unwrap();
    }
    let batch = queue.receive(10, VISIBILITY).await.unwrap();
    assert!(batch.messages.is_empty());
    assert_eq!(batch.dead_lettered.len(), 1);
    assert_eq!(batch.dead_lettered[0].message, message("poison"));
    assert_eq!(
        batch.dead_lettered[0].last_error.as_deref(),
        Some("agent unavailable")
    );
    let depth = queue.depth().await.unwrap();
    assert_eq!(
        (depth.waiting, depth.in_flight, depth.dead_lettered),
        (0, 0, 1)
    );
}

#[tokio::test]
async fn requeue_starts_the_receive_count_over_and_dead_letter_moves_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::now_ish());
    let queue = open(dir.path(), clock.clone(), 1);
    queue.send(message("retry"), Duration::ZERO).await.unwrap();
    for _ in 0..3 {
        let batch = queue.receive(10, VISIBILITY).await.unwrap();
        assert_eq!(batch.messages[0].receive_count, 1);
        queue
            .requeue(&batch.messages[0].receipt, Duration::from_secs(4))
            .await
            .unwrap();
        clock.advance(Duration::from_secs(4));
    }
    let batch = queue.receive(10, VISIBILITY).await.unwrap();
    queue
        .dead_letter(&batch.messages[0].receipt, "gave up")
        .await
        .unwrap();
    let depth = queue.depth().await.unwrap();
    assert_eq!(
        (depth.waiting, depth.in_flight, depth.dead_lettered),
        (0, 0, 1)
    );
}

#[tokio::test]
async fn messages_survive_a_reopen_and_in_flight_ones_can_be_released() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::now_ish());
    {
        let queue = open(dir.path(), clock.clone(), 5);
        for body in ["a", "b", "c"] {
            queue.send(message(body), Duration::ZERO).await.unwrap();
        }
        let batch = queue.receive(2, VISIBILITY).await.unwrap();
        assert_eq!(batch.messages.len(), 2);
    }
    let queue = open(dir.path(), clock.clone(), 5);
    assert_eq!(
        queue.receive(10, VISIBILITY).await.unwrap().messages.len(),
        1
    );
    assert_eq!(queue.release_in_flight().await.unwrap(), 3);
    let batch = queue.receive(10, VISIBILITY).await.unwrap();
    let mut bodies: Vec<_> = batch
        .messages
        .iter()
        .map(|m| m.message.body.clone())
        .collect();
    bodies.sort();
    assert_eq!(bodies, ["a", "b", "c"]);
}
