//! Ingest: requests/s that `revops serve` accepts durably (`202` after the group commit)
//! with p50/p99 latency at 1, 50 and 200 connections, next to the bare handler (the
//! ceiling) measured in the same run. `revops serve` runs as shipped (demo agent, default
//! workers) with no `WEBHOOK_URL`, so its workers drain the queue into the outbox while
//! it ingests.

use crate::{
    Settings,
    bare::BareServer,
    console::{self, Table},
    load::{self, LoadResult, Plan, Target},
    machine, report,
    revops::{Revops, SEED_REQUEST},
};
use axum::http::StatusCode;
use bytes::Bytes;
use serde_json::{Value, json};
use std::{net::SocketAddr, time::Duration};

/// The connection counts measured.
pub const CONNECTIONS: [usize; 3] = [1, 50, 200];

/// The plan for one point.
pub fn plan(settings: &Settings, connections: usize) -> Plan {
    Plan {
        connections,
        warmup: Duration::from_secs(1),
        duration: settings.duration,
        max_requests: 500_000,
    }
}

/// The seed request to `addr`, expecting `202`.
pub fn target(addr: SocketAddr) -> Target {
    Target {
        addr,
        path: "/webhook",
        body: Bytes::from_static(SEED_REQUEST.as_bytes()),
        expect: StatusCode::ACCEPTED,
    }
}

/// One measured point as JSON.
pub fn point(result: &LoadResult) -> Value {
    json!({
        "ok": result.ok,
        "errors": result.errors,
        "seconds": result.elapsed.as_secs_f64(),
        "requests_per_second": result.rate(),
        "p50_ms": result.quantile_ms(0.50),
        "p99_ms": result.quantile_ms(0.99),
        "max_ms": result.histogram.max() as f64 / 1000.0,
    })
}

/// A table row for one point.
pub fn row(server: &str, connections: usize, r: &LoadResult, ratio: Option<f64>) -> Vec<String> {
    vec![
        server.to_owned(),
        connections.to_string(),
        format!("{:.0}", r.rate()),
        format!("{:.2}", r.quantile_ms(0.50)),
        format!("{:.2}", r.quantile_ms(0.99)),
        r.errors.to_string(),
        ratio.map_or_else(String::new, |x| format!("{:.1} %", x * 100.0)),
    ]
}

/// Runs the ingest benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let mut table = Table::new(
        "ingest: POST /webhook, closed loop (202 = committed for revops)",
        &[
            "server", "conns", "req/s", "p50 ms", "p99 ms", "errors", "of bare",
        ],
    );
    let mut results = Vec::new();
    let load_before = machine::load_average();
    for connections in CONNECTIONS {
        let load = settings.quiet().await;
        let bare = BareServer::start()?;
        let ceiling = load::run(&target(bare.addr), plan(settings, connections)).await?;
        drop(bare);
        let revops = Revops::start(settings, &[]).await?;
        let measured = load::run(&target(revops.addr), plan(settings, connections)).await?;
        drop(revops);
        let ratio = measured.rate() / ceiling.rate().max(f64::EPSILON);
        table.row(row("bare axum 202", connections, &ceiling, None));
        table.row(row("revops serve", connections, &measured, Some(ratio)));
        results.push(json!({
            "connections": connections,
            "load_average_1m": load,
            "bare": point(&ceiling),
            "revops": point(&measured),
            "ratio": ratio,
        }));
    }
    table.print()?;
    console::note(
        "revops serve: no WEBHOOK_URL (outbox), demo agent, 256 workers (the default) draining meanwhile; default logging (INFO, to a file)",
    )?;
    let path = report::record("ingest", settings, load_before, json!(results))?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
