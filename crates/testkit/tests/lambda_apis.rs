//! The Runtime API and the `Invoke` endpoint as their clients see them: a function
//! (played here over plain HTTP) takes events with Lambda's headers and answers them,
//! and `aws-sdk-lambda` invokes it through the endpoint, errors included.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use aws_sdk_lambda::{
    config::{Credentials, Region},
    primitives::Blob,
};
use revops_testkit::{LambdaFunction, RuntimeApi, invoke_api::LambdaInvokeApi};
use serde_json::{Value, json};
use std::{
    path::Path,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// No extra environment.
const NO_ENV: [(&str, &str); 0] = [];

/// How one event is answered by the function the test plays.
enum Answer {
    Response(Value),
    Error(Value),
}

/// Plays the function once: takes the next event from `runtime`, answers it with what
/// `answer` says; returns the event and the headers it came with.
async fn play_once(
    runtime: &RuntimeApi,
    answer: impl FnOnce(&Value) -> Answer,
) -> (Value, reqwest::header::HeaderMap) {
    let base = format!("http://{}/2018-06-01/runtime", runtime.runtime_api());
    let client = reqwest::Client::new();
    let next = client
        .get(format!("{base}/invocation/next"))
        .send()
        .await
        .unwrap();
    assert_eq!(next.status(), 200);
    let headers = next.headers().clone();
    let event: Value = next.json().await.unwrap();
    let id = headers["lambda-runtime-aws-request-id"].to_str().unwrap();
    let (path, body) = match answer(&event) {
        Answer::Response(body) => ("response", body),
        Answer::Error(body) => ("error", body),
    };
    let posted = client
        .post(format!("{base}/invocation/{id}/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 202);
    (event, headers)
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

#[tokio::test]
async fn an_event_reaches_the_function_with_lambdas_headers_and_its_answer_comes_back() {
    let runtime = RuntimeApi::start("echo").await;
    let timeout = Duration::from_secs(10);
    let asked_at = unix_ms();

    let (outcome, (event, headers)) = tokio::join!(
        runtime.invoke(&json!({"question": 42}), timeout),
        play_once(&runtime, |event| Answer::Response(json!({"echo": event}))),
    );

    assert_eq!(outcome, Ok(json!({"echo": {"question": 42}})));
    assert_eq!(event, json!({"question": 42}));
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    assert_eq!(header("lambda-runtime-aws-request-id").len(), 36);
    let deadline: u128 = header("lambda-runtime-deadline-ms").parse().unwrap();
    assert!(deadline >= asked_at + 10_000 && deadline <= unix_ms() + 10_000);
    assert_eq!(
        header("lambda-runtime-invoked-function-arn"),
        "arn:aws:lambda:us-east-1:123456789012:function:echo"
    );
    assert!(header("lambda-runtime-trace-id").starts_with("Root=1-"));
    assert_eq!(runtime.invocations(), 1);
}

#[tokio::test]
async fn errors_come_back_as_errors_and_an_init_error_fails_every_invocation() {
    let runtime = RuntimeApi::start("failing").await;
    let error = json!({"errorType": "Boom", "errorMessage": "it broke"});
    let timeout = Duration::from_secs(10);

    let (outcome, _) = tokio::join!(
        runtime.invoke(&json!({}), timeout),
        play_once(&runtime, |_| Answer::Error(error.clone())),
    );
    assert_eq!(outcome, Err(error));

    let init_error = json!({"errorType": "Runtime.InitError", "errorMessage": "no config"});
    let report = async {
        // Let the invocation below be queued first.
        tokio::time::sleep(Duration::from_millis(100)).await;
        reqwest::Client::new()
            .post(format!(
                "http://{}/2018-06-01/runtime/init/error",
                runtime.runtime_api()
            ))
            .json(&init_error)
            .send()
            .await
            .unwrap()
            .status()
    };
    let (waiting, status) = tokio::join!(runtime.invoke(&json!({}), timeout), report);
    assert_eq!(status, 202);
    assert_eq!(waiting, Err(init_error.clone()), "the waiting caller fails");
    assert_eq!(
        runtime.invoke(&json!({}), timeout).await,
        Err(init_error.clone())
    );
    assert_eq!(runtime.init_error(), Some(init_error));
}

#[tokio::test]
async fn an_event_nobody_answers_times_out_as_lambda_says() {
    let runtime = RuntimeApi::start("asleep").await;
    let started = tokio::time::Instant::now();
    let outcome = runtime.invoke(&json!({}), Duration::from_millis(200)).await;
    let error = outcome.unwrap_err();
    assert_eq!(error["errorType"], "Sandbox.Timedout");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A Lambda client for `endpoint`, with dummy credentials.
fn lambda_client(endpoint: &str) -> aws_sdk_lambda::Client {
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .build();
    aws_sdk_lambda::Client::from_conf(config)
}

#[tokio::test]
async fn aws_sdk_lambda_invokes_a_function_through_the_endpoint() {
    let runtime = RuntimeApi::start("revops-manager-agent-wrapper").await;
    let api = LambdaInvokeApi::start(
        [(runtime.function_name().to_owned(), runtime.invoker())],
        Duration::from_secs(10),
    )
    .await;
    let client = lambda_client(&api.url());
    let invoke = |payload: Value| {
        client
            .invoke()
            .function_name(runtime.function_arn())
            .payload(Blob::new(payload.to_string()))
            .send()
    };

    let (answered, _) = tokio::join!(
        invoke(json!({"query": "IXIS?"})),
        play_once(&runtime, |_| Answer::Response(
            json!({"response": "Negotiation"})
        )),
    );
    let answered = answered.unwrap();
    assert_eq!(answered.status_code(), 200);
    assert_eq!(answered.function_error(), None);
    let body: Value = serde_json::from_slice(answered.payload().unwrap().as_ref()).unwrap();
    assert_eq!(body, json!({"response": "Negotiation"}));

    let (failed, _) = tokio::join!(
        invoke(json!({})),
        play_once(&runtime, |_| {
            Answer::Error(json!({"errorType": "Boom", "errorMessage": "it broke"}))
        }),
    );
    let failed = failed.unwrap();
    assert_eq!(failed.function_error(), Some("Unhandled"));
    let body: Value = serde_json::from_slice(failed.payload().unwrap().as_ref()).unwrap();
    assert_eq!(body["errorMessage"], "it broke");

    let unknown = client
        .invoke()
        .function_name("no-such-function")
        .send()
        .await
        .unwrap_err();
    assert!(
        unknown
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn a_function_that_exits_fails_its_invocation_at_once_as_lambda_says() {
    let function = LambdaFunction::start(Path::new("false"), "broken", NO_ENV).await;
    let started = tokio::time::Instant::now();

    let outcome = function.invoke(&json!({}), Duration::from_secs(20)).await;

    let error = outcome.unwrap_err();
    assert_eq!(error["errorType"], "Runtime.ExitError");
    assert!(
        error["errorMessage"]
            .as_str()
            .unwrap()
            .contains("exit status: 1"),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
