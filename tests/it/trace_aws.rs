//! `revops trace --aws` tells a request's story from the AWS host's sources through
//! their real clients: the record from DynamoDB and the log lines from the three
//! functions' log groups (moto), the spans from X-Ray (the testkit's stand-in, the
//! segments put there with the X-Ray client as the daemon would).

use crate::support::binary::revops_with;
use revops_aws::{AwsClients, DynamoStore, create_table_if_missing};
use revops_core::{
    Status, TrackingId,
    ports::{StatusUpdate, TrackingStore},
};
use revops_testkit::{XrayApi, moto, store_contract::new_record, unique};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The deployment the test makes on moto: queues, table and the functions' log groups.
struct Deployment {
    queue: String,
    dlq: String,
    table: String,
    functions: [String; 3],
    store: DynamoStore,
}

impl Deployment {
    async fn make(clients: &AwsClients) -> Self {
        let table = unique("trace-tracking");
        let deployment = Self {
            queue: unique("trace-requests"),
            dlq: unique("trace-dlq"),
            store: DynamoStore::new(clients.dynamodb.clone(), &table),
            table,
            functions: [unique("gateway"), unique("processor"), unique("agent")],
        };
        for queue in [&deployment.queue, &deployment.dlq] {
            clients
                .sqs
                .create_queue()
                .queue_name(queue)
                .send()
                .await
                .unwrap();
        }
        create_table_if_missing(&clients.dynamodb, &deployment.table)
            .await
            .unwrap();
        deployment
    }

    /// The environment `revops trace --aws` runs in: moto, and X-Ray's stand-in.
    fn env(xray: &XrayApi) -> [(&'static str, String); 5] {
        [
            ("AWS_ENDPOINT_URL", moto().endpoint().to_owned()),
            ("AWS_ENDPOINT_URL_XRAY", xray.endpoint().to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        ]
    }

    fn args<'a>(&'a self, agent_function: &'a str) -> Vec<&'a str> {
        vec![
            "--aws",
            "--queue",
            &self.queue,
            "--dlq",
            &self.dlq,
            "--table",
            &self.table,
            "--gateway-function",
            &self.functions[0],
            "--processor-function",
            &self.functions[1],
            "--agent-function",
            agent_function,
        ]
    }
}

/// Writes `lines` to the log group of `function`, as Lambda does with a handler's
/// output.
async fn log(logs: &aws_sdk_cloudwatchlogs::Client, function: &str, lines: &[Value]) {
    let group = format!("/aws/lambda/{function}");
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name("2026/12/06/[$LATEST]0")
        .send()
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let mut put = logs
        .put_log_events()
        .log_group_name(&group)
        .log_stream_name("2026/12/06/[$LATEST]0");
    for (n, line) in lines.iter().enumerate() {
        let message = line
            .as_str()
            .map_or_else(|| line.to_string(), str::to_owned);
        put = put.log_events(
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(now + i64::try_from(n).unwrap())
                .message(message)
                .build()
                .unwrap(),
        );
    }
    put.send().await.unwrap();
}

/// The request's segments, as X-Ray keeps them for the three functions: the gateway's
/// (sending to SQS), the processor's (asking the agent, then two delivery attempts, the
/// first failed) and the agent wrapper's (calling Bedrock).
fn segments(xray_id: &str, tracking_id: &str, functions: &[String; 3]) -> Vec<String> {
    let t0 = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    let annotations = json!({"revops_tracking_id": tracking_id});
    [
        json!({
            "name": functions[0], "id": "a000000000000001", "trace_id": xray_id,
            "start_time": t0, "end_time": t0 + 0.020, "origin": "AWS::Lambda::Function",
            "annotations": annotations,
            "metadata": {"default": {"http.request.method": "POST", "url.path": "/webhook"}},
            "subsegments": [{
                "id": "a000000000000002", "name": "send requests", "namespace": "aws",
                "start_time": t0 + 0.005, "end_time": t0 + 0.015,
                "metadata": {"default": {"span.kind": "producer", "messaging.system": "aws_sqs"}}
            }]
        }),
        json!({
            "name": functions[1], "id": "b000000000000001", "trace_id": xray_id,
            "parent_id": "a000000000000002",
            "start_time": t0 + 0.100, "end_time": t0 + 3.5, "origin": "AWS::Lambda::Function",
            "annotations": annotations,
            "metadata": {"default": {"span.kind": "consumer", "messaging.aws_sqs.receive_count": 1}},
            "subsegments": [
                {"id": "b000000000000002", "name": "ask agent", "namespace": "remote",
                 "start_time": t0 + 0.110, "end_time": t0 + 2.0},
                {"id": "b000000000000003", "name": "POST", "namespace": "remote",
                 "start_time": t0 + 2.1, "end_time": t0 + 2.2, "fault": true,
                 "cause": {"exceptions": [{"message": "HTTP 500 from the receiver"}]},
                 "metadata": {"default": {"http.response.status_code": 500}}},
                {"id": "b000000000000004", "name": "POST", "namespace": "remote",
                 "start_time": t0 + 3.2, "end_time": t0 + 3.3,
                 "metadata": {"default": {"http.response.status_code": 200}}}
            ]
        }),
        json!({
            "name": functions[2], "id": "c000000000000001", "trace_id": xray_id,
            "parent_id": "b000000000000002",
            "start_time": t0 + 0.120, "end_time": t0 + 1.9, "origin": "AWS::Lambda::Function",
            "annotations": annotations,
            "subsegments": [{
                "id": "c000000000000002", "name": "Bedrock InvokeAgent", "namespace": "aws",
                "start_time": t0 + 0.130, "end_time": t0 + 1.8
            }]
        }),
    ]
    .iter()
    .map(Value::to_string)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_on_aws_shows_the_spans_from_x_ray_and_the_log_lines_of_all_three_functions() {
    let config = moto().config().await;
    let deployment = Deployment::make(&AwsClients::from_sdk_config(&config)).await;
    let store = &deployment.store;
    let id = TrackingId::new();
    let hex = TrackingId::new().to_string().replace('-', "");
    let trace_id = format!("{:08x}{}", chrono::Utc::now().timestamp(), &hex[..24]);
    let xray_id = format!("1-{}-{}", &trace_id[..8], &trace_id[8..]);
    let mut record = new_record(id);
    record.trace_id = Some(trace_id.clone());
    store.create(record).await.unwrap();
    store
        .update(
            &id,
            StatusUpdate::new(Status::Delivered, chrono::Utc::now()),
        )
        .await
        .unwrap();

    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let other = TrackingId::new().to_string();
    let tracking_id = id.to_string();
    log(&logs, &deployment.functions[0], &[
        json!({"timestamp": "2026-12-06T08:00:00.001Z", "level": "INFO", "message": "request accepted", "target": "revops_gateway", "tracking_id": tracking_id}),
        json!({"timestamp": "2026-12-06T08:00:00.002Z", "level": "INFO", "message": "request accepted", "target": "revops_gateway", "tracking_id": other}),
        json!({"_aws": {"Timestamp": 1, "CloudWatchMetrics": []}, "level": "INFO", "tracking_id": tracking_id, "RequestsAccepted": 1}),
        json!(format!("START RequestId: 1 for {tracking_id}")),
    ])
    .await;
    log(&logs, &deployment.functions[1], &[
        json!({"timestamp": "2026-12-06T08:00:03.000Z", "level": "WARN", "message": "delivery failed; retrying", "target": "revops_core", "http_status": 500, "span": {"name": "deliver", "trace_id": trace_id}}),
    ])
    .await;
    log(&logs, &deployment.functions[2], &[
        json!({"timestamp": "2026-12-06T08:00:01.000Z", "level": "INFO", "message": "agent answered", "target": "revops_agent_wrapper", "span": {"name": "invoke", "revops.tracking_id": tracking_id}}),
    ])
    .await;

    let xray = XrayApi::start().await;
    let xray_client = aws_sdk_xray::Client::from_conf(
        aws_sdk_xray::config::Builder::from(&config)
            .endpoint_url(xray.endpoint())
            .build(),
    );
    let put = xray_client
        .put_trace_segments()
        .set_trace_segment_documents(Some(segments(
            &xray_id,
            &tracking_id,
            &deployment.functions,
        )))
        .send()
        .await
        .unwrap();
    assert!(put.unprocessed_trace_segments().is_empty());
    assert_eq!(xray.segments_of(&xray_id), 3);

    let owned_env = Deployment::env(&xray);
    let env: Vec<(&str, &str)> = owned_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let trace = |agent_function: &str, format: &str| {
        let args = [
            &["trace", tracking_id.as_str(), "--format", format][..],
            &deployment.args(agent_function),
        ]
        .concat();
        let output = revops_with(&args, &env);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "revops {args:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };

    let story: Value = serde_json::from_str(&trace(&deployment.functions[2], "json")).unwrap();
    assert_eq!(story["status"], "delivered");
    assert_eq!(story["trace_id"], trace_id.as_str());
    assert_eq!(story["notes"], json!([]), "every source read: {story}");
    assert!(story["xray_console"].as_str().unwrap().ends_with(&xray_id));

    let spans = story["spans"].as_array().unwrap();
    let names: Vec<&str> = spans.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(spans.len(), 8, "{names:?}");
    let ids: HashSet<&str> = spans
        .iter()
        .map(|s| s["span_id"].as_str().unwrap())
        .collect();
    let roots: Vec<&str> = spans
        .iter()
        .filter(|s| !ids.contains(s["parent_span_id"].as_str().unwrap()))
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        roots,
        [deployment.functions[0].as_str()],
        "one tree: {spans:?}"
    );
    let by_id = |id: &str| spans.iter().find(|s| s["span_id"] == id).unwrap();
    assert_eq!(
        by_id("b000000000000001")["parent_span_id"],
        "a000000000000002"
    );
    assert_eq!(by_id("a000000000000002")["kind"], "producer");
    assert_eq!(by_id("b000000000000001")["kind"], "consumer");
    assert_eq!(by_id("b000000000000003")["status"], "error");
    assert_eq!(
        by_id("b000000000000004")["attributes"]["http.response.status_code"],
        200
    );
    assert_eq!(
        by_id("c000000000000001")["parent_span_id"],
        "b000000000000002"
    );

    let logs = story["logs"].as_array().unwrap();
    let messages: Vec<&str> = logs
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "request accepted",
            "agent answered",
            "delivery failed; retrying"
        ],
        "this request's lines from all three groups, by time; no metric, no other request: {logs:?}"
    );
    assert_eq!(
        logs[2]["log_group"],
        format!("/aws/lambda/{}", deployment.functions[1])
    );
    assert_eq!(logs[2]["level"], "WARN");

    let text = trace(&deployment.functions[2], "text");
    assert!(text.contains("Bedrock InvokeAgent"), "{text}");
    assert!(text.contains("delivery failed; retrying"), "{text}");
    assert!(text.contains("X-Ray console: "), "{text}");

    let missing = unique("no-such-function");
    let story: Value = serde_json::from_str(&trace(&missing, "json")).unwrap();
    let notes = story["notes"].to_string();
    assert!(
        notes.contains(&format!("no log group /aws/lambda/{missing}")),
        "a missing log group is named, the rest still shown: {notes}"
    );
    assert_eq!(story["logs"].as_array().unwrap().len(), 2);
    assert_eq!(story["spans"].as_array().unwrap().len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_on_aws_says_when_x_ray_has_no_such_trace() {
    let config = moto().config().await;
    let deployment = Deployment::make(&AwsClients::from_sdk_config(&config)).await;
    let store = &deployment.store;
    let id = TrackingId::new();
    store.create(new_record(id)).await.unwrap();
    let xray = XrayApi::start().await;
    let owned_env = Deployment::env(&xray);
    let env: Vec<(&str, &str)> = owned_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let tracking_id = id.to_string();
    let args = [
        &["trace", tracking_id.as_str(), "--format", "json"][..],
        &deployment.args("agent"),
    ]
    .concat();
    let output = revops_with(&args, &env);
    assert!(output.status.success());
    let story: Value = serde_json::from_slice(&output.stdout).unwrap();
    let notes = story["notes"].to_string();
    assert!(notes.contains("X-Ray has no trace"), "{notes}");
    assert!(notes.contains("no log group"), "{notes}");
    assert_eq!(story["status"], "queued");

    let unknown = TrackingId::new().to_string();
    let args = [&["trace", unknown.as_str()][..], &deployment.args("agent")].concat();
    let output = revops_with(&args, &env);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains(&unknown));
}
