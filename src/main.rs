//! `revops`: the RevOps webhook gateway's command for people. `revops serve` runs the
//! whole pipeline in one process; later subcommands hold the operator's tools.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc, not glibc's malloc: the server allocates per request on many threads, where
/// glibc's arenas cost an eighth of the workers' CPU (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
