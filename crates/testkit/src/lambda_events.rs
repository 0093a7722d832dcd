//! The events Lambda hands the functions, shaped as AWS documents them: API Gateway
//! REST proxy (v1) and HTTP API (v2) requests, SQS batches built from messages really
//! received from the queue; and the API Gateway response read back.

use aws_sdk_sqs::types::Message;
use serde_json::{Map, Value, json};

/// The API's host name in the events.
const HOST: &str = "abc123defg.execute-api.us-east-1.amazonaws.com";

/// A REST API proxy event for `POST /prod/webhook` (stage `prod`) with `body` and
/// `headers` (a JSON content type is added).
pub fn rest_api_post(body: &str, headers: &[(&str, &str)]) -> Value {
    rest_api_event("POST", "/webhook", "/webhook", Some(body), headers)
}

/// A REST API proxy event for `GET /prod/webhook/{tracking_id}`.
pub fn rest_api_get_status(tracking_id: &str) -> Value {
    let path = format!("/webhook/{tracking_id}");
    let mut event = rest_api_event("GET", "/webhook/{tracking_id}", &path, None, &[]);
    event["pathParameters"] = json!({ "tracking_id": tracking_id });
    event
}

/// A REST API proxy event on stage `prod`: `resource` as configured, `path` as called.
fn rest_api_event(
    method: &str,
    resource: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Value {
    let headers = with_defaults(headers);
    let multi: Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.clone(), json!([v])))
        .collect();
    json!({
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "resourceId": "x1y2z3",
            "resourcePath": resource,
            "httpMethod": method,
            "path": format!("/prod{path}"),
            "stage": "prod",
            "protocol": "HTTP/1.1",
            "requestId": uuid_like(),
            "requestTime": "13/Aug/2025:06:30:00 +0000",
            "requestTimeEpoch": 1_755_066_600_000_i64,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"},
            "domainName": HOST,
            "domainPrefix": "abc123defg"
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// An HTTP API (payload 2.0) event for `POST /webhook` on the `$default` stage.
pub fn http_api_post(body: &str, headers: &[(&str, &str)]) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "POST /webhook",
        "rawPath": "/webhook",
        "rawQueryString": "",
        "headers": with_defaults(headers),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": HOST,
            "domainPrefix": "abc123defg",
            "http": {
                "method": "POST",
                "path": "/webhook",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "curl/8.5.0"
            },
            "requestId": uuid_like(),
            "routeKey": "POST /webhook",
            "stage": "$default",
            "time": "13/Aug/2025:06:30:00 +0000",
            "timeEpoch": 1_755_066_600_000_i64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

fn with_defaults(headers: &[(&str, &str)]) -> Map<String, Value> {
    let mut all: Map<String, Value> = [
        ("content-type", "application/json"),
        ("host", HOST),
        ("user-agent", "curl/8.5.0"),
        ("x-forwarded-for", "203.0.113.7"),
        ("x-forwarded-proto", "https"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), json!(v)))
    .collect();
    for (name, value) in headers {
        all.insert((*name).to_owned(), json!(value));
    }
    all
}

fn uuid_like() -> String {
    crate::unique("req")
}

/// An API Gateway response: its status and its body as JSON.
pub fn api_response(response: &Value) -> (u16, Value) {
    let status = u16::try_from(response["statusCode"].as_u64().unwrap()).unwrap();
    let body = response["body"].as_str().unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// An SQS event carrying `messages`, as Lambda's event source builds it.
pub fn sqs_event(messages: &[Message], queue_arn: &str) -> Value {
    json!({ "Records": messages.iter().map(|m| sqs_record(m, queue_arn)).collect::<Vec<_>>() })
}

/// One record of an SQS event.
pub fn sqs_record(message: &Message, queue_arn: &str) -> Value {
    let attributes: Map<String, Value> = message
        .attributes()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.as_str().to_owned(), json!(value)))
        .collect();
    let message_attributes: Map<String, Value> = message
        .message_attributes()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let attribute = json!({
                "stringValue": value.string_value(),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.data_type(),
            });
            (name.clone(), attribute)
        })
        .collect();
    json!({
        "messageId": message.message_id(),
        "receiptHandle": message.receipt_handle(),
        "body": message.body(),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.md5_of_body(),
        "md5OfMessageAttributes": message.md5_of_message_attributes(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1"
    })
}

/// The message ids in a processor's `batchItemFailures`.
pub fn batch_item_failures(response: &Value) -> Vec<String> {
    response["batchItemFailures"]
        .as_array()
        .unwrap_or_else(|| panic!("no batchItemFailures in {response}"))
        .iter()
        .map(|failure| failure["itemIdentifier"].as_str().unwrap().to_owned())
        .collect()
}
