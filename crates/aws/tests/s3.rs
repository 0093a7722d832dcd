//! The S3 conversation archive against moto: the exported object reads back as the same
//! conversation, at its date-partitioned key, as encrypted JSON.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::{TimeZone, Utc};
use revops_aws::{AwsClients, S3Archive};
use revops_core::{
    Status, TrackingId,
    ports::{ConversationArchive, ConversationRecord, StatusEvent},
};
use revops_testkit::{moto, unique};

fn conversation() -> ConversationRecord {
    let queued_at = Utc.with_ymd_and_hms(2025, 8, 4, 23, 59, 30).unwrap();
    let finished_at = queued_at + chrono::Duration::seconds(42);
    ConversationRecord {
        tracking_id: TrackingId::new(),
        source_system: "external_app".into(),
        source_process: "test_system".into(),
        query: "What is the deal status for IXIS?".into(),
        response: Some("**IXIS**: Negotiate".into()),
        session_id: Some("webhook_20250804_abcd".into()),
        answered_at: Some(queued_at + chrono::Duration::seconds(40)),
        agents_used: Vec::new(),
        usage: None,
        category: Some(revops_core::Category::DealAnalysis),
        agent_calls: 1,
        trace_id: None,
        status: Status::Delivered,
        attempts: 1,
        last_error: None,
        webhook_url: Some("https://receiver.example/hook".into()),
        queued_at,
        finished_at,
        events: vec![
            StatusEvent {
                status: Status::Queued,
                at: queued_at,
                detail: None,
            },
            StatusEvent {
                status: Status::Delivered,
                at: finished_at,
                detail: Some("HTTP 200".into()),
            },
        ],
    }
}

#[tokio::test]
async fn an_exported_conversation_reads_back_from_its_date_partitioned_key() {
    let config = moto().config().await;
    let client = AwsClients::from_sdk_config(&config).s3;
    let bucket = unique("revops-archive");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let archive = S3Archive::new(client.clone(), &bucket).with_prefix("exports");
    let record = conversation();

    archive.export(&record).await.unwrap();
    archive.export(&record).await.expect("a repeat replaces it");

    let key = archive.key_of(&record);
    assert_eq!(
        key,
        format!(
            "exports/conversations/year=2025/month=08/day=04/{}.json",
            record.tracking_id
        )
    );
    let object = client
        .get_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(object.content_type(), Some("application/json"));
    assert_eq!(
        object.server_side_encryption(),
        Some(&aws_sdk_s3::types::ServerSideEncryption::Aes256)
    );
    let bytes = object.body.collect().await.unwrap().into_bytes();
    let back: ConversationRecord = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back, record);
    let listed = client
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.contents().len(), 1);
}

#[tokio::test]
async fn a_missing_bucket_is_an_archive_error() {
    let config = moto().config().await;
    let client = AwsClients::from_sdk_config(&config).s3;
    let archive = S3Archive::new(client, unique("revops-missing"));
    let error = archive.export(&conversation()).await.unwrap_err();
    assert!(
        error.0.starts_with("PutObject s3://revops-missing-"),
        "{error}"
    );
    assert!(error.0.contains("NoSuchBucket"), "{error}");
}
