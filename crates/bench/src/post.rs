//! Posting the seed request many times: closed-loop (a fixed number of requests over a
//! fixed number of concurrent tasks) or open-loop (a fixed rate, each request timed from
//! when it was due, so a slow server cannot hide its delay), keeping each `tracking_id`.

use crate::revops::SEED_REQUEST;
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::time::Instant;

/// Posts one seed request; the tracking id of a `202`.
async fn post_one(client: &reqwest::Client, url: &str) -> Option<String> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(SEED_REQUEST)
        .send()
        .await
        .ok()?;
    if response.status() != reqwest::StatusCode::ACCEPTED {
        return None;
    }
    let body: serde_json::Value = response.json().await.ok()?;
    body.get("tracking_id")?.as_str().map(str::to_owned)
}

/// Posts `n` requests over `concurrency` tasks; the tracking ids accepted.
pub async fn closed(url: &str, n: usize, concurrency: usize) -> anyhow::Result<Vec<String>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.to_owned(), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                if let Some(id) = post_one(&client, &url).await {
                    ids.push(id);
                }
            }
            ids
        }));
    }
    let mut ids = Vec::with_capacity(n);
    for task in tasks {
        ids.extend(task.await?);
    }
    Ok(ids)
}

/// What an open-loop run gives: when each accepted request was due, and the `202`
/// latencies in microseconds.
pub struct OpenLoop {
    /// Due time by tracking id.
    pub due: HashMap<String, Instant>,
    /// `202` latencies (µs), from the due time.
    pub accept_micros: Vec<u64>,
    /// Requests not accepted.
    pub failed: usize,
}

/// Posts at `rate` requests/s for `duration`.
pub async fn open(url: &str, rate: u32, duration: Duration) -> anyhow::Result<OpenLoop> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .build()?;
    let total = (f64::from(rate) * duration.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let (client, url) = (client.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let id = post_one(&client, &url).await;
            (id, due, due.elapsed())
        }));
    }
    let mut out = OpenLoop {
        due: HashMap::new(),
        accept_micros: Vec::new(),
        failed: 0,
    };
    for task in tasks {
        match task.await? {
            (Some(id), due, took) => {
                out.due.insert(id, due);
                out.accept_micros
                    .push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
            }
            (None, _, _) => out.failed += 1,
        }
    }
    Ok(out)
}
