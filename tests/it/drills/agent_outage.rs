//! Drill: the agent is down for six hours, compressed a thousandfold. Every duration
//! the outage meets is scaled by the same factor: the outage (21.6 s for 6 h), the
//! defaults of `AGENT_RETRY_SCHEDULE` (2, 4, 8 s) and of `AGENT_RETRY_BACKOFF` (60,
//! 120, 240, 480, then 900 s); `REVOPS_MAX_RECEIVES` keeps its default (30). Requests
//! arrive all the while. Once the agent is back, every request is delivered and none
//! was dead-lettered: the defaults outlast six hours of outage.

use super::tally::{Tally, every_delivery};
use crate::support::Receiver;
use crate::support::host::local_config;
use async_trait::async_trait;
use revops_core::ports::{Agent, AgentAnswer, AgentError, AgentQuestion};
use revops_demo_agent::DemoAgent;
use revops_local::LocalHost;
use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// How much faster than real time the drill runs.
const COMPRESSION: f64 = 1000.0;
/// The outage, in real hours.
const OUTAGE_HOURS: f64 = 6.0;
/// A request every this long while the agent is down.
const ARRIVAL_GAP: Duration = Duration::from_millis(400);

/// The demo agent behind an outage: every call fails as unavailable until `back_at`.
struct DownUntil {
    inner: DemoAgent,
    back_at: Instant,
    failed_calls: AtomicUsize,
}

#[async_trait]
impl Agent for DownUntil {
    async fn ask(&self, question: &AgentQuestion) -> Result<AgentAnswer, AgentError> {
        if Instant::now() < self.back_at {
            self.failed_calls.fetch_add(1, Ordering::SeqCst);
            return Err(AgentError::Unavailable(
                "the model endpoint is down (drill)".into(),
            ));
        }
        self.inner.ask(question).await
    }
}

/// `seconds`, each compressed, as a schedule.
fn compressed(seconds: &[f64]) -> String {
    seconds
        .iter()
        .map(|s| (s / COMPRESSION).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_outage() {
    let receiver = Receiver::always(200).await;
    let data_dir = tempfile::tempdir().unwrap();
    let config = local_config(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", &receiver.url()),
            ("AGENT_RETRY_SCHEDULE", &compressed(&[2.0, 4.0, 8.0])),
            (
                "AGENT_RETRY_BACKOFF",
                &compressed(&[60.0, 120.0, 240.0, 480.0, 900.0]),
            ),
        ],
    );
    assert_eq!(
        config.pipeline.max_receives, 30,
        "the default receive limit"
    );
    let outage = Duration::from_secs_f64(OUTAGE_HOURS * 3600.0 / COMPRESSION);
    let agent = Arc::new(DownUntil {
        inner: DemoAgent::default(),
        back_at: Instant::now() + outage,
        failed_calls: AtomicUsize::new(0),
    });
    let host = LocalHost::start(config, agent.clone()).await.unwrap();
    let base = format!("http://{}", host.addr());
    let client = reqwest::Client::new();

    let mut accepted = HashSet::new();
    let mut n = 0;
    while Instant::now() < agent.back_at {
        let response = client
            .post(format!("{base}/webhook"))
            .json(&serde_json::json!({
                "query": format!("What is the pipeline for account {n}?"),
                "source_system": "agent_outage",
                "source_process": "drill",
                "timestamp": "2025-08-13T06:30:00Z",
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let body: serde_json::Value = response.json().await.unwrap();
        accepted.insert(body["tracking_id"].as_str().unwrap().to_owned());
        n += 1;
        tokio::time::sleep(ARRIVAL_GAP).await;
    }
    // The last request came when the outage ended; a full backoff cycle (0.9 s) and
    // the delivery are left after it.
    let delivered = every_delivery(&receiver, &accepted, Duration::from_secs(30)).await;
    let mut dead_lettered = Vec::new();
    for id in &accepted {
        let document = crate::support::status(&client, &base, id).await;
        assert_eq!(document["status"], "delivered", "{id}");
        let events = document["events"].as_array().unwrap();
        if events
            .iter()
            .any(|event| event["status"] == "dead_lettered")
        {
            dead_lettered.push(id.clone());
        }
    }
    host.stop().await.unwrap();

    assert!(
        agent.failed_calls.load(Ordering::SeqCst) > accepted.len(),
        "the outage refused calls; the drill proves nothing otherwise"
    );
    assert!(dead_lettered.is_empty(), "dead-lettered: {dead_lettered:?}");
    for id in &accepted {
        assert_eq!(delivered[id], 1, "{id} delivered once");
    }
    eprintln!(
        "drill agent_outage: {OUTAGE_HOURS} h of outage in {:.1} s, {} failed agent calls",
        outage.as_secs_f64(),
        agent.failed_calls.load(Ordering::SeqCst)
    );
    Tally::of(&accepted, &delivered).report("agent_outage");
}
