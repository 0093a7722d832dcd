//! Telemetry overhead: ingest at 50 connections with OTLP span export on (to a local
//! OTLP/HTTP sink that accepts and discards) against off (`OTEL_EXPORTER_OTLP_ENDPOINT`
//! unset). EMF lines are written to `metrics.emf.jsonl` in both runs: the local host has
//! no switch for them. The runs alternate off/on twice to spread drift.

use crate::{
    Settings,
    console::{self, Table},
    ingest,
    load::{self, LoadResult},
    machine, report,
    revops::Revops,
    servers,
};
use serde_json::json;

const CONNECTIONS: usize = 50;

async fn measure(settings: &Settings, env: &[(&str, String)]) -> anyhow::Result<LoadResult> {
    settings.quiet().await;
    let revops = Revops::start(settings, env).await?;
    load::run(
        &ingest::target(revops.addr),
        ingest::plan(settings, CONNECTIONS),
    )
    .await
}

/// Runs the telemetry benchmark.
pub async fn run(settings: &Settings) -> anyhow::Result<()> {
    let load_before = machine::load_average();
    let sink = servers::otlp_sink().await?;
    let on_env = [(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        format!("http://{}", sink.addr),
    )];
    let mut table = Table::new(
        &format!("telemetry: ingest at {CONNECTIONS} connections, OTLP off vs on (EMF on in both)"),
        &[
            "run", "OTLP", "req/s", "p50 ms", "p99 ms", "errors", "on/off",
        ],
    );
    let mut results = Vec::new();
    let (mut off_sum, mut on_sum) = (0.0, 0.0);
    for round in 1..=2 {
        let off = measure(settings, &[]).await?;
        let on = measure(settings, &on_env).await?;
        off_sum += off.rate();
        on_sum += on.rate();
        let ratio = on.rate() / off.rate().max(f64::EPSILON);
        let mut r = ingest::row(&round.to_string(), CONNECTIONS, &off, None);
        r[1] = "off".to_owned();
        table.row(r);
        let mut r = ingest::row(&round.to_string(), CONNECTIONS, &on, Some(ratio));
        r[1] = "on".to_owned();
        table.row(r);
        results.push(json!({"round": round, "off": ingest::point(&off), "on": ingest::point(&on), "ratio": ratio}));
    }
    table.print()?;
    let ratio = on_sum / off_sum.max(f64::EPSILON);
    console::note(&format!("on/off over both rounds: {ratio:.3}"))?;
    let path = report::record(
        "telemetry",
        settings,
        load_before,
        json!({"connections": CONNECTIONS, "rounds": results, "ratio": ratio}),
    )?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
