//! The SQLite tracking store keeps every request's status, timeline, attempts and answer,
//! across a reopen: the testkit's store contract, run on SQLite.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use revops_local::{Database, SqliteStore, schema::SCHEMA};
use revops_testkit::store_contract;

/// A store on a new database; the directory lives as long as the returned guard.
fn fresh_store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), SCHEMA).unwrap());
    (dir, store)
}

#[tokio::test]
async fn a_record_keeps_its_timeline_answer_and_errors_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("revops.sqlite");
    let (id, answer) = {
        let store = SqliteStore::new(Database::open(&path, SCHEMA).unwrap());
        store_contract::write_timeline(&store).await
    };
    let store = SqliteStore::new(Database::open(&path, SCHEMA).unwrap());
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
async fn a_request_key_answers_with_the_recorded_request_or_is_taken_over() {
    let (_dir, store) = fresh_store();
    store_contract::a_request_key_answers_with_the_recorded_request_or_is_taken_over(&store).await;
}
