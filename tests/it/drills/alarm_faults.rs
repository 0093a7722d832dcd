//! Drills that end at the alarms: the real `revops serve` under a fault, then `revops
//! monitor evaluate` on the EMF lines it wrote, in compressed time (one second stands
//! for one 5-minute period, [`DRILL_TIME_SCALE`]):
//!
//! - a receiver down for good: every delivery is dead-lettered after its retries, which
//!   fires the delivery-failure alarm and, through the local host's dead-letter metrics,
//!   the DLQ alarm;
//! - a slow agent (1.5 s an answer, seven and a half minutes at that scale): the p95
//!   end-to-end latency alarm fires. The binary's demo agent cannot be slowed, so this
//!   drill runs the same local host in process with [`SlowAgent`], as `agent_throttled`
//!   does; then `revops monitor evaluate` reads the EMF lines it wrote;
//! - a slow receiver (1.5 s a delivery), against the real binary: the same alarm fires.
//!
//! Requests come steadily for four seconds (four periods), so that M of N can see them.

use super::{
    load::post_many,
    receiver::{DrillReceiver, free_port, url},
    serve::Serve,
};
use crate::support::alarms::{DRILL_TIME_SCALE, alarm_states, assert_alarm};
use crate::support::host::local_config;
use crate::support::{Receiver, wait_until};
use async_trait::async_trait;
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_demo_agent::DemoAgent;
use revops_local::LocalHost;
use std::{collections::HashSet, path::Path, sync::Arc, time::Duration};

/// The demo agent, taking 1.5 s over each answer.
#[derive(Default)]
struct SlowAgent(DemoAgent);

#[async_trait]
impl Agent for SlowAgent {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        self.0.ask(question).await
    }
}

/// Batches posted, one every 200 ms, and requests per batch.
const BATCHES: usize = 20;
const PER_BATCH: usize = 3;

/// Posts [`BATCHES`] batches of distinct requests, one every 200 ms.
async fn post_steadily(base: &str, drill: &str) -> HashSet<String> {
    let client = reqwest::Client::new();
    let mut accepted = HashSet::new();
    for batch in 0..BATCHES {
        let started = tokio::time::Instant::now();
        accepted.extend(post_many(&client, base, &format!("{drill}-{batch}"), PER_BATCH).await);
        tokio::time::sleep_until(started + Duration::from_millis(200)).await;
    }
    assert_eq!(accepted.len(), BATCHES * PER_BATCH);
    accepted
}

/// Waits until the EMF file holds `count` lines with `needle`.
async fn wait_for_lines(data_dir: &Path, needle: &str, count: usize) {
    let emf = data_dir.join("metrics.emf.jsonl");
    wait_until(Duration::from_secs(30), "the EMF lines", || async {
        let text = std::fs::read_to_string(&emf).unwrap_or_default();
        (text.lines().filter(|line| line.contains(needle)).count() >= count).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_good_fires_the_delivery_failure_and_dlq_alarms() {
    let addr = free_port().await;
    let data_dir = tempfile::tempdir().unwrap();
    let server = Serve::start(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", &url(addr)),
            // Three quick attempts, then the dead letters.
            ("DELIVERY_RETRY_SCHEDULE", "0.05,0.05"),
            ("DELIVERY_INLINE_RETRY_BUDGET", "0"),
            ("RECEIVER_BREAKER_FAILURES", "100000"),
        ],
    );
    let accepted = post_steadily(&server.base(), "receiver_gone").await;
    wait_for_lines(data_dir.path(), "\"dead_lettered\"", accepted.len()).await;

    let states = alarm_states(data_dir.path(), DRILL_TIME_SCALE);
    assert_alarm(&states, "delivery-failure-rate", "ALARM");
    assert_alarm(&states, "dlq-not-empty", "ALARM");
    assert_alarm(&states, "service-unhealthy", "ALARM");
    // Lambda's own metrics do not exist locally.
    assert_alarm(
        &states,
        "function-error-rate-processor",
        "INSUFFICIENT_DATA",
    );
    eprintln!(
        "drill receiver_gone: {} dead-lettered; delivery-failure-rate: {}",
        accepted.len(),
        states["delivery-failure-rate"].reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_receiver_fires_the_p95_latency_alarm() {
    let addr = free_port().await;
    let receiver = DrillReceiver::start(addr, 0.0, Duration::from_millis(1500)).await;
    let data_dir = tempfile::tempdir().unwrap();
    let server = Serve::start(data_dir.path(), &[("WEBHOOK_URL", &url(addr))]);
    let accepted = post_steadily(&server.base(), "slow_receiver").await;
    receiver
        .wait_for_all(&accepted, Duration::from_secs(60))
        .await;
    wait_for_lines(data_dir.path(), "EndToEndLatency", accepted.len()).await;

    let states = alarm_states(data_dir.path(), DRILL_TIME_SCALE);
    assert_alarm(&states, "e2e-latency-p95", "ALARM");
    assert_alarm(&states, "delivery-failure-rate", "OK");
    assert_alarm(&states, "dlq-not-empty", "OK");
    eprintln!(
        "drill slow_receiver: {} delivered; e2e-latency-p95: {}",
        accepted.len(),
        states["e2e-latency-p95"].reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_agent_fires_the_p95_latency_alarm() {
    let receiver = Receiver::always(200).await;
    let data_dir = tempfile::tempdir().unwrap();
    let config = local_config(data_dir.path(), &[("WEBHOOK_URL", &receiver.url())]);
    let host = LocalHost::start(config, Arc::new(SlowAgent::default()))
        .await
        .unwrap();
    let base = format!("http://{}", host.addr());
    let accepted = post_steadily(&base, "slow_agent").await;
    wait_for_lines(data_dir.path(), "EndToEndLatency", accepted.len()).await;
    host.stop().await.unwrap();

    let states = alarm_states(data_dir.path(), DRILL_TIME_SCALE);
    assert_alarm(&states, "e2e-latency-p95", "ALARM");
    assert_alarm(&states, "delivery-failure-rate", "OK");
    eprintln!(
        "drill slow_agent: {} delivered; e2e-latency-p95: {}",
        accepted.len(),
        states["e2e-latency-p95"].reason
    );
}
