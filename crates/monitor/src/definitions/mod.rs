//! The definitions as data: `dashboards/*.json` (one file per dashboard) and
//! `alarms/*.json` (alarm sets), plus the runbook (`docs/runbook.md`) alarms link to.
//! Strings may name parameters as `${name}` (see [`crate::Params`]).

pub mod alarm;
pub mod dashboard;
mod load;
pub(crate) use load::load_json_dir;
pub mod metric;
mod problem;
mod runbook;

pub use load::{ALARMS_DIR, DASHBOARDS_DIR, RUNBOOK_FILE};
pub use problem::Problem;
pub use runbook::Runbook;

use std::path::PathBuf;

/// One definition file, parsed.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// Its path relative to the definitions' directory (`alarms/latency.json`).
    pub file: String,
    /// What it holds.
    pub definition: T,
}

/// Everything under one directory.
#[derive(Debug, Clone)]
pub struct Definitions {
    /// The directory they were read from.
    pub root: PathBuf,
    /// The dashboards, by file name.
    pub dashboards: Vec<Loaded<dashboard::DashboardFile>>,
    /// The alarm sets, by file name.
    pub alarms: Vec<Loaded<alarm::AlarmFile>>,
    /// The runbook's entries.
    pub runbook: Runbook,
}
