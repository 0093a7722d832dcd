//! The SQLite tracking store keeps every request's status, timeline, attempts and answer,
//! across a reopen: the testkit's store contract, run on SQLite.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use revops_local::{Database, SqliteStore, schema::SCHEMA};
use revops_testkit::store_contract;

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
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), SCHEMA).unwrap());
    store_contract::unknown_ids_are_absent(&store).await;
}

#[tokio::test]
async fn a_lease_is_held_by_one_owner_until_released_or_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), SCHEMA).unwrap());
    store_contract::lease_is_held_by_one_owner(&store).await;
}

#[tokio::test]
async fn a_claim_carries_a_status_change_only_when_granted() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::new(Database::open(&dir.path().join("db"), SCHEMA).unwrap());
    store_contract::a_claim_carries_a_status_change_only_when_granted(&store).await;
}

/// The tables of a database written before the steps moved to `request_events`: one
/// numbering of the steps for every request.
const EARLIER_SCHEMA: &str = "
CREATE TABLE tracking (
    tracking_id TEXT PRIMARY KEY, status TEXT NOT NULL, source_system TEXT NOT NULL,
    source_process TEXT NOT NULL, queued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, answer TEXT,
    lease_owner TEXT, lease_until INTEGER
);
CREATE TABLE tracking_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_id TEXT NOT NULL REFERENCES tracking (tracking_id),
    status TEXT NOT NULL, at INTEGER NOT NULL, detail TEXT
);
CREATE INDEX tracking_events_by_request ON tracking_events (tracking_id, seq);
";

#[tokio::test]
async fn an_earlier_database_keeps_every_step_in_order_and_takes_new_ones_after_them() {
    use chrono::{TimeZone, Utc};
    use revops_core::{
        Status, TrackingId,
        ports::{StatusUpdate, TrackingStore},
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("revops.sqlite");
    let (first, second) = (TrackingId::new(), TrackingId::new());
    {
        let earlier = rusqlite::Connection::open(&path).unwrap();
        earlier.execute_batch(EARLIER_SCHEMA).unwrap();
        for id in [first, second] {
            earlier
                .execute(
                    "INSERT INTO tracking (tracking_id, status, source_system, source_process, queued_at)
                     VALUES (?1, 'processing', 'crm', 'sync', 1000000)",
                    [id.to_string()],
                )
                .unwrap();
        }
        // The two requests' steps interleave, as they did when both were in flight.
        for (id, status, at) in [
            (first, "queued", 1_000_000),
            (second, "queued", 1_000_000),
            (second, "processing", 2_000_000),
            (first, "processing", 3_000_000),
        ] {
            earlier
                .execute(
                    "INSERT INTO tracking_events (tracking_id, status, at) VALUES (?1, ?2, ?3)",
                    (id.to_string(), status, at),
                )
                .unwrap();
        }
    }
    let delivered_at = Utc.timestamp_opt(4, 0).unwrap();
    {
        let store = SqliteStore::new(Database::open(&path, SCHEMA).unwrap());
        store
            .update(&first, StatusUpdate::new(Status::Delivered, delivered_at))
            .await
            .unwrap();
    }
    let store = SqliteStore::new(Database::open(&path, SCHEMA).unwrap());
    let steps = |record: revops_core::ports::TrackingRecord| {
        record
            .events
            .into_iter()
            .map(|e| (e.status, e.at.timestamp()))
            .collect::<Vec<_>>()
    };
    let first = store.get(&first).await.unwrap().unwrap();
    assert_eq!(first.status, Status::Delivered);
    assert_eq!(
        steps(first),
        [
            (Status::Queued, 1),
            (Status::Processing, 3),
            (Status::Delivered, 4)
        ]
    );
    let second = store.get(&second).await.unwrap().unwrap();
    assert_eq!(
        steps(second),
        [(Status::Queued, 1), (Status::Processing, 2)]
    );
}
