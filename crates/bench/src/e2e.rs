//! End to end: requests posted at a fixed rate (open loop) to `revops serve` with the
//! demo agent and a fast local receiver; latency from when each POST was due until its
//! signed webhook arrived at the receiver (matched by `webhook-id` = tracking id).

use crate::{
    Settings,
    console::{self, Table},
    load, machine, post, report,
    revops::Revops,
};
use hdrhistogram::Histogram;
use serde_json::json;
use std::time::Duration;

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

/// Runs the end-to-end benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let load_before = machine::load_average();
    let load = settings.quiet().await;
    let (revops, _receiver, arrivals) = Revops::signing_to_fast_receiver(settings, &[]).await?;
    let rate = settings.e2e_rate;
    let sent = post::open(&revops.webhook_url(), rate, settings.e2e_duration).await?;
    let all = arrivals
        .wait_for(sent.due.len(), Duration::from_secs(60))
        .await;
    drop(revops);
    let arrived = arrivals.snapshot();
    let mut end_to_end = load::new_histogram()?;
    let mut missing = 0usize;
    for (id, due) in &sent.due {
        match arrived.get(id) {
            Some(at) => {
                let micros = at.saturating_duration_since(*due).as_micros();
                end_to_end.saturating_record(u64::try_from(micros).unwrap_or(u64::MAX));
            }
            None => missing += 1,
        }
    }
    let mut accept = load::new_histogram()?;
    for m in &sent.accept_micros {
        accept.saturating_record(*m);
    }
    let mut table = Table::new(
        &format!(
            "e2e: {rate} req/s for {:?}, POST due → webhook arrived (demo agent, signed)",
            settings.e2e_duration
        ),
        &["measure", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"],
    );
    for (name, h) in [("POST → 202", &accept), ("POST → delivered", &end_to_end)] {
        table.row(vec![
            name.to_owned(),
            h.len().to_string(),
            format!("{:.2}", ms(h, 0.50)),
            format!("{:.2}", ms(h, 0.95)),
            format!("{:.2}", ms(h, 0.99)),
            format!("{:.2}", h.max() as f64 / 1000.0),
        ]);
    }
    table.print()?;
    console::note(&format!(
        "accepted {}, not accepted {}, delivered {}, missing {missing}, all delivered: {all}",
        sent.due.len(),
        sent.failed,
        end_to_end.len()
    ))?;
    let results = json!({
        "rate_per_second": rate,
        "seconds": settings.e2e_duration.as_secs_f64(),
        "load_average_1m": load,
        "accepted": sent.due.len(),
        "not_accepted": sent.failed,
        "missing": missing,
        "accept_ms": {"p50": ms(&accept, 0.5), "p95": ms(&accept, 0.95), "p99": ms(&accept, 0.99), "max": accept.max() as f64 / 1000.0},
        "end_to_end_ms": {"p50": ms(&end_to_end, 0.5), "p95": ms(&end_to_end, 0.95), "p99": ms(&end_to_end, 0.99), "max": end_to_end.max() as f64 / 1000.0},
    });
    let path = report::record("e2e", settings, load_before, results)?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
