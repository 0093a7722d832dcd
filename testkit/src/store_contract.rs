//! The tracking store's contract, as one set of checks every adapter runs (SQLite
//! locally, DynamoDB on AWS), so the two cannot drift apart.

use chrono::{Duration, Utc};
use revops_core::{
    TrackingId,
    ports::{NewRecord, StoreError, TrackingStore},
};

/// A new request's record, for `id`.
pub fn new_record(id: TrackingId) -> NewRecord {
    NewRecord {
        tracking_id: id,
        source_system: "external_app".into(),
        source_process: "test_system".into(),
        queued_at: Utc::now(),
    }
}

/// A lease is held by one owner at a time: the holder may renew it, another takes it
/// only once it ran out, only its holder releases it, and an unknown id has none.
pub async fn lease_is_held_by_one_owner(store: &dyn TrackingStore) {
    let id = TrackingId::new();
    store.create(new_record(id)).await.expect("create");
    let now = Utc::now();
    let until = now + Duration::seconds(30);
    let claim = |owner: &'static str, until, now| store.claim(&id, owner, until, now);
    assert!(claim("a", until, now).await.expect("claim"));
    assert!(!claim("b", until, now).await.expect("claim"), "a holds it");
    assert!(claim("a", until, now).await.expect("claim"), "a may renew");
    let later = until + Duration::seconds(1);
    assert!(
        claim("b", later + Duration::seconds(30), later)
            .await
            .expect("claim"),
        "a's lease ran out"
    );
    store.release(&id, "a").await.expect("release");
    assert!(
        !claim("c", until, now).await.expect("claim"),
        "a cannot release b's lease"
    );
    store.release(&id, "b").await.expect("release");
    assert!(claim("c", until, now).await.expect("claim"));
    let unknown = TrackingId::new();
    assert_eq!(
        store.claim(&unknown, "a", until, now).await,
        Err(StoreError::NotFound(unknown))
    );
}
