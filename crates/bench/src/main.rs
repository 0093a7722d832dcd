//! `revops-bench`: the benchmark harness for the RevOps webhook gateway. Each command
//! measures one figure next to its baseline from the same run, prints a table, and
//! appends JSON to `<target>/bench/results.json`; `all` runs every one. Everything is on
//! loopback, every loop is bounded, and every process it starts is killed before it
//! returns. See `BENCHMARKS.md`.

mod bare;
mod coldstart;
mod console;
mod delivery;
mod e2e;
mod export;
mod ingest;
mod lambda_cases;
mod load;
mod machine;
mod paths;
mod post;
mod proc_stats;
mod python;
mod report;
mod revops;
mod runtime_api;
mod servers;
mod soak;
mod telemetry;
mod warm;

use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::Command, time::Duration};

/// The benchmark harness.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Bench,
    /// Wait until the 1-minute load average is below this before each measurement.
    #[arg(long, global = true, default_value_t = 1.0)]
    quiet_below: f64,
    /// Wait at most this many seconds for the load to fall; then measure anyway.
    #[arg(long, global = true, default_value_t = 600)]
    max_wait: u64,
    /// Seconds measured per ingest point (after a 1 s warm-up).
    #[arg(long, global = true, default_value_t = 5)]
    seconds: u64,
    /// Requests posted in the fast-delivery run.
    #[arg(long, global = true, default_value_t = 20000)]
    deliveries: usize,
    /// Do not build `revops` and the Lambda binaries first.
    #[arg(long, global = true)]
    no_build: bool,
    /// A variable for every `revops serve` started (repeatable), to compare settings
    /// such as `LOG_LEVEL=warn` in the same harness. A benchmark's own variables win.
    #[arg(long = "serve-env", global = true, value_name = "KEY=VALUE", value_parser = parse_serve_env)]
    serve_env: Vec<(String, String)>,
    /// Delivery: only the fast-receiver runs, not the three 1 s-receiver runs.
    #[arg(long, global = true)]
    fast_only: bool,
    /// Soak: requests posted.
    #[arg(long, global = true, default_value_t = 1_000_000)]
    soak_requests: usize,
    /// Soak: requests per second.
    #[arg(long, global = true, default_value_t = 1000)]
    soak_rate: u32,
}

/// `KEY=VALUE`, with a non-empty key.
fn parse_serve_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

#[derive(Subcommand)]
enum Bench {
    /// Requests/s accepted durably, next to a bare axum handler.
    Ingest,
    /// Deliveries/s to a fast receiver; 1000 deliveries to a 1 s receiver.
    Delivery,
    /// POST → delivered latency at a fixed rate.
    E2e,
    /// Lambda cold start and memory, next to Python 3 + boto3.
    Coldstart,
    /// Ingest with spans kept in the local store, and also sent over OTLP, against neither.
    Telemetry,
    /// `revops export` of 10 000 and 100 000 archived conversations: rate and peak memory.
    Export,
    /// A million requests at a steady rate with retention on: deliveries/s, p99, RSS and
    /// the data directory over time (not part of `all`: it takes about 17 minutes).
    Soak,
    /// Warm invocations of the three functions, Rust and Python 3 + boto3, against moto:
    /// durations, memory and log bytes, for the AWS cost model (not part of `all`).
    Warm,
    /// Every benchmark above but the soak and warm, in order.
    All,
    /// (internal) the bare handler, as its own process.
    #[command(hide = true)]
    BareServer,
}

/// What every benchmark reads.
pub struct Settings {
    quiet_below: f64,
    max_wait: Duration,
    /// Time measured per ingest point.
    pub duration: Duration,
    /// Requests in the fast-delivery run.
    pub deliveries: usize,
    /// End-to-end request rate.
    pub e2e_rate: u32,
    /// End-to-end duration.
    pub e2e_duration: Duration,
    /// Variables given to every `revops serve` (`--serve-env`).
    pub serve_env: Vec<(String, String)>,
    /// Delivery: skip the slow-receiver runs (`--fast-only`).
    pub fast_only: bool,
    /// Soak: requests posted.
    pub soak_requests: usize,
    /// Soak: requests per second.
    pub soak_rate: u32,
    /// The target directory ([`paths::target_dir`]): read for `lambda/` and
    /// `tools-venv/`; everything the harness writes goes under its `bench/`.
    pub target: PathBuf,
}

impl Settings {
    /// Waits (bounded) for a quiet machine; the 1-minute load average measured at.
    pub async fn quiet(&self) -> f64 {
        machine::wait_for_quiet(self.quiet_below, self.max_wait).await
    }

    /// The defaults, with `target` as the target directory.
    #[cfg(test)]
    fn for_tests(target: PathBuf) -> Self {
        Self {
            quiet_below: 1.0,
            max_wait: Duration::ZERO,
            duration: Duration::from_secs(5),
            deliveries: 20000,
            e2e_rate: 200,
            e2e_duration: Duration::from_secs(10),
            serve_env: Vec::new(),
            fast_only: false,
            soak_requests: 1000,
            soak_rate: 100,
            target,
        }
    }
}

/// Builds the binaries measured, with the cargo that runs this (`CARGO`), if any.
fn build() -> anyhow::Result<()> {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return Ok(());
    };
    console::note("building revops and the Lambda binaries (release)")?;
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "revops",
            "-p",
            "revops-functions",
        ])
        .status()?;
    anyhow::ensure!(status.success(), "cargo build failed");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if matches!(cli.command, Bench::BareServer) {
        return bare::serve_forever().await;
    }
    if !cli.no_build {
        build()?;
    }
    let settings = Settings {
        quiet_below: cli.quiet_below,
        max_wait: Duration::from_secs(cli.max_wait),
        duration: Duration::from_secs(cli.seconds),
        deliveries: cli.deliveries,
        e2e_rate: 200,
        e2e_duration: Duration::from_secs(10),
        serve_env: cli.serve_env,
        fast_only: cli.fast_only,
        soak_requests: cli.soak_requests,
        soak_rate: cli.soak_rate,
        target: paths::target_dir(),
    };
    match cli.command {
        Bench::Ingest => ingest::run(&settings).await,
        Bench::Delivery => delivery::run(&settings).await,
        Bench::E2e => e2e::run(&settings).await,
        Bench::Coldstart => coldstart::run(&settings).await,
        Bench::Telemetry => telemetry::run(&settings).await,
        Bench::Export => export::run(&settings).await,
        Bench::Soak => soak::run(&settings).await,
        Bench::Warm => warm::run(&settings).await,
        Bench::All => {
            ingest::run(&settings).await?;
            delivery::run(&settings).await?;
            e2e::run(&settings).await?;
            coldstart::run(&settings).await?;
            telemetry::run(&settings).await?;
            export::run(&settings).await
        }
        Bench::BareServer => Ok(()),
    }
}
