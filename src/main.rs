//! `revops`: the RevOps webhook gateway's command for people. `revops serve` runs the
//! whole pipeline in one process; later subcommands hold the operator's tools.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("revops: {error:#}");
            ExitCode::FAILURE
        }
    }
}
