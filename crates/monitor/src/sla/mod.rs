//! The SLA report: p50/p95/p99 end-to-end latency (`EndToEndLatency`), the delivery
//! success rate (`Deliveries` by `Outcome`), attainment of the objective (the share of
//! finished deliveries delivered within it: 95 % within 5 minutes), the error budget
//! left and the burn rate over the window, from CloudWatch or from EMF lines.
//!
//! Percentiles are **nearest rank**: of n values sorted ascending, the p-th percentile is
//! the value at rank ⌈p/100 · n⌉ (1-based), with no interpolation, so it is always a
//! value that was observed. CloudWatch computes its percentiles from its own storage of
//! the values; how far they can differ from these was not measured.

mod chart;
mod cloudwatch;
mod emf;
mod percentile;
mod render;
mod report;
mod window;

pub use chart::render_svg;
pub use cloudwatch::from_cloudwatch;
pub use emf::{
    EmfLine, EmfMetric, EmfRead, SkippedLine, from_emf_file, from_emf_lines, read_emf_lines,
};
pub use percentile::nearest_rank;
pub use render::{Format, render};
pub use report::{Deliveries, Latency, Objective, SlaInputs, SlaReport};
pub use window::{Window, parse_time};

/// A point in time, as the report uses it (UTC).
pub type Time = chrono::DateTime<chrono::Utc>;
/// A length of time.
pub type Duration = chrono::Duration;

/// The current time.
pub fn now() -> Time {
    chrono::Utc::now()
}
