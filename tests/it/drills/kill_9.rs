//! Drill: `kill -9` while requests are still arriving, then a restart on the same data
//! directory. Every request that got a `202` before the kill, and every one accepted
//! after the restart, is delivered. (`tests/it/durability.rs` kills after all 1000
//! requests were accepted; here the kill lands in the middle of the `POST`s.)

use super::{
    load::{post_counting, post_many},
    receiver::{DrillReceiver, free_port},
    serve::Serve,
    tally::Tally,
};
use crate::support::wait_until;
use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

/// Requests posted before and during the kill.
const BEFORE: usize = 600;
/// The kill comes once this many were accepted.
const KILL_AFTER: usize = 300;
/// Requests posted after the restart.
const AFTER: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_and_restart() {
    let receiver = DrillReceiver::start(free_port().await, 0.0, Duration::from_millis(20)).await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = receiver.url();
    let env = [
        ("WEBHOOK_URL", url.as_str()),
        ("REVOPS_WORKERS", "4"),
        ("DELIVERY_RETRY_SCHEDULE", "0.1,0.2,0.4"),
    ];
    let mut first = Serve::start(data_dir.path(), &env);
    let client = reqwest::Client::new();
    let accepted_so_far = Arc::new(AtomicUsize::new(0));
    let load = tokio::spawn({
        let (client, base, counter) = (client.clone(), first.base(), accepted_so_far.clone());
        async move { post_counting(&client, &base, "kill_9", BEFORE, counter).await }
    });
    wait_until(
        Duration::from_secs(30),
        "requests accepted under load",
        || async { (accepted_so_far.load(Ordering::SeqCst) >= KILL_AFTER).then_some(()) },
    )
    .await;
    tokio::task::block_in_place(|| first.kill_9());
    let delivered_at_kill = receiver.delivered().len();
    let before_kill = load.await.unwrap();
    assert!(
        before_kill.len() < BEFORE,
        "every request was accepted before the kill; it did not land under load"
    );
    assert!(
        delivered_at_kill < before_kill.len(),
        "every request was delivered before the kill; the drill proves nothing"
    );

    let second = Serve::start(data_dir.path(), &env);
    let after = post_many(&client, &second.base(), "kill_9_after", AFTER).await;
    assert_eq!(after.len(), AFTER);
    let all: HashSet<String> = before_kill.union(&after).cloned().collect();
    let delivered = receiver.wait_for_all(&all, Duration::from_secs(60)).await;
    assert_eq!(receiver.mismatched(), 0);
    eprintln!(
        "drill kill_9: killed with {} accepted of {BEFORE} posted and {delivered_at_kill} delivered; {AFTER} accepted after the restart",
        before_kill.len(),
    );
    drop(second);
    Tally::of(&all, &delivered).report("kill_9");
}
