//! Telemetry overhead: ingest at 50 connections in three states. **off**: no span leaves
//! the process (`REVOPS_TRACE_STORE=off`, `OTEL_EXPORTER_OTLP_ENDPOINT` unset); **store**:
//! the local trace store keeps spans and log lines in the data directory, as
//! `revops serve` does by default; **store + OTLP**: also OTLP span export to a local
//! OTLP/HTTP sink that accepts and discards. EMF lines are written to
//! `metrics.emf.jsonl` in every state: the local host has no switch for them. The states
//! alternate, twice, to spread drift; each ratio is against the same round's off.

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
    let states: [(&str, Vec<(&str, String)>); 3] = [
        ("off", vec![("REVOPS_TRACE_STORE", "off".to_owned())]),
        ("store", vec![("REVOPS_TRACE_STORE", "on".to_owned())]),
        (
            "store + OTLP",
            vec![
                ("REVOPS_TRACE_STORE", "on".to_owned()),
                (
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    format!("http://{}", sink.addr),
                ),
            ],
        ),
    ];
    let mut table = Table::new(
        &format!(
            "telemetry: ingest at {CONNECTIONS} connections, spans kept nowhere, in the local store, and also sent over OTLP (EMF on in all)"
        ),
        &[
            "run", "spans", "req/s", "p50 ms", "p99 ms", "errors", "vs off",
        ],
    );
    let mut results = Vec::new();
    let mut sums = [0.0f64; 3];
    for round in 1..=2 {
        let mut off_rate = f64::EPSILON;
        let mut points = serde_json::Map::new();
        for (index, (name, env)) in states.iter().enumerate() {
            let result = measure(settings, env).await?;
            sums[index] += result.rate();
            let ratio = if index == 0 {
                off_rate = result.rate().max(f64::EPSILON);
                None
            } else {
                Some(result.rate() / off_rate)
            };
            let mut row = ingest::row(&round.to_string(), CONNECTIONS, &result, ratio);
            (*name).clone_into(&mut row[1]);
            table.row(row);
            points.insert((*name).to_owned(), ingest::point(&result));
        }
        results.push(json!({"round": round, "states": points}));
    }
    table.print()?;
    let off = sums[0].max(f64::EPSILON);
    let (store, otlp) = (sums[1] / off, sums[2] / off);
    console::note(&format!(
        "over both rounds: store/off {store:.3}, store + OTLP/off {otlp:.3}"
    ))?;
    let path = report::record(
        "telemetry",
        settings,
        load_before,
        json!({"connections": CONNECTIONS, "rounds": results, "store_ratio": store, "store_and_otlp_ratio": otlp}),
    )?;
    console::note(&format!("appended to {}", path.display()))?;
    Ok(())
}
