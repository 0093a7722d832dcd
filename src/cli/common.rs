//! What every subcommand shares: the async runtime it runs on, how it reads a time on
//! the command line, and how it refuses bad input (clap's usage error: exit 2, nothing
//! changed).

use anyhow::Context;
use revops_monitor::sla::{self, Time};

/// A runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A time as the commands take it: RFC 3339, a date, `now`, or a duration before now
/// (`90m`, `2h`, `7d`, also written `-7d`).
pub fn parse_time(text: &str) -> Result<Time, String> {
    sla::parse_time(text, sla::now())
}

/// Exits with clap's usage error (status 2) and `message`, having changed nothing.
pub fn usage_error(message: &str) -> ! {
    clap::Error::raw(
        clap::error::ErrorKind::ValueValidation,
        format!("{message}\n"),
    )
    .exit()
}
