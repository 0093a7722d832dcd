//! Delivery: how fast `revops serve` delivers. (1) Deliveries/s to a fast local receiver:
//! N requests posted, timed from the first POST until the last delivery arrived; every
//! message goes through the demo agent, signing and an HTTP POST. (2) 1000 requests to a
//! receiver that takes 1 s per request, timed the same way, at `REVOPS_WORKERS` 1000
//! (one worker per in-flight delivery, so all 1000 wait on the receiver at once), at the
//! default 256 and, for contrast, at 32.

use crate::{
    Settings,
    console::{self, Table},
    machine, post, report,
    revops::{Revops, SECRET},
    servers::{self, Arrivals},
};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};
use tokio::time::Instant;

/// One run: post `n` with `concurrency` to a receiver taking `delay`, with `workers`.
async fn one(
    settings: &Settings,
    n: usize,
    concurrency: usize,
    delay: Duration,
    workers: usize,
    timeout: Duration,
) -> anyhow::Result<Value> {
    let arrivals = Arc::new(Arrivals::default());
    let receiver = servers::receiver(Arc::clone(&arrivals), delay).await?;
    let revops = Revops::start(
        settings,
        &[
            ("WEBHOOK_URL", format!("http://{}/hook", receiver.addr)),
            ("WEBHOOK_SECRET", SECRET.to_owned()),
            ("REVOPS_WORKERS", workers.to_string()),
        ],
    )
    .await?;
    let start = Instant::now();
    let ids = post::closed(&revops.webhook_url(), n, concurrency).await?;
    let posted = start.elapsed();
    let all = arrivals.wait_for(ids.len(), timeout).await;
    let last = arrivals
        .snapshot()
        .values()
        .max()
        .map_or(Duration::ZERO, |t| t.saturating_duration_since(start));
    drop(revops);
    let delivered = arrivals.distinct();
    Ok(json!({
        "requests": n,
        "accepted": ids.len(),
        "delivered": delivered,
        "deliveries_received": arrivals.total(),
        "all_delivered": all,
        "workers": workers,
        "receiver_delay_ms": delay.as_millis() as u64,
        "post_concurrency": concurrency,
        "post_seconds": posted.as_secs_f64(),
        "until_last_delivery_seconds": last.as_secs_f64(),
        "deliveries_per_second": delivered as f64 / last.as_secs_f64().max(f64::EPSILON),
    }))
}

fn row(kind: &str, v: &Value) -> Vec<String> {
    vec![
        kind.to_owned(),
        v["workers"].to_string(),
        format!("{}/{}", v["delivered"], v["requests"]),
        format!("{:.2}", v["post_seconds"].as_f64().unwrap_or(0.0)),
        format!(
            "{:.2}",
            v["until_last_delivery_seconds"].as_f64().unwrap_or(0.0)
        ),
        format!("{:.0}", v["deliveries_per_second"].as_f64().unwrap_or(0.0)),
    ]
}

/// Runs the delivery benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let mut table = Table::new(
        "delivery: first POST → last delivery (demo agent in the path, signed)",
        &[
            "receiver",
            "workers",
            "delivered",
            "post s",
            "total s",
            "deliveries/s",
        ],
    );
    let load_before = machine::load_average();
    let mut results = Vec::new();
    for workers in [32, 256] {
        let load = settings.quiet().await;
        let mut v = one(
            settings,
            settings.deliveries,
            50,
            Duration::ZERO,
            workers,
            Duration::from_secs(120),
        )
        .await?;
        v["load_average_1m"] = json!(load);
        table.row(row("fast, posted 50 at once", &v));
        results.push(v);
    }
    let slow_runs: &[usize] = if settings.fast_only {
        &[]
    } else {
        &[1000, 256, 32]
    };
    for &workers in slow_runs {
        let load = settings.quiet().await;
        let mut v = one(
            settings,
            1000,
            200,
            Duration::from_secs(1),
            workers,
            Duration::from_secs(90),
        )
        .await?;
        v["load_average_1m"] = json!(load);
        table.row(row("1 s each, posted 200 at once", &v));
        results.push(v);
    }
    table.print()?;
    let path = report::record("delivery", settings, load_before, json!(results))?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
