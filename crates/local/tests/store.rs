//! The SQLite tracking store keeps every request's status, timeline, attempts and answer,
//! across a reopen: the testkit's store contract, run on SQLite.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use revops_core::ports::TrackingStore;
use revops_local::{Database, SqliteStore, schema::SCHEMA};
use revops_testkit::store_contract;

/// A store on a new database; the directory lives as long as the returned guard.
fn fresh_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), &SCHEMA).unwrap());
    (dir, store)
}

#[tokio::test]
async fn a_record_keeps_its_timeline_answer_and_errors_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("revops.sqlite");
    let (id, answer) = {
        let store = SqliteStore::new(Database::open(&path, &SCHEMA).unwrap());
        store_contract::write_timeline(&store).await
    };
    let store = SqliteStore::new(Database::open(&path, &SCHEMA).unwrap());
    store_contract::timeline_answer_and_errors_are_kept(&store, id, answer).await;
}

#[tokio::test]
async fn unknown_ids_are_absent_and_cannot_be_updated() {
    let (_dir, store) = fresh_store();
    store_contract::unknown_ids_are_absent(&store).await;
}

#[tokio::test]
async fn a_lease_is_held_by_one_owner_until_released_or_expired() {
    let (_dir, store) = fresh_store();
    store_contract::lease_is_held_by_one_owner(&store).await;
}

#[tokio::test]
async fn a_claim_carries_a_status_change_only_when_granted() {
    let (_dir, store) = fresh_store();
    store_contract::a_claim_carries_a_status_change_only_when_granted(&store).await;
}

#[tokio::test]
async fn a_claim_is_refused_when_the_record_changed_since_it_was_read() {
    let (_dir, store) = fresh_store();
    store_contract::a_claim_is_refused_when_the_record_changed_since_it_was_read(&store).await;
}

#[tokio::test]
async fn a_record_read_back_is_the_record_with_its_updates_applied() {
    let (_dir, store) = fresh_store();
    store_contract::a_record_read_back_is_the_record_with_its_updates_applied(&store).await;
}

#[tokio::test]
async fn a_reopen_is_conditional_and_frees_the_lease() {
    let (_dir, store) = fresh_store();
    store_contract::a_reopen_is_conditional_and_frees_the_lease(&store).await;
}

#[tokio::test]
async fn a_request_key_answers_with_the_recorded_request_or_is_taken_over() {
    let (_dir, store) = fresh_store();
    store_contract::a_request_key_answers_with_the_recorded_request_or_is_taken_over(&store).await;
}

#[tokio::test]
async fn a_data_directory_from_before_trace_ids_keeps_its_requests_and_gains_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("revops.sqlite");
    let old = store_contract::new_record(revops_core::TrackingId::new());
    {
        // The tracking tables as the version before trace ids made them, with one request.
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE tracking (
                    tracking_id TEXT PRIMARY KEY, status TEXT NOT NULL,
                    source_system TEXT NOT NULL, source_process TEXT NOT NULL,
                    queued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT, answer TEXT, lease_owner TEXT, lease_until INTEGER);
                 CREATE TABLE tracking_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    tracking_id TEXT NOT NULL REFERENCES tracking (tracking_id),
                    status TEXT NOT NULL, at INTEGER NOT NULL, detail TEXT);",
            )
            .unwrap();
        let queued_at = old.queued_at.timestamp_micros();
        connection
            .execute(
                "INSERT INTO tracking (tracking_id, status, source_system, source_process, queued_at)
                 VALUES (?1, 'queued', ?2, ?3, ?4)",
                rusqlite::params![
                    old.tracking_id.to_string(),
                    old.source_system,
                    old.source_process,
                    queued_at
                ],
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO tracking_events (tracking_id, status, at) VALUES (?1, 'queued', ?2)",
                rusqlite::params![old.tracking_id.to_string(), queued_at],
            )
            .unwrap();
    }

    let store = SqliteStore::new(Database::open(&path, &SCHEMA).unwrap());
    let kept = store.get(&old.tracking_id).await.unwrap().expect("kept");
    assert_eq!(kept.source_system, old.source_system);
    assert_eq!(kept.events.len(), 1);
    assert_eq!(kept.trace_id, None, "it was accepted before trace ids");
    let new = store_contract::new_record(revops_core::TrackingId::new());
    store.create(new.clone()).await.unwrap();
    let read = store.get(&new.tracking_id).await.unwrap().unwrap();
    assert_eq!(read.trace_id, new.trace_id);
    assert!(new.trace_id.is_some());
}

#[tokio::test]
async fn a_receivers_circuit_opens_probes_and_closes() {
    let (_dir, store) = fresh_store();
    store_contract::a_receivers_circuit_opens_probes_and_closes(&store).await;
}
