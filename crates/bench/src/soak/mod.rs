//! Soak: a million requests (by default) through `revops serve` at a steady rate, with
//! retention on (`REVOPS_RETENTION=2m`, so the sweep deletes as the run goes),
//! the demo agent and a fast local receiver. Every 10 s window records deliveries/s, the
//! p99 end-to-end latency (from when each `POST` was due, open loop), the server's RSS
//! and the data directory's size; the report sets the first ten minutes beside the last
//! ten and draws all four over time (`<target>/bench/soak.svg`). It stops by itself:
//! after the last request, once all are delivered or a minute has passed.

mod chart;
mod sample;

use crate::{
    Settings,
    console::{self, Table},
    load, machine, paths, report,
    revops::{Revops, SEED_REQUEST},
};
use sample::Sample;
use serde_json::json;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::{sync::Semaphore, time::Instant};

/// How often the figures are taken.
const WINDOW: Duration = Duration::from_secs(10);
/// Requests in flight at most; past it a request waits, and its wait counts.
const IN_FLIGHT: usize = 1024;
/// The part of the run each end of the comparison covers.
const END_PART: Duration = Duration::from_secs(600);

/// When each accepted request was due, until its delivery arrives.
type Dues = Arc<Mutex<HashMap<String, Instant>>>;

/// Runs the soak.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let load_before = machine::load_average();
    settings.quiet().await;
    let (revops, _receiver, arrivals) =
        Revops::signing_to_fast_receiver(settings, &[("REVOPS_RETENTION", "2m".to_owned())])
            .await?;
    let (requests, rate) = (settings.soak_requests, settings.soak_rate);
    console::note(&format!(
        "soak: {requests} requests at {rate}/s (about {:.0} min), retention 2m",
        requests as f64 / f64::from(rate) / 60.0
    ))?;
    let dues: Dues = Arc::default();
    let start = Instant::now();
    let poster = tokio::spawn(post_steadily(
        revops.webhook_url(),
        requests,
        rate,
        Arc::clone(&dues),
    ));
    let mut samples = Vec::new();
    let mut unmatched: HashMap<String, Instant> = HashMap::new();
    let mut delivered = 0_usize;
    let mut last_delivery = Instant::now();
    let mut next_note = start + Duration::from_secs(60);
    loop {
        tokio::time::sleep(WINDOW).await;
        unmatched.extend(arrivals.drain());
        let mut latencies = load::new_histogram()?;
        let mut count = 0_u64;
        {
            let mut dues = dues.lock().unwrap_or_else(PoisonError::into_inner);
            unmatched.retain(|id, at| match dues.remove(id) {
                Some(due) => {
                    let micros = at.saturating_duration_since(due).as_micros();
                    latencies.saturating_record(u64::try_from(micros).unwrap_or(u64::MAX));
                    count += 1;
                    false
                }
                None => true,
            });
        }
        delivered += usize::try_from(count).unwrap_or(usize::MAX);
        if count > 0 {
            last_delivery = Instant::now();
        }
        samples.push(Sample {
            at_seconds: start.elapsed().as_secs_f64(),
            deliveries_per_second: count as f64 / WINDOW.as_secs_f64(),
            p99_ms: latencies.value_at_quantile(0.99) as f64 / 1000.0,
            rss_mb: sample::rss_mb(revops.pid()),
            data_mb: sample::size_mb(&revops.data_dir()),
            database_mb: sample::database_mb(&revops.data_dir()),
        });
        if Instant::now() >= next_note {
            next_note += Duration::from_secs(60);
            console::note(&format!(
                "{:.0} s: {delivered} delivered, {:.0}/s, RSS {:.1} MB, data {:.1} MB, database {:.1} MB",
                start.elapsed().as_secs_f64(),
                samples.last().map_or(0.0, |s| s.deliveries_per_second),
                samples.last().map_or(0.0, |s| s.rss_mb),
                samples.last().map_or(0.0, |s| s.data_mb),
                samples.last().map_or(0.0, |s| s.database_mb),
            ))?;
        }
        let posting_done = poster.is_finished();
        if posting_done
            && (delivered >= requests || last_delivery.elapsed() > Duration::from_secs(60))
        {
            break;
        }
    }
    let not_accepted = poster.await??;
    drop(revops);
    report_run(settings, load_before, &samples, delivered, not_accepted)
}

/// Posts `requests` seed requests at `rate`, keeping when each accepted one was due;
/// returns how many were not accepted.
async fn post_steadily(
    url: String,
    requests: usize,
    rate: u32,
    dues: Dues,
) -> anyhow::Result<usize> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(IN_FLIGHT)
        .build()?;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let failed = Arc::new(Mutex::new(0_usize));
    let start = Instant::now();
    for n in 0..requests {
        let due = start + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due).await;
        let slot = Arc::clone(&slots).acquire_owned().await?;
        let (client, url, dues, failed) = (
            client.clone(),
            url.clone(),
            Arc::clone(&dues),
            Arc::clone(&failed),
        );
        tokio::spawn(async move {
            let accepted = async {
                let response = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(SEED_REQUEST)
                    .send()
                    .await
                    .ok()?;
                let body: serde_json::Value = response.json().await.ok()?;
                body.get("tracking_id")?.as_str().map(str::to_owned)
            }
            .await;
            match accepted {
                Some(id) => {
                    dues.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(id, due);
                }
                None => *failed.lock().unwrap_or_else(PoisonError::into_inner) += 1,
            }
            drop(slot);
        });
    }
    // Every request answered.
    let _ = slots.acquire_many(u32::try_from(IN_FLIGHT)?).await?;
    let failed = *failed.lock().unwrap_or_else(PoisonError::into_inner);
    Ok(failed)
}

/// Prints the first ten minutes beside the last ten, writes the chart, records the run.
fn report_run(
    settings: &Settings,
    load_before: f64,
    samples: &[Sample],
    delivered: usize,
    not_accepted: usize,
) -> anyhow::Result<()> {
    let end = samples.last().map_or(0.0, |s| s.at_seconds);
    let part = END_PART.as_secs_f64();
    let first: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.at_seconds <= part)
        .collect();
    let last: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.at_seconds > end - part && s.deliveries_per_second > 0.0)
        .collect();
    let mut table = Table::new(
        &format!(
            "soak: {} requests at {}/s, retention 2m: the first ten minutes and the last ten",
            settings.soak_requests, settings.soak_rate
        ),
        &[
            "part",
            "deliveries/s (mean)",
            "p99 ms (median window)",
            "p99 ms (worst window)",
            "RSS MB (max)",
            "data MB (max)",
            "database MB (max)",
        ],
    );
    for (name, part) in [("first 10 min", &first), ("last 10 min", &last)] {
        table.row(vec![
            name.to_owned(),
            format!("{:.0}", sample::mean(part, |s| s.deliveries_per_second)),
            format!("{:.1}", sample::median(part, |s| s.p99_ms)),
            format!("{:.1}", sample::max(part, |s| s.p99_ms)),
            format!("{:.1}", sample::max(part, |s| s.rss_mb)),
            format!("{:.1}", sample::max(part, |s| s.data_mb)),
            format!("{:.1}", sample::max(part, |s| s.database_mb)),
        ]);
    }
    table.print()?;
    let chart = paths::bench_dir(&settings.target)?.join("soak.svg");
    std::fs::write(
        &chart,
        chart::svg(
            &format!(
                "revops serve: {} requests at {}/s, retention 2m",
                settings.soak_requests, settings.soak_rate
            ),
            samples,
        ),
    )?;
    console::note(&format!(
        "delivered {delivered}, not accepted {not_accepted}; chart: {}",
        chart.display()
    ))?;
    let results = json!({
        "requests": settings.soak_requests,
        "rate_per_second": settings.soak_rate,
        "delivered": delivered,
        "not_accepted": not_accepted,
        "windows": samples.iter().copied().map(Sample::to_json).collect::<Vec<_>>(),
    });
    let path = report::record("soak", settings, load_before, results)?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
