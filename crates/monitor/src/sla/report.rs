//! From what a source measured ([`SlaInputs`]) to the report: rates, attainment, error
//! budget and burn rate.

use super::window::Window;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The objective: `target` of finished deliveries delivered within `latency_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Objective {
    /// The latency bound, in milliseconds (300 000: the seeds' 5 minutes).
    pub latency_ms: f64,
    /// The share that must meet it (0.95).
    pub target: f64,
}

impl Default for Objective {
    fn default() -> Self {
        Self {
            latency_ms: 300_000.0,
            target: 0.95,
        }
    }
}

/// End-to-end latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Latency {
    /// Median.
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// How many latencies were measured (deliveries that reached a 2xx).
    pub samples: u64,
    /// How many of them were within the objective.
    pub within_objective: u64,
}

/// Finished deliveries by outcome (`Deliveries` by `Outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Deliveries {
    /// Delivered (a 2xx).
    pub delivered: u64,
    /// Failed at once (a 4xx, a refused address).
    pub failed: u64,
    /// Retried until dead-lettered.
    pub dead_lettered: u64,
}

impl Deliveries {
    /// All finished deliveries.
    pub fn total(&self) -> u64 {
        self.delivered + self.failed + self.dead_lettered
    }
}

/// What a source measured over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaInputs {
    /// Where the numbers come from (`CloudWatch RevOps/WebhookGateway`, `EMF file …`).
    pub source: String,
    /// The window.
    pub window: Window,
    /// The latency percentiles.
    pub latency: Latency,
    /// The finished deliveries.
    pub deliveries: Deliveries,
    /// p95 per bucket of `bucket_seconds`, for the chart.
    pub p95_series: Vec<(DateTime<Utc>, f64)>,
    /// The chart's bucket length.
    pub bucket_seconds: i64,
}

/// The SLA report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaReport {
    /// Where the numbers come from.
    pub source: String,
    /// The window.
    pub window: Window,
    /// The objective.
    pub objective: Objective,
    /// How percentiles are computed.
    pub percentile_definition: &'static str,
    /// Latency percentiles.
    pub latency: Latency,
    /// Finished deliveries.
    pub deliveries: Deliveries,
    /// Finished deliveries counted (delivered + failed + dead-lettered; the latency
    /// samples when no `Deliveries` were recorded).
    pub total: u64,
    /// Delivered / total.
    pub success_rate: Option<f64>,
    /// Delivered within the objective / total.
    pub attainment: Option<f64>,
    /// Whether attainment reaches the target.
    pub objective_met: Option<bool>,
    /// Deliveries that missed the objective (late, failed or dead-lettered).
    pub bad: u64,
    /// How many misses the window allows: (1 − target) · total.
    pub budget_allowed: f64,
    /// Share of the window's error budget left: 1 − bad / allowed (negative: overspent).
    pub budget_remaining: Option<f64>,
    /// How fast the budget burns: (bad / total) / (1 − target); 1 spends it exactly.
    pub burn_rate: Option<f64>,
    /// p95 per bucket, for the chart.
    #[serde(skip)]
    pub p95_series: Vec<(DateTime<Utc>, f64)>,
    /// The chart's bucket length in seconds.
    pub bucket_seconds: i64,
}

/// The name of the percentile definition, as reports state it.
pub const PERCENTILE_DEFINITION: &str =
    "nearest rank: the value at rank ceil(p/100 * n) of the n sorted latencies";

impl SlaReport {
    /// Computes the report.
    pub fn new(inputs: SlaInputs, objective: Objective) -> Self {
        let total = match inputs.deliveries.total() {
            0 => inputs.latency.samples,
            total => total,
        };
        let good = inputs.latency.within_objective.min(total);
        let bad = total - good;
        let ratio = |part: u64| (total > 0).then(|| part as f64 / total as f64);
        // Rounded so that 1 − 0.95 is 0.05 and not 0.050000000000000044.
        let budget_share = ((1.0 - objective.target) * 1e12).round() / 1e12;
        let budget_allowed = budget_share * total as f64;
        let burn_rate = ratio(bad).map(|bad_share| bad_share / budget_share);
        let attainment = ratio(good);
        Self {
            source: inputs.source,
            window: inputs.window,
            objective,
            percentile_definition: PERCENTILE_DEFINITION,
            latency: inputs.latency,
            deliveries: inputs.deliveries,
            total,
            success_rate: ratio(inputs.deliveries.delivered),
            attainment,
            objective_met: attainment.map(|a| a >= objective.target),
            bad,
            budget_allowed,
            budget_remaining: burn_rate.map(|rate| 1.0 - rate),
            burn_rate,
            p95_series: inputs.p95_series,
            bucket_seconds: inputs.bucket_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_and_burn_rate_follow_from_the_misses() {
        let now = Utc::now();
        let inputs = SlaInputs {
            source: "test".into(),
            window: Window { from: now, to: now },
            latency: Latency {
                samples: 198,
                within_objective: 190,
                ..Latency::default()
            },
            deliveries: Deliveries {
                delivered: 198,
                failed: 2,
                dead_lettered: 0,
            },
            p95_series: Vec::new(),
            bucket_seconds: 60,
        };
        let report = SlaReport::new(inputs, Objective::default());
        assert_eq!(report.total, 200);
        assert_eq!(report.bad, 10);
        assert_eq!(report.attainment, Some(0.95));
        assert_eq!(report.objective_met, Some(true));
        assert!((report.budget_allowed - 10.0).abs() < 1e-9);
        assert!((report.burn_rate.unwrap() - 1.0).abs() < 1e-9);
        assert!(report.budget_remaining.unwrap().abs() < 1e-9);
        assert!((report.success_rate.unwrap() - 0.99).abs() < 1e-9);
    }
}
