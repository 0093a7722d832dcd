//! The DynamoDB tracking store against moto: conditional creates, ordered timelines,
//! answers and errors, unknown ids, leases exactly as the SQLite store keeps them, and
//! idempotency keys.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::Utc;
use revops_aws::{AwsClients, DynamoStore, IdempotencyClaim, create_table_if_missing};
use revops_core::{
    Status, TrackingId,
    ports::{StoreError, TrackingStore},
};
use revops_testkit::{
    moto,
    store_contract::{self, new_record},
    unique,
};

/// A store on a new table.
async fn store() -> DynamoStore {
    let config = moto().config().await;
    let client = AwsClients::from_sdk_config(&config).dynamodb;
    let table = unique("revops-tracking");
    create_table_if_missing(&client, &table).await.unwrap();
    create_table_if_missing(&client, &table)
        .await
        .expect("creating it again changes nothing");
    DynamoStore::new(client, table)
}

#[tokio::test]
async fn the_table_has_ttl_on_and_the_store_answers() {
    let store = store().await;
    store.ping().await.unwrap();
    let config = moto().config().await;
    let client = AwsClients::from_sdk_config(&config).dynamodb;
    let ttl = client
        .describe_time_to_live()
        .table_name(store.table_name())
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();
    assert_eq!(ttl.attribute_name(), Some("ttl"));
    let missing = DynamoStore::new(client, "no-such-table");
    match missing.ping().await {
        Err(StoreError::Unavailable(message)) => {
            assert!(message.starts_with("DescribeTable: "), "{message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_duplicate_create_changes_nothing() {
    let store = store().await;
    let id = TrackingId::new();
    let first = new_record(id);
    store.create(first.clone()).await.unwrap();
    let mut again = new_record(id);
    again.source_system = "someone_else".into();
    store.create(again).await.unwrap();

    let record = store.get(&id).await.unwrap().unwrap();
    assert_eq!(record.tracking_id, id);
    assert_eq!(record.status, Status::Queued);
    assert_eq!(record.source_system, "external_app", "the first one stays");
    assert_eq!(record.source_process, "test_system");
    assert_eq!(
        record.queued_at.timestamp_micros(),
        first.queued_at.timestamp_micros()
    );
    assert_eq!(record.events.len(), 1, "one queued event");
    assert_eq!(record.events[0].status, Status::Queued);
    assert_eq!(
        (record.attempts, record.last_error, record.answer),
        (0, None, None)
    );
}

#[tokio::test]
async fn a_record_keeps_its_timeline_answer_and_errors() {
    let store = store().await;
    let (id, answer) = store_contract::write_timeline(&store).await;
    store_contract::timeline_answer_and_errors_are_kept(&store, id, answer).await;
}

#[tokio::test]
async fn a_claim_is_refused_when_the_record_changed_since_it_was_read() {
    store_contract::a_claim_is_refused_when_the_record_changed_since_it_was_read(&store().await)
        .await;
}

#[tokio::test]
async fn a_record_read_back_is_the_record_with_its_updates_applied() {
    store_contract::a_record_read_back_is_the_record_with_its_updates_applied(&store().await).await;
}

#[tokio::test]
async fn unknown_ids_are_absent_and_cannot_be_updated() {
    store_contract::unknown_ids_are_absent(&store().await).await;
}

#[tokio::test]
async fn a_claim_carries_a_status_change_only_when_granted() {
    store_contract::a_claim_carries_a_status_change_only_when_granted(&store().await).await;
}

#[tokio::test]
async fn a_lease_is_held_by_one_owner_until_released_or_expired() {
    let store = store().await;
    store_contract::lease_is_held_by_one_owner(&store).await;
    assert!(store.get(&TrackingId::new()).await.unwrap().is_none());
}

#[tokio::test]
async fn a_reopen_is_conditional_and_frees_the_lease() {
    store_contract::a_reopen_is_conditional_and_frees_the_lease(&store().await).await;
}

#[tokio::test]
async fn a_request_key_answers_with_the_recorded_request_or_is_taken_over() {
    store_contract::a_request_key_answers_with_the_recorded_request_or_is_taken_over(
        &store().await,
    )
    .await;
}

#[tokio::test]
async fn an_idempotency_key_names_its_first_request_for_a_day() {
    let store = store().await;
    let now = Utc::now();
    let (first, second) = (TrackingId::new(), TrackingId::new());
    assert_eq!(
        store
            .claim_idempotency_key("external_app", "key-1", &first, now)
            .await
            .unwrap(),
        IdempotencyClaim::New
    );
    assert_eq!(
        store
            .claim_idempotency_key("external_app", "key-1", &second, now)
            .await
            .unwrap(),
        IdempotencyClaim::Existing(first)
    );
    assert_eq!(
        store
            .claim_idempotency_key("other_app", "key-1", &second, now)
            .await
            .unwrap(),
        IdempotencyClaim::New,
        "keys are per source system"
    );
    let tomorrow = now + chrono::Duration::hours(24) + chrono::Duration::seconds(1);
    assert_eq!(
        store
            .claim_idempotency_key("external_app", "key-1", &second, tomorrow)
            .await
            .unwrap(),
        IdempotencyClaim::New,
        "an expired key is free even before DynamoDB deletes it"
    );
    assert_eq!(
        store
            .claim_idempotency_key("external_app", "key-1", &first, tomorrow)
            .await
            .unwrap(),
        IdempotencyClaim::Existing(second)
    );
}

#[tokio::test]
async fn a_receivers_circuit_opens_probes_and_closes() {
    store_contract::a_receivers_circuit_opens_probes_and_closes(&store().await).await;
}
