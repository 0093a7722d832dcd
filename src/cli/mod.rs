//! The command line: subcommands, their flags, and the dispatch to each.

mod common;
mod dlq;
mod doctor;
mod doctor_aws;
mod doctor_cloudwatch;
mod doctor_local;
mod export;
mod load;
mod monitor;
mod monitor_eval;
mod operator;
mod receivers;
mod redeliver;
mod replay;
mod serve;
mod sla;
mod trace;
mod trace_aws;
mod trace_text;

use clap::{Parser, Subcommand};

/// The RevOps webhook gateway.
#[derive(Debug, Parser)]
#[command(name = "revops", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole pipeline in one process: gateway, durable queue, demo agent, delivery.
    Serve(serve::ServeArgs),
    /// Dashboards and alarms as code: validate, diff, apply [--prune], test, evaluate.
    Monitor(monitor::MonitorArgs),
    /// The SLA report: end-to-end latency, success rate, attainment, error budget.
    Sla(sla::SlaArgs),
    /// The archived conversations in one of the four export formats, as JSON Lines.
    Export(export::ExportArgs),
    /// The dead-lettered requests: list, replay.
    Dlq(dlq::DlqArgs),
    /// Deliver failed requests again, from their stored answers.
    Redeliver(redeliver::RedeliverArgs),
    /// The receivers' circuits and the URLs disabled by 410 Gone; `enable <url>` lifts one.
    Receivers(receivers::ReceiversArgs),
    /// One request's whole story: timeline, attempts, spans and log lines.
    Trace(trace::TraceArgs),
    /// The seeds' load test: post N requests at a concurrency or a rate, report latencies.
    Load(load::LoadArgs),
    /// Check the host against what the code needs: ok, warn or fail, with what to do.
    Doctor(doctor::DoctorArgs),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => serve::run(args),
            Command::Monitor(args) => monitor::run(args),
            Command::Sla(args) => sla::run(args),
            Command::Export(args) => export::run(args),
            Command::Dlq(args) => dlq::run(args),
            Command::Redeliver(args) => redeliver::run(args),
            Command::Receivers(args) => receivers::run(args),
            Command::Trace(args) => trace::run(args),
            Command::Load(args) => load::run(args),
            Command::Doctor(args) => doctor::run(args),
        }
    }
}
