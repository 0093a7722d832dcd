//! The SQLite tracking store keeps every request's status, timeline, attempts and answer.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::Utc;
use revops_core::{
    Status, TrackingId,
    ports::{AgentAnswer, StatusUpdate, StoreError, TrackingStore},
};
use revops_local::{Database, SqliteStore, schema::SCHEMA};
use revops_testkit::store_contract::{self, new_record};

#[tokio::test]
async fn a_record_keeps_its_timeline_answer_and_errors_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("revops.sqlite");
    let id = TrackingId::new();
    let answer = AgentAnswer {
        response: "**IXIS**: Negotiate".into(),
        session_id: "webhook_20251122_abcd".into(),
        answered_at: Utc::now(),
    };
    {
        let store = SqliteStore::new(Database::open(&path, SCHEMA).unwrap());
        store.create(new_record(id)).await.unwrap();
        store.create(new_record(id)).await.unwrap();
        store
            .update(
                &id,
                StatusUpdate::new(Status::AgentCompleted, Utc::now()).answer(answer.clone()),
            )
            .await
            .unwrap();
        store
            .update(
                &id,
                StatusUpdate::new(Status::RetryScheduled, Utc::now())
                    .attempts(1)
                    .last_error(Some("HTTP 500".into()))
                    .detail("attempt 1 failed"),
            )
            .await
            .unwrap();
    }
    let store = SqliteStore::new(Database::open(&path, SCHEMA).unwrap());
    let record = store.get(&id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::RetryScheduled);
    assert_eq!(record.attempts, 1);
    assert_eq!(record.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(record.answer, Some(answer));
    let timeline: Vec<_> = record.events.iter().map(|e| e.status).collect();
    assert_eq!(
        timeline,
        [
            Status::Queued,
            Status::AgentCompleted,
            Status::RetryScheduled
        ]
    );
    assert_eq!(record.events[2].detail.as_deref(), Some("attempt 1 failed"));

    store
        .update(
            &id,
            StatusUpdate::new(Status::Delivered, Utc::now()).last_error(None),
        )
        .await
        .unwrap();
    let record = store.get(&id).await.unwrap().unwrap();
    assert_eq!(record.last_error, None);
    assert_eq!(record.attempts, 1, "attempts unchanged when not given");
}

#[tokio::test]
async fn unknown_ids_are_absent_and_cannot_be_updated() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), SCHEMA).unwrap());
    let id = TrackingId::new();
    assert!(store.get(&id).await.unwrap().is_none());
    assert_eq!(
        store
            .update(&id, StatusUpdate::new(Status::Processing, Utc::now()))
            .await,
        Err(StoreError::NotFound(id))
    );
}

#[tokio::test]
async fn a_lease_is_held_by_one_owner_until_released_or_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), SCHEMA).unwrap());
    store_contract::lease_is_held_by_one_owner(&store).await;
}
