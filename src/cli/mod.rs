//! The command line: subcommands, their flags, and the dispatch to each.

mod serve;

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
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve(args) => serve::run(args),
        }
    }
}
