//! Dead letters and replay on the local host, through the real `revops` commands: a
//! receiver down dead-letters requests; `revops dlq list` shows them with their last
//! error; with the receiver back, `revops dlq replay --all` delivers each exactly once,
//! from its stored answer (the agent asked once in the request's whole life), under the
//! same `webhook-id`, and the list is empty after. The same with `revops serve` running
//! and not running. `revops redeliver` does it for a failed request. Bad input changes
//! nothing and exits 2.

use crate::support::{Switchable, TestHost, binary::revops, wait_until};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const REQUESTS: usize = 3;

fn vars(receiver: &Switchable) -> Vec<(&'static str, String)> {
    vec![
        ("WEBHOOK_URL", receiver.receiver.url()),
        // Three quick attempts, then the dead letters; the receiver's circuit is not
        // what these tests are about (it would keep the requests waiting instead).
        ("DELIVERY_RETRY_SCHEDULE", "0.05,0.05".to_owned()),
        ("RECEIVER_BREAKER_FAILURES", "1000".to_owned()),
    ]
}

async fn start(dir: Option<tempfile::TempDir>, vars: &[(&'static str, String)]) -> TestHost {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match dir {
        Some(dir) => TestHost::start_in(dir, &vars).await,
        None => TestHost::start(&vars).await,
    }
}

/// `revops ARGS --data-dir DIR`, asserting it exits `code`; its stdout.
fn run(dir: &std::path::Path, args: &[&str], code: i32) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--data-dir", dir.to_str().unwrap()]);
    let output = revops(&all);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "revops {all:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    if code == 2 {
        return stderr;
    }
    stdout
}

fn dead_letter_list(dir: &std::path::Path) -> Vec<Value> {
    let out = run(dir, &["dlq", "list", "--format", "json"], 0);
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Posts the seed's request `REQUESTS` times and waits for each to be dead-lettered.
async fn dead_letter_some(host: &TestHost) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..REQUESTS {
        ids.push(host.post_seed().await);
    }
    for id in &ids {
        host.wait_for_status(id, "dead_lettered", WAIT).await;
    }
    ids
}

/// What every replayed request must show once delivered: one 2xx delivery, every
/// attempt under its own tracking id as `webhook-id`, the agent answering once in its
/// whole life, and a timeline that says it was replayed.
async fn assert_replayed_once(host: &TestHost, receiver: &Switchable, ids: &[String]) {
    let accepted = wait_until(WAIT, "every replayed request delivered", || async {
        let accepted = receiver.accepted();
        ids.iter()
            .all(|id| accepted.contains_key(id))
            .then_some(accepted)
    })
    .await;
    for id in ids {
        let document = host.wait_for_status(id, "delivered", WAIT).await;
        assert_eq!(accepted[id], 1, "{id} delivered exactly once");
        let webhook_ids = receiver.webhook_ids_for(id);
        assert!(webhook_ids.len() > 1, "failed attempts, then the replay");
        assert!(
            webhook_ids.iter().all(|webhook_id| webhook_id == id),
            "{id}: webhook-id unchanged across the replay: {webhook_ids:?}"
        );
        let events = document["events"].as_array().unwrap();
        let answered = events
            .iter()
            .filter(|event| event["status"] == "agent_completed")
            .count();
        assert_eq!(answered, 1, "{id}: the agent answered once: {events:?}");
        let replayed = events.iter().any(|event| {
            event["status"] == "queued"
                && event["detail"]
                    .as_str()
                    .is_some_and(|detail| detail.starts_with("replayed by revops dlq replay"))
        });
        assert!(
            replayed,
            "{id}: the timeline says it was replayed: {events:?}"
        );
    }
}

fn replayed_metric_lines(dir: &std::path::Path) -> usize {
    std::fs::read_to_string(dir.join("metrics.emf.jsonl"))
        .unwrap()
        .lines()
        .filter(|line| line.contains("\"MessagesReplayed\""))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_and_replayed_once_each_while_serve_runs() {
    let receiver = Switchable::start(503).await;
    let vars = vars(&receiver);
    let host = start(None, &vars).await;
    let ids = dead_letter_some(&host).await;

    let listed = dead_letter_list(host.data_dir());
    assert_eq!(listed.len(), REQUESTS);
    for entry in &listed {
        let mut keys: Vec<_> = entry.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "attempts",
                "dead_lettered_at",
                "last_error",
                "source_system",
                "tracking_id"
            ]
        );
        assert!(ids.contains(&entry["tracking_id"].as_str().unwrap().to_owned()));
        assert_eq!(entry["attempts"], 3);
        assert!(
            entry["last_error"].as_str().unwrap().contains("503"),
            "{entry}"
        );
    }

    receiver.answer(200);
    let out = run(host.data_dir(), &["dlq", "replay", "--all"], 0);
    assert!(out.contains("3 replayed, 0 skipped"), "{out}");
    assert_replayed_once(&host, &receiver, &ids).await;
    assert_eq!(
        host.agent.calls(),
        REQUESTS,
        "the agent was not asked again"
    );
    assert!(dead_letter_list(host.data_dir()).is_empty());
    assert_eq!(replayed_metric_lines(host.data_dir()), REQUESTS);

    let again = run(
        host.data_dir(),
        &["dlq", "replay", "--tracking-id", &ids[0]],
        2,
    );
    assert!(
        again.contains(&ids[0]) && again.contains("delivered"),
        "a replayed request is not replayed twice: {again}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_replayed_while_serve_is_stopped_are_delivered_when_it_starts() {
    let receiver = Switchable::start(503).await;
    let vars = vars(&receiver);
    let first = start(None, &vars).await;
    let ids = dead_letter_some(&first).await;
    let first_calls = first.agent.calls();
    let dir = first.stop_keeping_data().await;

    let dry = run(dir.path(), &["dlq", "replay", "--all", "--dry-run"], 0);
    assert!(dry.contains("3 request(s) would be replayed"), "{dry}");
    assert_eq!(
        dead_letter_list(dir.path()).len(),
        REQUESTS,
        "a dry run changes nothing"
    );

    receiver.answer(200);
    let out = run(
        dir.path(),
        &[
            "dlq", "replay", "--all", "--since", "1h", "--format", "json",
        ],
        0,
    );
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["replayed"].as_array().unwrap().len(), REQUESTS);
    assert!(dead_letter_list(dir.path()).is_empty());

    let second = start(Some(dir), &vars).await;
    assert_replayed_once(&second, &receiver, &ids).await;
    assert_eq!(
        first_calls + second.agent.calls(),
        REQUESTS,
        "the agent was asked once per request in all"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_request_is_redelivered_once_when_its_receiver_is_fixed() {
    let receiver = Switchable::start(400).await;
    let vars = vars(&receiver);
    let host = start(None, &vars).await;
    let id = host.post_seed().await;
    let failed = host.wait_for_status(&id, "failed", WAIT).await;
    assert!(failed["last_error"].as_str().unwrap().contains("400"));

    receiver.answer(200);
    let out = run(host.data_dir(), &["redeliver", &id], 0);
    assert!(out.contains("1 replayed, 0 skipped"), "{out}");
    host.wait_for_status(&id, "delivered", WAIT).await;
    wait_until(WAIT, "the redelivery", || async {
        (receiver.accepted().get(&id) == Some(&1)).then_some(())
    })
    .await;
    assert_eq!(host.agent.calls(), 1, "delivered from the stored answer");
    assert!(
        receiver.webhook_ids_for(&id).iter().all(|w| *w == id),
        "same webhook-id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_exit_2_and_changes_nothing() {
    let receiver = Switchable::start(503).await;
    let vars = vars(&receiver);
    let host = start(None, &vars).await;
    let dir = host.data_dir();
    let id = host.post_seed().await;
    host.wait_for_status(&id, "dead_lettered", WAIT).await;
    let unknown = "0b8e2a4c-5d3f-4e1a-9c7b-2f6d8e0a1b3c";

    let refused = run(dir, &["dlq", "replay", "--tracking-id", &id, unknown], 2);
    assert!(
        refused.contains(unknown) && refused.contains("nothing was replayed"),
        "{refused}"
    );
    let refused = run(dir, &["redeliver", &id], 2);
    assert!(
        refused.contains("dead_lettered") && refused.contains("failed"),
        "redeliver takes failed requests only: {refused}"
    );
    for args in [
        &["dlq", "replay", "--all", "--since", "yesterday"][..],
        &["dlq", "replay", "--all", "--since", "1h", "--until", "2h"][..],
        &["dlq", "replay", "--all", "--tracking-id", &id][..],
        &["dlq", "replay"][..],
        &["dlq", "replay", "--tracking-id", "not-an-id"][..],
    ] {
        run(dir, args, 2);
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let missing = run(elsewhere.path(), &["dlq", "list"], 2);
    assert!(missing.contains("no revops data directory"), "{missing}");
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none(),
        "no database made where there was none"
    );

    let document = host.status(&id).await;
    assert_eq!(document["status"], "dead_lettered", "nothing changed");
    assert_eq!(dead_letter_list(dir).len(), 1);
}
