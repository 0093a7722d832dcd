//! Requests for the drills: `n` distinct questions posted concurrently to a gateway, from
//! a few source systems, as a well-behaved caller would: a `429` or `503` is tried again
//! after its `Retry-After`. Returns the tracking ids the gateway accepted.

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::{sync::Semaphore, task::JoinSet};

/// How many `POST`s are in flight at once.
const CONCURRENCY: usize = 16;
/// How many source systems the requests come from (rate limits are per source system).
const SOURCES: usize = 8;
/// Tries per request while the gateway says `429` or `503`.
const TRIES: usize = 20;
/// The longest `Retry-After` waited.
const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// The body of the `n`th request of a drill.
pub fn request(drill: &str, n: usize) -> serde_json::Value {
    serde_json::json!({
        "query": format!("What is the deal status for IXIS? ({drill} {n})"),
        "source_system": format!("fault_drill_{}", n % SOURCES),
        "source_process": drill,
        "timestamp": "2025-08-13T06:30:00Z"
    })
}

/// Posts `n` requests to `base` and returns every accepted tracking id; a request that
/// gets no `202` (the server is gone) is simply not accepted.
pub async fn post_many(
    client: &reqwest::Client,
    base: &str,
    drill: &str,
    n: usize,
) -> HashSet<String> {
    post_counting(client, base, drill, n, Arc::default()).await
}

/// [`post_many`], counting the `202`s in `accepted_so_far` as they come.
pub async fn post_counting(
    client: &reqwest::Client,
    base: &str,
    drill: &str,
    n: usize,
    accepted_so_far: Arc<AtomicUsize>,
) -> HashSet<String> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut posts = JoinSet::new();
    for i in 0..n {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let post = client
            .post(format!("{base}/webhook"))
            .json(&request(drill, i));
        let accepted_so_far = accepted_so_far.clone();
        posts.spawn(async move {
            let accepted = post_politely(post).await;
            drop(permit);
            accepted_so_far.fetch_add(usize::from(accepted.is_some()), Ordering::SeqCst);
            accepted
        });
    }
    let mut accepted = HashSet::new();
    while let Some(id) = posts.join_next().await {
        accepted.extend(id.unwrap());
    }
    accepted
}

/// Sends `post`, again after `Retry-After` while the answer is `429` or `503`; the
/// tracking id if it was accepted. A connection error ends it (the server is gone).
async fn post_politely(post: reqwest::RequestBuilder) -> Option<String> {
    for _ in 0..TRIES {
        let response = post.try_clone()?.send().await.ok()?;
        if ![429, 503].contains(&response.status().as_u16()) {
            return accepted_id(response).await;
        }
        let wait = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok()?.parse().ok())
            .map_or(Duration::from_secs(1), Duration::from_secs);
        tokio::time::sleep(wait.min(LONGEST_WAIT)).await;
    }
    None
}

/// The tracking id of a `202`, if it is one.
pub async fn accepted_id(response: reqwest::Response) -> Option<String> {
    if response.status() != 202 {
        return None;
    }
    let body: serde_json::Value = response.json().await.ok()?;
    Some(body["tracking_id"].as_str()?.to_owned())
}
