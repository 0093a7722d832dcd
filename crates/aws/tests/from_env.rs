//! `AwsClients::from_env` honours the standard endpoint variables: the general
//! `AWS_ENDPOINT_URL` and the per-service `AWS_ENDPOINT_URL_SQS`, `…_DYNAMODB` and
//! `…_S3`. The environment is set for a child process (this binary again, running one
//! ignored test), since a test must not change its own process's environment.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use revops_aws::{AwsClients, DynamoStore, S3Archive, create_table_if_missing};
use revops_core::ports::{ConversationArchive, ConversationRecord, TrackingStore};
use revops_testkit::{moto, unique};
use std::process::Command;

/// Set for the child, with the endpoint it must talk to.
const CHILD: &str = "REVOPS_AWS_TEST_MOTO_ENDPOINT";
/// Set for the child: the name of the queue, table and bucket it creates.
const NAME: &str = "REVOPS_AWS_TEST_NAME";

/// Runs `uses_the_endpoints_from_the_environment` in a child with `endpoints` set, then
/// checks that what it made is on this test's moto server.
async fn run_child(endpoints: &[&str]) {
    let endpoint = moto().endpoint();
    let name = unique("revops-env");
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "uses_the_endpoints_from_the_environment",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CHILD, endpoint)
        .env(NAME, &name)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_SQS")
        .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
        .env_remove("AWS_ENDPOINT_URL_S3");
    for name in endpoints {
        child.env(name, endpoint);
    }
    let output = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let clients = AwsClients::from_sdk_config(&moto().config().await);
    clients
        .sqs
        .get_queue_url()
        .queue_name(&name)
        .send()
        .await
        .expect("the child's queue");
    DynamoStore::new(clients.dynamodb, &name)
        .ping()
        .await
        .expect("the child's table");
    let objects = clients
        .s3
        .list_objects_v2()
        .bucket(&name)
        .send()
        .await
        .expect("the child's bucket");
    assert_eq!(objects.contents().len(), 1, "the child's export");
}

#[tokio::test]
async fn the_general_endpoint_variable_is_honoured() {
    run_child(&["AWS_ENDPOINT_URL"]).await;
}

#[tokio::test]
async fn the_per_service_endpoint_variables_are_honoured() {
    run_child(&[
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_S3",
    ])
    .await;
}

#[tokio::test]
#[ignore = "run by the tests above in a child process, with the environment set"]
async fn uses_the_endpoints_from_the_environment() {
    let Ok(endpoint) = std::env::var(CHILD) else {
        eprintln!("skipped: only meaningful as a child of the tests above");
        return;
    };
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let name = std::env::var(NAME).unwrap();
    let clients = AwsClients::from_env().await;

    clients
        .sqs
        .create_queue()
        .queue_name(&name)
        .send()
        .await
        .unwrap();

    create_table_if_missing(&clients.dynamodb, &name)
        .await
        .unwrap();
    DynamoStore::new(clients.dynamodb.clone(), &name)
        .ping()
        .await
        .unwrap();

    clients
        .s3
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .unwrap();
    let record: ConversationRecord = serde_json::from_value(serde_json::json!({
        "tracking_id": "0f1e2d3c-4b5a-4697-8877-665544332211",
        "source_system": "a", "source_process": "b", "query": "q",
        "response": null, "session_id": null, "status": "failed", "attempts": 0,
        "last_error": "HTTP 400", "webhook_url": null,
        "queued_at": "2025-08-04T10:00:00Z", "finished_at": "2025-08-04T10:00:05Z",
        "events": []
    }))
    .unwrap();
    S3Archive::new(clients.s3.clone(), &name)
        .export(&record)
        .await
        .unwrap();
}
