//! Drill: the receiver fails half of all requests at random (500, 503 or 429). Every
//! accepted tracking id is still delivered, exactly once with a 2xx.

use super::{
    load::post_many,
    receiver::{DrillReceiver, free_port},
    serve::Serve,
    tally::Tally,
};
use std::time::Duration;

const REQUESTS: usize = 200;
/// Twenty short retries: the chance that one request fails 21 times in a row is 2^-21.
const SCHEDULE: &str = "0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05,\
                        0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05,0.05";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_failing_half_of_all_requests() {
    let receiver = DrillReceiver::start(free_port().await, 0.5, Duration::ZERO).await;
    let data_dir = tempfile::tempdir().unwrap();
    let server = Serve::start(
        data_dir.path(),
        &[
            ("WEBHOOK_URL", &receiver.url()),
            ("DELIVERY_RETRY_SCHEDULE", SCHEDULE),
        ],
    );
    let client = reqwest::Client::new();
    let accepted = post_many(&client, &server.base(), "flaky_receiver", REQUESTS).await;
    assert_eq!(accepted.len(), REQUESTS);

    let delivered = receiver
        .wait_for_all(&accepted, Duration::from_secs(60))
        .await;
    let failed = receiver.failed();
    let answered = failed + delivered.values().sum::<usize>();
    eprintln!(
        "drill flaky_receiver: {failed} of {answered} requests failed on purpose ({:.0} %)",
        100.0 * failed as f64 / answered as f64
    );
    assert!(
        failed * 10 >= answered * 3,
        "the receiver failed too few requests to prove anything"
    );
    assert!(
        delivered.values().all(|&copies| copies == 1),
        "a request was delivered twice with a 2xx"
    );
    assert_eq!(
        delivered.len(),
        REQUESTS,
        "only accepted ids were delivered"
    );
    assert_eq!(receiver.mismatched(), 0);
    Tally::of(&accepted, &delivered).report("flaky_receiver");
}
