//! Every way Bedrock fails, mapped to the agent port's errors (one call each).

use crate::client::{SECRET_KEY, agent, agent_at, question};
use revops_core::ports::{Agent, AgentError};
use revops_testkit::bedrock::{FakeBedrock, Reply};
use std::time::{Duration, Instant};

async fn error_for(reply: Reply) -> AgentError {
    let server = FakeBedrock::start([reply]).await;
    let error = agent(&server)
        .await
        .ask(&question("What is the deal status for IXIS?"))
        .await
        .unwrap_err();
    assert_eq!(server.calls(), 1);
    assert!(!error.to_string().contains(SECRET_KEY), "{error}");
    error
}

#[tokio::test]
async fn throttling_is_throttled_as_a_response_or_in_the_stream() {
    let throttled = AgentError::Throttled { retry_after: None };
    let replies = [
        Reply::http_error(429, "ThrottlingException", "Rate exceeded"),
        Reply::http_error(429, "ServiceQuotaExceededException", "Quota exceeded"),
        Reply::stream_exception(&[], "throttlingException", "Rate exceeded"),
        Reply::stream_exception(&["partial "], "serviceQuotaExceededException", "Quota"),
        Reply::http_error(429, "SomethingNew", "unmodelled 429"),
    ];
    for reply in replies {
        assert_eq!(error_for(reply.clone()).await, throttled, "{reply:?}");
    }
}

#[tokio::test]
async fn server_side_trouble_is_unavailable() {
    let replies = [
        (
            Reply::http_error(500, "InternalServerException", "boom"),
            "InternalServerException (HTTP 500): boom",
        ),
        (
            Reply::http_error(502, "BadGatewayException", "upstream"),
            "BadGatewayException (HTTP 502): upstream",
        ),
        (
            Reply::http_error(424, "DependencyFailedException", "lambda failed"),
            "DependencyFailedException (HTTP 424): lambda failed",
        ),
        (
            Reply::http_error(503, "ServiceUnavailable", "later"),
            "ServiceUnavailable (HTTP 503): later",
        ),
        (
            Reply::stream_exception(&["**Deal"], "internalServerException", "mid-stream"),
            "InternalServerException in the agent's stream: mid-stream",
        ),
        (
            Reply::stream_exception(&[], "dependencyFailedException", "action group"),
            "DependencyFailedException in the agent's stream: action group",
        ),
    ];
    for (reply, message) in replies {
        assert_eq!(
            error_for(reply).await,
            AgentError::Unavailable(message.to_owned())
        );
    }
}

#[tokio::test]
async fn a_stream_cut_midway_is_unavailable() {
    let replies = [
        Reply::cut(&["**Deal Status", " for IXIS**"]),
        Reply::cut(&[]),
        Reply::truncated(&["**Deal Status"]),
    ];
    for reply in replies {
        let error = error_for(reply).await;
        let AgentError::Unavailable(message) = &error else {
            panic!("expected Unavailable, got {error:?}");
        };
        assert!(
            message.starts_with("the agent's stream was cut"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn refusals_are_rejected() {
    let replies = [
        (400, "ValidationException", "inputText too long"),
        (403, "AccessDeniedException", "not authorized"),
        (404, "ResourceNotFoundException", "no such agent"),
        (409, "ConflictException", "session busy"),
    ];
    for (status, error_type, message) in replies {
        let error = error_for(Reply::http_error(status, error_type, message)).await;
        assert_eq!(
            error,
            AgentError::Rejected(format!("{error_type} (HTTP {status}): {message}"))
        );
    }
    let in_stream = error_for(Reply::stream_exception(&[], "validationException", "bad")).await;
    assert!(
        matches!(in_stream, AgentError::Rejected(_)),
        "{in_stream:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_at_the_limit() {
    let server = FakeBedrock::start([Reply::slow(
        Duration::from_secs(5),
        Reply::text(&["too late"]),
    )])
    .await;
    let limit = Duration::from_millis(300);
    let started = Instant::now();
    let error = agent_at(&server.url(), limit)
        .await
        .ask(&question("anything"))
        .await
        .unwrap_err();
    assert_eq!(error, AgentError::Timeout(limit));
    assert!(started.elapsed() < limit + Duration::from_millis(500));
}

#[tokio::test]
async fn a_refused_connection_is_unavailable_and_shows_no_secret() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = agent_at(&format!("http://{address}"), Duration::from_secs(5))
        .await
        .ask(&question("anything"))
        .await
        .unwrap_err();
    let AgentError::Unavailable(message) = &error else {
        panic!("expected Unavailable, got {error:?}");
    };
    assert!(message.starts_with("no response from Bedrock"), "{message}");
    assert!(!message.contains(SECRET_KEY), "{message}");
}
