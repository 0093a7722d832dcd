//! Operations as code for the RevOps webhook gateway.
//!
//! - [`definitions`]: the dashboards (`dashboards/*.json`) and alarms (`alarms/*.json`)
//!   as data, read with errors that name the file and the field.
//! - [`render`]: those definitions with their parameters ([`Params`]: stage, region,
//!   namespace, function and queue names, the alarm topic) turned into the exact
//!   CloudWatch resources ([`DesiredState`]).
//! - [`validate`]: every check that can be made without an account: schema, periods,
//!   thresholds, statistics, metric math, runbook entries, and that every metric named is
//!   one the code emits (the telemetry catalog) or an AWS metric of the deployed resources.
//!   The checks on single values live in a module of their own (`checks`), which
//!   [`render`] applies field by field.
//! - [`account`]: what the account holds, the [`Plan`] that would make it match, and
//!   applying that plan (PutDashboard, PutMetricAlarm, PutCompositeAlarm, DeleteAlarms for
//!   owned alarms only).
//! - [`evaluate`]: the alarms evaluated with CloudWatch's documented semantics (its
//!   default sliding window: evaluated every minute, the newest period ending at that
//!   minute), on the synthetic series of the alarm tests (`alarms/tests/*.json`) or on
//!   EMF lines.
//! - [`sla`]: the SLA report on end-to-end latency, from CloudWatch or from EMF lines.

pub mod account;
mod checks;
pub mod definitions;
pub mod evaluate;
mod params;
pub mod render;
pub mod sla;
mod template;
pub mod validate;

pub use account::{Change, Plan};
pub use definitions::{Definitions, Problem};
pub use params::{FunctionRole, Params};
pub use render::DesiredState;
