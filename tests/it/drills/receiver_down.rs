//! Drill: the receiver is down for a while, then back. Every accepted request is retried
//! on the `DELIVERY_RETRY_SCHEDULE` (no attempt sooner than scheduled) and delivered once
//! the receiver is back, none dead-lettered; so the delivery-failure and DLQ alarms,
//! evaluated on the EMF lines it wrote, stay out of ALARM.

use super::{
    load::post_many,
    receiver::{DrillReceiver, free_port, url},
    serve::{Serve, status},
    tally::Tally,
};
use crate::support::alarms::{DRILL_TIME_SCALE, alarm_states};
use crate::support::wait_until;
use chrono::DateTime;
use serde_json::Value;
use std::time::Duration;

/// Waits before attempts 2, 3, …: about 9 s in all, longer than the outage.
const SCHEDULE: [f64; 10] = [0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
const REQUESTS: usize = 100;
const OUTAGE: Duration = Duration::from_secs(3);

/// The times of a status document's delivery attempts (its `delivering` events), in seconds.
fn attempt_times(document: &Value) -> Vec<f64> {
    document["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["status"] == "delivering")
        .map(|event| {
            let at = DateTime::parse_from_rfc3339(event["at"].as_str().unwrap()).unwrap();
            at.timestamp_micros() as f64 / 1e6
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_down_for_a_while_then_back() {
    let addr = free_port().await;
    let schedule: Vec<String> = SCHEDULE.iter().map(f64::to_string).collect();
    let schedule = schedule.join(",");
    let data_dir = tempfile::tempdir().unwrap();
    let server = Serve::start(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", &url(addr)),
            ("DELIVERY_RETRY_SCHEDULE", &schedule),
            ("DELIVERY_INLINE_RETRY_BUDGET", "0"),
            // This drill pins the retry schedule; with the receiver's circuit open the
            // requests would wait without attempts instead (`receivers::` shows that).
            ("RECEIVER_BREAKER_FAILURES", "100000"),
        ],
    );
    let client = reqwest::Client::new();
    let accepted = post_many(&client, &server.base(), "receiver_down", REQUESTS).await;
    assert_eq!(accepted.len(), REQUESTS);

    tokio::time::sleep(OUTAGE).await;
    for id in &accepted {
        let document = status(&client, &server.base(), id).await;
        assert_ne!(document["status"], "delivered", "{document}");
        assert_ne!(document["status"], "dead_lettered", "{document}");
    }
    let receiver = DrillReceiver::start(addr, 0.0, Duration::ZERO).await;

    let delivered = receiver
        .wait_for_all(&accepted, Duration::from_secs(30))
        .await;
    let mut most_attempts = 0;
    for id in &accepted {
        let document = wait_until(Duration::from_secs(5), "the delivered status", || async {
            let document = status(&client, &server.base(), id).await;
            (document["status"] == "delivered").then_some(document)
        })
        .await;
        let times = attempt_times(&document);
        assert!(times.len() >= 2, "{id} was never retried: {document}");
        assert!(times.len() <= SCHEDULE.len() + 1, "{document}");
        for (n, pair) in times.windows(2).enumerate() {
            let gap = pair[1] - pair[0];
            assert!(
                gap >= SCHEDULE[n] - 0.001,
                "attempt {} of {id} came {gap:.3} s after the last, before the scheduled {} s",
                n + 2,
                SCHEDULE[n]
            );
        }
        most_attempts = most_attempts.max(times.len());
    }
    assert_eq!(receiver.mismatched(), 0);
    eprintln!(
        "drill receiver_down: outage {OUTAGE:?}, at most {most_attempts} attempts per request"
    );
    Tally::of(&accepted, &delivered).report("receiver_down");

    // The alarms on what it wrote: a short outage whose requests are all delivered in
    // the end is no delivery failure, and nothing reached the dead letters.
    let states = alarm_states(data_dir.path(), DRILL_TIME_SCALE);
    for quiet in ["delivery-failure-rate", "dlq-not-empty"] {
        assert_ne!(
            states[quiet].state, "ALARM",
            "{quiet}: {}",
            states[quiet].reason
        );
    }
}
