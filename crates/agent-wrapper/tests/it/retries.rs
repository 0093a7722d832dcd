//! `ask_with_retries` with the real client: transient failures retried, refusals not,
//! and the deadline kept.

use crate::client::{agent, agent_at, question, quick_policy};
use revops_agent_wrapper::ask_with_retries;
use revops_core::{
    ports::AgentError,
    retry::{Jitter, RetryPolicy},
};
use revops_testkit::bedrock::{FakeBedrock, Reply};
use std::time::Duration;
use tokio::time::Instant;

#[tokio::test]
async fn throttling_then_success_succeeds_on_the_second_call() {
    for throttled in [
        Reply::stream_exception(&[], "throttlingException", "Rate exceeded"),
        Reply::http_error(429, "ThrottlingException", "Rate exceeded"),
    ] {
        let server =
            FakeBedrock::start([throttled, Reply::text(&["**Deal Status", " for IXIS**"])]).await;
        let agent = agent(&server).await;
        let answer = ask_with_retries(&agent, &question("IXIS?"), &quick_policy(), None)
            .await
            .unwrap();
        assert_eq!(answer.response, "**Deal Status for IXIS**");
        assert_eq!(server.calls(), 2);
        let sessions: Vec<String> = server
            .requests()
            .into_iter()
            .map(|r| r.session_id)
            .collect();
        assert_eq!(
            sessions[0], sessions[1],
            "a retry continues the same session"
        );
    }
}

#[tokio::test]
async fn a_stream_cut_midway_is_retried() {
    let server = FakeBedrock::start([
        Reply::cut(&["**Deal Status"]),
        Reply::text(&["**Deal Status", " for IXIS**"]),
    ])
    .await;
    let agent = agent(&server).await;
    let answer = ask_with_retries(&agent, &question("IXIS?"), &quick_policy(), None)
        .await
        .unwrap();
    assert_eq!(answer.response, "**Deal Status for IXIS**");
    assert_eq!(server.calls(), 2);
}

#[tokio::test]
async fn a_validation_error_is_rejected_and_not_retried() {
    let server = FakeBedrock::start([
        Reply::http_error(400, "ValidationException", "bad agent alias"),
        Reply::text(&["never asked"]),
    ])
    .await;
    let agent = agent(&server).await;
    let error = ask_with_retries(&agent, &question("IXIS?"), &quick_policy(), None)
        .await
        .unwrap_err();
    assert!(matches!(error, AgentError::Rejected(_)), "{error:?}");
    assert_eq!(server.calls(), 1);
}

#[tokio::test]
async fn the_schedule_ends_with_the_last_error() {
    let server = FakeBedrock::start([
        Reply::http_error(500, "InternalServerException", "one"),
        Reply::http_error(500, "InternalServerException", "two"),
        Reply::http_error(500, "InternalServerException", "three"),
        Reply::http_error(500, "InternalServerException", "four"),
    ])
    .await;
    let agent = agent(&server).await;
    let error = ask_with_retries(&agent, &question("IXIS?"), &quick_policy(), None)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        AgentError::Unavailable("InternalServerException (HTTP 500): four".to_owned())
    );
    assert_eq!(server.calls(), 4);
}

#[tokio::test]
async fn a_wait_past_the_deadline_gives_up_in_time_with_the_last_error() {
    let slow = || Reply::slow(Duration::from_secs(10), Reply::text(&["late"]));
    let server = FakeBedrock::start([slow(), slow()]).await;
    let call_timeout = Duration::from_millis(200);
    let agent = agent_at(&server.url(), call_timeout).await;
    let policy = RetryPolicy::new(
        vec![Duration::from_secs(1); 3],
        Jitter::None,
        Duration::from_secs(1),
    );
    let started = Instant::now();
    let budget = Duration::from_millis(600);

    let error = ask_with_retries(&agent, &question("IXIS?"), &policy, Some(started + budget))
        .await
        .unwrap_err();

    assert_eq!(error, AgentError::Timeout(call_timeout));
    assert!(
        started.elapsed() < budget + Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.calls(), 1);
}

#[tokio::test]
async fn a_call_running_at_the_deadline_is_cut_short() {
    let server =
        FakeBedrock::start([Reply::slow(Duration::from_secs(10), Reply::text(&["late"]))]).await;
    let agent = agent_at(&server.url(), Duration::from_secs(30)).await;
    let started = Instant::now();
    let budget = Duration::from_millis(400);

    let error = ask_with_retries(
        &agent,
        &question("IXIS?"),
        &quick_policy(),
        Some(started + budget),
    )
    .await
    .unwrap_err();

    assert!(matches!(error, AgentError::Timeout(_)), "{error:?}");
    assert!(
        started.elapsed() < budget + Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.calls(), 1);
}
