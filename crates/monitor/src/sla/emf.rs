//! The SLA inputs from EMF lines (what `revops serve` appends to
//! `.revops/metrics.emf.jsonl`, or Lambda's log lines): every line is checked with the
//! telemetry validator; `EndToEndLatency` values and `Deliveries` by `Outcome` in the
//! namespace and window are counted. Lines that fail the check are skipped and reported.

use super::percentile::nearest_rank;
use super::report::{Deliveries, Latency, Objective, SlaInputs};
use super::window::Window;
use chrono::{DateTime, TimeZone, Utc};
use revops_telemetry::emf::{catalog, validate_line};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The most buckets the p95 chart gets.
const CHART_BUCKETS: i64 = 60;

/// A line that was not counted, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// Its number, from 1.
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// What reading EMF lines gave.
#[derive(Debug, Clone, PartialEq)]
pub struct EmfRead {
    /// The SLA inputs.
    pub inputs: SlaInputs,
    /// Lines that failed the EMF check.
    pub skipped: Vec<SkippedLine>,
}

/// Reads an EMF file.
pub fn from_emf_file(
    path: &Path,
    namespace: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    objective: Objective,
) -> std::io::Result<EmfRead> {
    let text = std::fs::read_to_string(path)?;
    Ok(from_emf_lines(
        text.lines(),
        format!("EMF file {}", path.display()),
        namespace,
        from,
        to,
        objective,
    ))
}

/// One metric of a valid EMF line.
#[derive(Debug, Clone, PartialEq)]
pub struct EmfMetric {
    /// The namespace of the directive naming it.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Each dimension set it is published under, with the line's values.
    pub dimension_sets: Vec<BTreeMap<String, String>>,
    /// Its values.
    pub values: Vec<f64>,
}

/// A valid EMF line: its time and its metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct EmfLine {
    /// `_aws.Timestamp`.
    pub at: DateTime<Utc>,
    /// Every metric of every directive.
    pub metrics: Vec<EmfMetric>,
}

/// Reads EMF lines, checking each with the telemetry validator; blank lines are passed
/// over, invalid ones reported.
pub fn read_emf_lines<'a>(
    lines: impl Iterator<Item = &'a str>,
) -> (Vec<EmfLine>, Vec<SkippedLine>) {
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    for (index, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_emf_line(line) {
            Ok(parsed) => read.push(parsed),
            Err(reason) => skipped.push(SkippedLine {
                line: index + 1,
                reason,
            }),
        }
    }
    (read, skipped)
}

/// One line, checked with the telemetry validator.
fn parse_emf_line(line: &str) -> Result<EmfLine, String> {
    let values = validate_line(line).map_err(|error| error.to_string())?;
    let root: Value = serde_json::from_str(line).map_err(|error| error.to_string())?;
    let aws = &root["_aws"];
    let at = aws["Timestamp"]
        .as_i64()
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .ok_or("_aws.Timestamp is not a time")?;
    let mut metrics = Vec::new();
    for directive in aws["CloudWatchMetrics"].as_array().into_iter().flatten() {
        let namespace = directive["Namespace"].as_str().unwrap_or_default();
        let dimension_sets: Vec<BTreeMap<String, String>> = directive["Dimensions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .map(|set| {
                set.iter()
                    .filter_map(Value::as_str)
                    .map(|name| {
                        let value = root[name].as_str().unwrap_or_default();
                        (name.to_owned(), value.to_owned())
                    })
                    .collect()
            })
            .collect();
        for metric in directive["Metrics"].as_array().into_iter().flatten() {
            let name = metric["Name"].as_str().unwrap_or_default();
            if let Some(found) = values.iter().find(|value| value.name == name) {
                metrics.push(EmfMetric {
                    namespace: namespace.to_owned(),
                    name: name.to_owned(),
                    dimension_sets: dimension_sets.clone(),
                    values: found.values.clone(),
                });
            }
        }
    }
    Ok(EmfLine { at, metrics })
}

/// Reads EMF lines; `from` and `to` default to the first and last line's time.
pub fn from_emf_lines<'a>(
    lines: impl Iterator<Item = &'a str>,
    source: String,
    namespace: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    objective: Objective,
) -> EmfRead {
    let (read, skipped) = read_emf_lines(lines);
    let mut latencies: Vec<(DateTime<Utc>, f64)> = Vec::new();
    let mut outcomes: BTreeMap<String, f64> = BTreeMap::new();
    let mut seen: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for line in &read {
        let at = line.at;
        let in_namespace = line.metrics.iter().any(|m| m.namespace == namespace);
        let inside = from.is_none_or(|from| at >= from) && to.is_none_or(|to| at < to);
        if !in_namespace || !inside {
            continue;
        }
        seen = Some(seen.map_or((at, at), |(first, last)| (first.min(at), last.max(at))));
        for metric in line.metrics.iter().filter(|m| m.namespace == namespace) {
            if metric.name == catalog::END_TO_END_LATENCY.name {
                latencies.extend(metric.values.iter().map(|v| (at, *v)));
            } else if metric.name == catalog::DELIVERIES.name {
                let outcome = metric
                    .dimension_sets
                    .iter()
                    .find_map(|set| set.get(catalog::OUTCOME))
                    .cloned()
                    .unwrap_or_default();
                *outcomes.entry(outcome).or_default() += metric.values.iter().sum::<f64>();
            }
        }
    }
    let now = Utc::now();
    let window = Window {
        from: from.or(seen.map(|s| s.0)).unwrap_or(now),
        to: to
            .or(seen.map(|s| s.1 + chrono::Duration::milliseconds(1)))
            .unwrap_or(now),
    };
    let count = |outcome: &str| outcomes.get(outcome).copied().unwrap_or_default().round() as u64;
    let deliveries = Deliveries {
        delivered: count("delivered"),
        failed: count("failed"),
        dead_lettered: count("dead_lettered"),
    };
    let mut sorted: Vec<f64> = latencies.iter().map(|(_, v)| *v).collect();
    sorted.sort_by(f64::total_cmp);
    let latency = Latency {
        p50_ms: nearest_rank(&sorted, 50.0),
        p95_ms: nearest_rank(&sorted, 95.0),
        p99_ms: nearest_rank(&sorted, 99.0),
        samples: sorted.len() as u64,
        within_objective: sorted
            .iter()
            .filter(|v| **v <= objective.latency_ms)
            .count() as u64,
    };
    let bucket_seconds = bucket_seconds(&window);
    EmfRead {
        inputs: SlaInputs {
            source,
            window,
            latency,
            deliveries,
            p95_series: p95_series(&latencies, &window, bucket_seconds),
            bucket_seconds,
        },
        skipped,
    }
}

/// A bucket length (a multiple of 60 s) giving at most [`CHART_BUCKETS`] buckets.
pub(crate) fn bucket_seconds(window: &Window) -> i64 {
    let per_bucket = (window.seconds().max(1) + CHART_BUCKETS - 1) / CHART_BUCKETS;
    ((per_bucket + 59) / 60).max(1) * 60
}

fn p95_series(
    latencies: &[(DateTime<Utc>, f64)],
    window: &Window,
    bucket_seconds: i64,
) -> Vec<(DateTime<Utc>, f64)> {
    let mut buckets: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (at, value) in latencies {
        let index = (*at - window.from).num_seconds().div_euclid(bucket_seconds);
        buckets.entry(index).or_default().push(*value);
    }
    buckets
        .into_iter()
        .filter_map(|(index, mut values)| {
            values.sort_by(f64::total_cmp);
            let start = window.from + chrono::Duration::seconds(index * bucket_seconds);
            nearest_rank(&values, 95.0).map(|p95| (start, p95))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_whole_minutes_and_at_most_sixty() {
        let from = Utc::now();
        let hour = Window {
            from,
            to: from + chrono::Duration::hours(1),
        };
        assert_eq!(bucket_seconds(&hour), 60);
        let day = Window {
            from,
            to: from + chrono::Duration::days(1),
        };
        assert_eq!(bucket_seconds(&day), 1440);
    }
}
