//! The fake's GetMetricData: statistics computed from raw samples the test seeds,
//! including the percentile (`p95`, nearest rank) and trimmed-count (`TC(a:b)`)
//! statistics moto cannot serve.

use super::cbor::{get, map, number, text, timestamp, timestamp_ms};
use super::{Fault, State};
use ciborium::Value;
use std::collections::BTreeMap;

/// One raw value of a metric.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub metric_name: String,
    /// Its dimensions.
    pub dimensions: BTreeMap<String, String>,
    /// When, in epoch milliseconds.
    pub timestamp_ms: i64,
    /// The value.
    pub value: f64,
}

pub(crate) fn get_metric_data(state: &State, input: &Value) -> Result<Value, Fault> {
    let start = get(input, "StartTime")
        .and_then(timestamp_ms)
        .ok_or_else(|| Fault::invalid("StartTime is required"))?;
    let end = get(input, "EndTime")
        .and_then(timestamp_ms)
        .ok_or_else(|| Fault::invalid("EndTime is required"))?;
    let queries = get(input, "MetricDataQueries")
        .and_then(Value::as_array)
        .ok_or_else(|| Fault::invalid("MetricDataQueries is required"))?;
    let mut results = Vec::new();
    for query in queries {
        let id = text(query, "Id").ok_or_else(|| Fault::invalid("a query needs an Id"))?;
        let stat_query = get(query, "MetricStat")
            .ok_or_else(|| Fault::invalid("only MetricStat queries are served"))?;
        let metric = get(stat_query, "Metric")
            .ok_or_else(|| Fault::invalid("MetricStat.Metric is required"))?;
        let stat = text(stat_query, "Stat").unwrap_or_default();
        let period = get(stat_query, "Period").and_then(number).unwrap_or(60.0) as i64 * 1000;
        let dimensions: BTreeMap<String, String> = get(metric, "Dimensions")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|d| {
                        (
                            text(d, "Name").unwrap_or_default(),
                            text(d, "Value").unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut buckets: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
        for sample in &state.samples {
            let same = Some(&sample.namespace) == text(metric, "Namespace").as_ref()
                && Some(&sample.metric_name) == text(metric, "MetricName").as_ref()
                && sample.dimensions == dimensions;
            if same && sample.timestamp_ms >= start && sample.timestamp_ms < end {
                buckets
                    .entry((sample.timestamp_ms - start) / period)
                    .or_default()
                    .push(sample.value);
            }
        }
        let mut timestamps = Vec::new();
        let mut values = Vec::new();
        for (index, mut bucket) in buckets {
            bucket.sort_by(f64::total_cmp);
            let value = statistic(&stat, &bucket)
                .ok_or_else(|| Fault::invalid(&format!("statistic {stat} is not served")))?;
            timestamps.push(timestamp(start + index * period));
            values.push(Value::Float(value));
        }
        results.push(map(vec![
            ("Id", Value::Text(id)),
            (
                "Label",
                Value::Text(text(metric, "MetricName").unwrap_or_default()),
            ),
            ("Timestamps", Value::Array(timestamps)),
            ("Values", Value::Array(values)),
            ("StatusCode", Value::Text("Complete".into())),
        ]));
    }
    Ok(map(vec![
        ("MetricDataResults", Value::Array(results)),
        ("Messages", Value::Array(Vec::new())),
    ]))
}

/// A statistic of sorted values.
fn statistic(stat: &str, sorted: &[f64]) -> Option<f64> {
    let n = sorted.len() as f64;
    match stat {
        "Sum" => Some(sorted.iter().sum()),
        "SampleCount" => Some(n),
        "Average" => Some(sorted.iter().sum::<f64>() / n),
        "Minimum" => sorted.first().copied(),
        "Maximum" => sorted.last().copied(),
        _ => {
            if let Some(p) = stat.strip_prefix('p').and_then(|p| p.parse::<f64>().ok()) {
                let rank = (p / 100.0 * n).ceil().max(1.0) as usize;
                return sorted.get(rank - 1).copied();
            }
            let range = stat.strip_prefix("TC(")?.strip_suffix(')')?;
            let (low, high) = range.split_once(':')?;
            let low: f64 = if low.is_empty() {
                f64::NEG_INFINITY
            } else {
                low.parse().ok()?
            };
            let high: f64 = if high.is_empty() {
                f64::INFINITY
            } else {
                high.parse().ok()?
            };
            Some(sorted.iter().filter(|v| **v > low && **v <= high).count() as f64)
        }
    }
}
