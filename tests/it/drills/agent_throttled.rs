//! Drill: the agent throttles. The `revops` binary always runs the demo agent, which
//! never throttles, so this drill runs the same local host in process with
//! [`ThrottlingAgent`] and a real receiver. Every request is asked again within the
//! bounds of `AGENT_RETRY_SCHEDULE` (no sooner than scheduled, no later than its jitter
//! allows, a `Retry-After` honoured), then after the receive's wait in `AGENT_RETRY_BACKOFF`
//! (growing with each receive) once a receive's calls run out; it is answered once, never asked again after that, and delivered.

use super::{
    load::post_many,
    tally::{Tally, every_delivery},
    throttling_agent::{HINT, ThrottlingAgent, hinted, throttles_for},
};
use crate::support::Receiver;
use crate::support::host::local_config;
use revops_local::LocalHost;
use std::{collections::HashSet, sync::Arc, time::Duration};

const REQUESTS: usize = 40;
/// `AGENT_RETRY_SCHEDULE`: calls per receive are at most 1 + its length.
const SCHEDULE: [f64; 3] = [0.1, 0.2, 0.4];
/// `AGENT_RETRY_BACKOFF`, seconds after the first receive and after every later one: a
/// question throttled eight times or more waits the second.
const BACKOFF: [f64; 2] = [1.0, 1.5];
/// The agent schedule's added jitter, and the scheduling slack allowed on top.
const JITTER: f64 = 0.2;
const SLACK: f64 = 0.5;

/// The bounds of the wait before call `n + 1` (0-based `n`) of one question.
fn bounds(n: usize, hinted: bool) -> (f64, f64) {
    let within_receive = n % (SCHEDULE.len() + 1);
    if within_receive == SCHEDULE.len() {
        let receive = n / (SCHEDULE.len() + 1);
        let backoff = BACKOFF[receive.min(BACKOFF.len() - 1)];
        return (backoff, backoff * (1.0 + JITTER) + 2.0 * SLACK);
    }
    let wait = SCHEDULE[within_receive];
    let hint = if hinted && n == 0 {
        HINT.as_secs_f64()
    } else {
        0.0
    };
    (wait.max(hint), (wait * (1.0 + JITTER)).max(hint) + SLACK)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_throttled() {
    let receiver = Receiver::always(200).await;
    let data_dir = tempfile::tempdir().unwrap();
    let schedule: Vec<String> = SCHEDULE.iter().map(f64::to_string).collect();
    let config = local_config(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", &receiver.url()),
            ("AGENT_RETRY_SCHEDULE", &schedule.join(",")),
            (
                "AGENT_RETRY_BACKOFF",
                &BACKOFF.map(|wait| wait.to_string()).join(","),
            ),
        ],
    );
    let agent = Arc::new(ThrottlingAgent::default());
    let host = LocalHost::start(config, agent.clone()).await.unwrap();
    let base = format!("http://{}", host.addr());

    let client = reqwest::Client::new();
    let accepted: HashSet<String> = post_many(&client, &base, "agent_throttled", REQUESTS).await;
    assert_eq!(accepted.len(), REQUESTS);
    let delivered = every_delivery(&receiver, &accepted, Duration::from_secs(30)).await;
    host.stop().await.unwrap();

    let calls = agent.calls();
    let mut throttled = 0;
    for id in &accepted {
        let times = &calls[id];
        let expected = throttles_for(id) + 1;
        assert_eq!(
            times.len(),
            expected,
            "{id}: calls, throttled {} times",
            expected - 1
        );
        throttled += expected - 1;
        for (n, pair) in times.windows(2).enumerate() {
            let gap = pair[1].duration_since(pair[0]).as_secs_f64();
            let (low, high) = bounds(n, hinted(id));
            assert!(
                (low..=high).contains(&gap),
                "{id}: call {} came {gap:.3} s after the last, outside [{low}, {high:.2}] s",
                n + 2
            );
        }
        assert_eq!(delivered[id], 1, "{id} delivered once");
    }
    assert!(
        throttled > 0,
        "nothing was throttled; the drill proves nothing"
    );
    eprintln!(
        "drill agent_throttled: {throttled} throttled calls, {} calls in all",
        calls.values().map(Vec::len).sum::<usize>()
    );
    Tally::of(&accepted, &delivered).report("agent_throttled");
}
