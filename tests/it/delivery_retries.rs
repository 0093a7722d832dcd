//! The contract's retry rules as a receiver sees them: transient failures retried on the
//! schedule from the stored answer, permanent ones failed at once, and a receiver that
//! never comes back dead-lettered with its last error.

use crate::support::{Receiver, Reply, TestHost, closed_port_url, host::timeline};
use chrono::DateTime;
use serde_json::Value;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn two_500s_then_200_is_delivered_on_the_third_attempt_asking_the_agent_once() {
    let receiver = Receiver::scripted(
        vec![Reply::status(500), Reply::status(500)],
        Reply::status(200),
    )
    .await;
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("DELIVERY_RETRY_SCHEDULE", "0.1,0.2,0.4"),
    ])
    .await;
    let id = host.post_seed().await;
    let document = host.wait_for_status(&id, "delivered", TIMEOUT).await;

    assert_eq!(document["attempts"], 3);
    assert_eq!(receiver.hits().len(), 3);
    assert_eq!(host.agent.calls(), 1, "the agent is asked once");
    let steps = timeline(&document);
    assert_eq!(steps.iter().filter(|s| *s == "agent_completed").count(), 1);
    assert_eq!(
        steps,
        [
            "queued",
            "processing",
            "agent_completed",
            "delivering",
            "retry_scheduled",
            "delivering",
            "retry_scheduled",
            "delivering",
            "delivered"
        ]
    );
    assert!(
        document["events"][4]["detail"]
            .as_str()
            .unwrap()
            .contains("HTTP 500")
    );
    let ids: Vec<_> = receiver
        .hits()
        .iter()
        .map(|h| h.webhook_id().to_owned())
        .collect();
    assert!(
        ids.iter().all(|hit_id| *hit_id == id),
        "the same webhook-id on every attempt"
    );
    let answers: Vec<Value> = receiver
        .hits()
        .iter()
        .map(|h| h.json()["ai_response"]["response"].clone())
        .collect();
    assert!(
        answers.windows(2).all(|pair| pair[0] == pair[1]),
        "every attempt carries the stored answer"
    );
    host.stop().await;
}

#[tokio::test]
async fn a_400_fails_at_once_without_a_retry() {
    let receiver = Receiver::always(400).await;
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("DELIVERY_RETRY_SCHEDULE", "0.05,0.05"),
    ])
    .await;
    let id = host.post_seed().await;
    let document = host.wait_for_status(&id, "failed", TIMEOUT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.hits().len(), 1);
    assert_eq!(document["attempts"], 1);
    assert!(
        document["last_error"]
            .as_str()
            .unwrap()
            .contains("HTTP 400")
    );
    assert_eq!(host.status(&id).await["status"], "failed");
    host.stop().await;
}

#[tokio::test]
async fn a_receiver_that_stays_down_is_retried_on_the_schedule_then_dead_lettered() {
    let url = closed_port_url().await;
    let schedule = [0.2, 0.4];
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &url),
        ("DELIVERY_RETRY_SCHEDULE", "0.2,0.4"),
        ("DELIVERY_INLINE_RETRY_BUDGET", "0"),
    ])
    .await;
    let id = host.post_seed().await;
    let document = host.wait_for_status(&id, "dead_lettered", TIMEOUT).await;

    assert_eq!(document["attempts"], 3);
    let last_error = document["last_error"].as_str().unwrap();
    assert!(last_error.contains("connection refused"), "{last_error}");
    assert!(last_error.contains(&url), "{last_error}");
    let attempts: Vec<DateTime<chrono::FixedOffset>> = document["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "delivering")
        .map(|e| DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(attempts.len(), 3);
    for (pair, wait) in attempts.windows(2).zip(schedule) {
        let gap = (pair[1] - pair[0]).to_std().unwrap().as_secs_f64();
        assert!(gap >= wait, "waited {gap} s, scheduled {wait} s");
    }
    assert_eq!(host.agent.calls(), 1);
    host.stop().await;
}

#[tokio::test]
async fn an_internal_target_is_refused_at_once_with_the_reason_in_the_timeline() {
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", "http://169.254.169.254/latest/meta-data/"),
        ("DELIVERY_RETRY_SCHEDULE", "0.05,0.05"),
    ])
    .await;
    let id = host.post_seed().await;
    let document = host.wait_for_status(&id, "failed", TIMEOUT).await;
    assert_eq!(document["attempts"], 1, "refused targets are not retried");
    let last_error = document["last_error"].as_str().unwrap();
    assert!(last_error.contains("link-local"), "{last_error}");
    assert!(
        last_error.contains("WEBHOOK_ALLOWED_NETWORKS"),
        "{last_error}"
    );
    host.stop().await;
}

#[tokio::test]
async fn a_listed_network_replaces_the_local_default() {
    let receiver = Receiver::always(200).await;
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/8"),
    ])
    .await;
    let id = host.post_seed().await;
    let document = host.wait_for_status(&id, "failed", TIMEOUT).await;
    assert!(
        document["last_error"]
            .as_str()
            .unwrap()
            .contains("loopback")
    );
    assert!(receiver.hits().is_empty());
    host.stop().await;
}

#[tokio::test]
async fn a_410_gone_fails_at_once_and_stops_deliveries_to_that_url() {
    let receiver = Receiver::always(410).await;
    let mut host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("DELIVERY_RETRY_SCHEDULE", "0.05,0.05"),
    ])
    .await;
    let first = host.post_seed().await;
    let document = host.wait_for_status(&first, "failed", TIMEOUT).await;
    assert!(document["last_error"].as_str().unwrap().contains("410"));
    let second = host.post_seed().await;
    let document = host.wait_for_status(&second, "failed", TIMEOUT).await;
    assert!(
        document["last_error"]
            .as_str()
            .unwrap()
            .contains("is disabled: it answered 410 Gone")
    );
    assert_eq!(document["attempts"], 0, "nothing was sent");
    assert_eq!(
        receiver.hits().len(),
        1,
        "only the first request reached the receiver"
    );
    host.stop().await;
}

#[tokio::test]
async fn every_attempt_is_recorded_and_the_next_one_is_announced_until_delivered() {
    let slow_500 = Reply {
        status: 500,
        delay: Duration::from_millis(120),
    };
    let receiver = Receiver::scripted(vec![slow_500, Reply::status(500)], Reply::status(200)).await;
    let host = TestHost::start(&[
        ("WEBHOOK_URL", &receiver.url()),
        ("DELIVERY_RETRY_SCHEDULE", "1,1"),
    ])
    .await;
    let id = host.post_seed().await;

    // Between attempts: the next one is announced, about a second after the last.
    let waiting = crate::support::wait_until(TIMEOUT, "a retry to be scheduled", || async {
        let document = host.status(&id).await;
        (document["status"] == "retry_scheduled").then_some(document)
    })
    .await;
    let due = DateTime::parse_from_rfc3339(waiting["next_attempt_at"].as_str().unwrap()).unwrap();
    let last =
        &waiting["delivery_attempts"][waiting["delivery_attempts"].as_array().unwrap().len() - 1];
    let started = DateTime::parse_from_rfc3339(last["at"].as_str().unwrap()).unwrap();
    let gap = (due - started).num_milliseconds();
    assert!(
        (1_000..=1_800).contains(&gap),
        "the next attempt is due about a second (plus jitter) after the last: {gap} ms"
    );

    let document = host.wait_for_status(&id, "delivered", TIMEOUT).await;
    assert_eq!(
        document["next_attempt_at"],
        Value::Null,
        "none after delivery"
    );
    let attempts = document["delivery_attempts"].as_array().unwrap();
    let seen: Vec<_> = attempts
        .iter()
        .map(|a| {
            (
                a["attempt"].as_u64().unwrap(),
                a["outcome"].as_str().unwrap().to_owned(),
                a["http_status"].as_u64(),
                a["error"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "retrying".to_owned(), Some(500), false),
            (2, "retrying".to_owned(), Some(500), false),
            (3, "success".to_owned(), Some(200), true),
        ]
    );
    assert!(
        attempts[0]["duration_ms"].as_u64().unwrap() >= 120,
        "the slow answer's duration: {}",
        attempts[0]
    );
    assert!(attempts[0]["error"].as_str().unwrap().contains("HTTP 500"));
}
