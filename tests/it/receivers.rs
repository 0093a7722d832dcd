//! Receiver health on the local host: a receiver down opens its circuit after the
//! threshold, gets only the probes while it is open, and once back every request is
//! delivered once, none dead-lettered for the time it waited; a `410 Gone` disables
//! the URL across a restart of `revops serve` until `revops receivers enable`.

use crate::{
    drills::tally::Tally,
    support::{Switchable, TestHost, binary::revops, wait_until},
};
use serde_json::Value;
use std::{collections::HashSet, time::Duration};

const WAIT: Duration = Duration::from_secs(30);

/// `revops receivers ... --format json --data-dir DIR`, as JSON.
fn receivers(dir: &std::path::Path) -> Vec<Value> {
    let output = revops(&[
        "receivers",
        "--format",
        "json",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn metric_lines(dir: &std::path::Path, metric: &str) -> usize {
    std::fs::read_to_string(dir.join("metrics.emf.jsonl"))
        .unwrap()
        .lines()
        .filter(|line| line.contains(&format!("\"{metric}\"")))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_gets_only_probes_while_its_circuit_is_open_and_then_everything_once() {
    let receiver = Switchable::start(503).await;
    let url = receiver.receiver.url();
    let host = TestHost::start(&[
        ("WEBHOOK_URL", url.as_str()),
        ("RECEIVER_BREAKER_FAILURES", "3"),
        ("RECEIVER_BREAKER_COOLDOWN", "1"),
        // Short waits, and only five attempts: a request that spent one attempt per
        // probe would be dead-lettered within the outage.
        ("DELIVERY_RETRY_SCHEDULE", "0.2,0.2,0.2,0.2"),
    ])
    .await;
    let dir = host.data_dir();

    // The first request fails three times in a row: the circuit opens.
    let first = host.post_seed().await;
    wait_until(WAIT, "the circuit to open", || async {
        receivers(dir)
            .iter()
            .any(|entry| entry["state"] == "open" || entry["state"] == "half_open")
            .then_some(())
    })
    .await;
    assert_eq!(
        receiver.receiver.hits().len(),
        3,
        "the threshold's attempts"
    );

    // While it is open, more requests come; the receiver stays down for four cooldowns.
    let before = receiver.receiver.hits().len();
    let mut accepted: HashSet<String> = HashSet::from([first]);
    for _ in 0..20 {
        accepted.insert(host.post_seed().await);
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let while_open = receiver.receiver.hits().len() - before;
    assert!(
        (1..=6).contains(&while_open),
        "four cooldowns of one second: about one probe each, not an attempt per request ({while_open} hits)"
    );
    assert!(
        metric_lines(dir, "DeliveriesShortCircuited") >= 20,
        "every new request waited on the circuit"
    );

    receiver.answer(200);
    let delivered = wait_until(WAIT, "every request delivered", || async {
        let delivered = receiver.accepted();
        accepted
            .iter()
            .all(|id| delivered.contains_key(id))
            .then_some(delivered)
    })
    .await;
    for id in &accepted {
        assert_eq!(delivered[id], 1, "{id} delivered once");
        let document = host.wait_for_status(id, "delivered", WAIT).await;
        let events = document["events"].as_array().unwrap();
        assert!(
            events
                .iter()
                .all(|event| event["status"] != "dead_lettered"),
            "{id} was never dead-lettered"
        );
    }
    let circuit = receivers(dir)
        .into_iter()
        .find(|entry| entry["kind"] == "circuit")
        .unwrap();
    assert_eq!(circuit["state"], "closed");
    assert_eq!(circuit["failures"], 0);
    assert!(metric_lines(dir, "ReceiverCircuitsOpened") >= 1);
    assert!(metric_lines(dir, "ReceiverCircuitsClosed") >= 1);
    Tally::of(&accepted, &delivered).report("receiver_circuit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_410_disables_the_url_across_a_restart_until_an_operator_enables_it() {
    let receiver = Switchable::start(410).await;
    let url = receiver.receiver.url();
    let vars = [("WEBHOOK_URL", url.as_str())];
    let first = TestHost::start(&vars).await;
    let gone = first.post_seed().await;
    let document = first.wait_for_status(&gone, "failed", WAIT).await;
    assert!(document["last_error"].as_str().unwrap().contains("410"));
    let dir = first.stop_keeping_data().await;

    let listed = receivers(dir.path());
    let disabled: Vec<_> = listed
        .iter()
        .filter(|entry| entry["kind"] == "disabled_url")
        .collect();
    assert_eq!(disabled.len(), 1, "{listed:?}");
    assert_eq!(disabled[0]["url"], url.as_str());

    let second = TestHost::start_in(dir, &vars).await;
    let refused = second.post_seed().await;
    let document = second.wait_for_status(&refused, "failed", WAIT).await;
    assert!(
        document["last_error"]
            .as_str()
            .unwrap()
            .contains("disabled"),
        "{document}"
    );
    assert_eq!(
        receiver.receiver.hits().len(),
        1,
        "nothing was sent to the disabled URL after the restart"
    );
    assert!(document["delivery_attempts"].as_array().unwrap().is_empty());

    let dir = second.data_dir().to_str().unwrap().to_owned();
    let output = revops(&["receivers", "enable", &url, "--data-dir", &dir]);
    assert!(output.status.success(), "{output:?}");
    let output = revops(&["receivers", "enable", &url, "--data-dir", &dir]);
    assert_eq!(output.status.code(), Some(2), "no longer disabled");
    receiver.answer(200);
    // The server reads a receiver's health at most once a second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let after = second.post_seed().await;
    second.wait_for_status(&after, "delivered", WAIT).await;
}
