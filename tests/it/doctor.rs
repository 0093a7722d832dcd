//! `revops doctor`: a healthy local setup passes (exit 0); dead letters waiting are a
//! warning that names `revops dlq replay`; a `WEBHOOK_URL` the address guard refuses is a
//! failure that says why (exit 1); on AWS (moto), a queue whose visibility timeout is
//! shorter than the processor's timeout fails, a redrive count below its receive limit
//! fails, an oldest message past the alarm's 10 minutes fails and so do alarms the code
//! has but the account lacks (CloudWatch: the testkit's stand-in), until `revops monitor
//! apply` deploys them.

use crate::support::{Switchable, TestHost, binary::revops_with};
use revops_aws::{AwsClients, create_table_if_missing};
use revops_testkit::{
    cloudwatch::{FakeCloudWatch, Sample},
    moto, unique,
};
use serde_json::Value;
use std::time::Duration;

/// `revops doctor --format json` with `env`: its exit code and its checks by name.
fn doctor(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Vec<(String, String, String)>) {
    let mut all = vec!["doctor", "--format", "json"];
    all.extend_from_slice(args);
    let output = revops_with(&all, env);
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{output:?}"));
    let checks = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            (
                check["name"].as_str().unwrap().to_owned(),
                check["state"].as_str().unwrap().to_owned(),
                check["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (output.status.code(), checks)
}

fn state_of<'a>(
    checks: &'a [(String, String, String)],
    name: &str,
) -> &'a (String, String, String) {
    checks
        .iter()
        .find(|(check, ..)| check == name)
        .unwrap_or_else(|| panic!("no {name} check in {checks:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_setup_passes_dead_letters_warn_and_a_refused_target_fails() {
    let receiver = Switchable::start(200).await;
    let url = receiver.receiver.url();
    let host = TestHost::start(&[
        ("WEBHOOK_URL", url.as_str()),
        ("DELIVERY_RETRY_SCHEDULE", "0.05"),
        ("RECEIVER_BREAKER_FAILURES", "1000"),
    ])
    .await;
    let dir = host.data_dir().to_str().unwrap().to_owned();
    let delivered = host.post_seed().await;
    host.wait_for_status(&delivered, "delivered", Duration::from_secs(10))
        .await;

    let env = [("WEBHOOK_URL", url.as_str())];
    let (code, checks) = doctor(&["--data-dir", &dir], &env);
    assert_eq!(code, Some(0), "{checks:?}");
    assert!(
        checks.iter().all(|(_, state, _)| state == "ok"),
        "{checks:?}"
    );
    for name in [
        "configuration",
        "delivery target",
        "store",
        "queue",
        "dead letters",
        "disk",
    ] {
        state_of(&checks, name);
    }

    receiver.answer(503);
    let dead = host.post_seed().await;
    host.wait_for_status(&dead, "dead_lettered", Duration::from_secs(10))
        .await;
    let (code, checks) = doctor(&["--data-dir", &dir], &env);
    assert_eq!(code, Some(0), "a warning is not a failure: {checks:?}");
    let (_, state, detail) = state_of(&checks, "dead letters");
    assert_eq!(state, "warn");
    assert!(detail.contains("revops dlq replay"), "{detail}");

    let refused = [("WEBHOOK_URL", "http://10.1.2.3/hook")];
    let (code, checks) = doctor(&["--data-dir", &dir], &refused);
    assert_eq!(code, Some(1), "{checks:?}");
    let (_, state, detail) = state_of(&checks, "delivery target");
    assert_eq!(state, "fail");
    assert!(detail.contains("private"), "says why: {detail}");

    let elsewhere = tempfile::tempdir().unwrap();
    let (code, checks) = doctor(&["--data-dir", elsewhere.path().to_str().unwrap()], &env);
    assert_eq!(code, Some(0));
    assert_eq!(state_of(&checks, "data directory").1, "warn");
}

/// Creates, on moto, the role a function needs (a raw IAM query call: moto does not
/// check signatures, and the project has no IAM client).
async fn role() -> String {
    let name = unique("revops-role");
    let response = reqwest::Client::new()
        .post(moto().endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "Action=CreateRole&Version=2010-05-08&RoleName={name}&AssumeRolePolicyDocument=%7B%7D"
        ))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
        )
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
    format!("arn:aws:iam::123456789012:role/{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_aws_a_visibility_timeout_below_the_processors_timeout_fails() {
    let clients = AwsClients::from_sdk_config(&moto().config().await);
    let stage = unique("stage");
    let name = |suffix: &str| format!("{stage}-revops-webhook-{suffix}");
    let dlq = clients
        .sqs
        .create_queue()
        .queue_name(name("outbound-dlq"))
        .send()
        .await
        .unwrap();
    let dlq_arn = format!(
        "arn:aws:sqs:us-east-1:123456789012:{}",
        name("outbound-dlq")
    );
    assert!(dlq.queue_url().is_some());
    clients
        .sqs
        .create_queue()
        .queue_name(name("outbound-queue"))
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            "30",
        )
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"5"}}"#),
        )
        .send()
        .await
        .unwrap();
    create_table_if_missing(&clients.dynamodb, &name("tracking"))
        .await
        .unwrap();
    let role = role().await;
    let processor = unique("revops-webhook");
    for function in [
        processor.as_str(),
        &name("gateway"),
        "revops-manager-agent-wrapper",
    ] {
        let created = clients
            .lambda
            .create_function()
            .function_name(function)
            .runtime(aws_sdk_lambda::types::Runtime::Providedal2023)
            .role(&role)
            .handler("bootstrap")
            .timeout(900)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(b"bootstrap".to_vec()))
                    .build(),
            )
            .send()
            .await;
        if let Err(error) = created {
            // The wrapper's name is fixed; an earlier run on this moto may have made it.
            assert!(function == "revops-manager-agent-wrapper", "{error:?}");
        }
    }
    let cloudwatch = FakeCloudWatch::start().await;
    cloudwatch.state.lock().unwrap().samples.push(Sample {
        namespace: "AWS/SQS".into(),
        metric_name: "ApproximateAgeOfOldestMessage".into(),
        dimensions: [("QueueName".to_owned(), name("outbound-queue"))].into(),
        timestamp_ms: chrono::Utc::now().timestamp_millis() - 120_000,
        value: 900.0,
    });
    let topic = "arn:aws:sns:us-east-1:123456789012:revops-alarms";
    let env = [
        ("AWS_ENDPOINT_URL", moto().endpoint()),
        ("AWS_ENDPOINT_URL_CLOUDWATCH", cloudwatch.url.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("WEBHOOK_URL", "https://example.com/hook"),
        ("REVOPS_ALARM_TOPIC_ARN", topic),
    ];
    let on_aws = [
        "--aws",
        "--stage",
        &stage,
        "--processor-function",
        &processor,
    ];
    let (code, checks) = doctor(&on_aws, &env);
    assert_eq!(code, Some(1), "{checks:?}");
    let (_, state, detail) = state_of(&checks, "visibility timeout");
    assert_eq!(state, "fail", "{detail}");
    assert!(
        detail.contains("30 s") && detail.contains("900 s"),
        "{detail}"
    );
    let (_, state, detail) = state_of(&checks, "redrive");
    assert_eq!(state, "fail", "5 receives, below the default 30: {detail}");
    let (_, state, detail) = state_of(&checks, "oldest message");
    assert_eq!(
        state, "fail",
        "900 s, past the alarm's 10 minutes: {detail}"
    );
    let (_, state, detail) = state_of(&checks, "alarms");
    assert_eq!(state, "fail", "none deployed: {detail}");
    assert!(
        detail.contains("not deployed") && detail.contains("delivery-failure-rate"),
        "{detail}"
    );

    let gateway = name("gateway");
    let applied = revops_with(
        &[
            "monitor",
            "apply",
            "--dir",
            ".",
            "--stage",
            &stage,
            "--gateway-function",
            &gateway,
            "--processor-function",
            &processor,
            "--queue",
            &name("outbound-queue"),
            "--dlq",
            &name("outbound-dlq"),
        ],
        &env,
    );
    assert!(applied.status.success(), "{applied:?}");
    let (_, checks) = doctor(&on_aws, &env);
    let (_, state, detail) = state_of(&checks, "alarms");
    assert_eq!(state, "ok", "applied as the code has them: {detail}");
}
