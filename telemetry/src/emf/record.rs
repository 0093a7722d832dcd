//! One EMF record: a JSON object that is both a log line and, to CloudWatch, a set of
//! metric values (the Embedded Metric Format specification).

use super::catalog::MetricSpec;
use serde_json::{Map, Value, json};

/// The most metrics one EMF object may carry.
pub const MAX_METRICS: usize = 100;

/// A record under construction: metrics that share one dimension set, their dimension
/// values, and properties (such as the tracking id) for searching.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    dimensions: Vec<(&'static str, String)>,
    metrics: Vec<(&'static MetricSpec, f64)>,
    properties: Map<String, Value>,
}

impl Record {
    /// A record with these dimension values (in the catalog's order).
    pub fn new(dimensions: Vec<(&'static str, String)>) -> Self {
        Self {
            dimensions,
            metrics: Vec::new(),
            properties: Map::new(),
        }
    }

    /// Adds a metric value. Its dimensions must be exactly the record's.
    pub fn metric(mut self, spec: &'static MetricSpec, value: f64) -> Self {
        debug_assert!(
            spec.dimensions
                .iter()
                .copied()
                .eq(self.dimensions.iter().map(|(name, _)| *name)),
            "{} has dimensions {:?}, not this record's",
            spec.name,
            spec.dimensions
        );
        self.metrics.push((spec, value));
        self
    }

    /// Adds a property (not a dimension).
    pub fn property(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.properties.insert(name.to_owned(), value.into());
        self
    }

    /// The JSON lines for this record (more than one only past [`MAX_METRICS`]).
    pub fn to_lines(&self, namespace: &str, timestamp_ms: i64) -> Vec<String> {
        self.metrics
            .chunks(MAX_METRICS)
            .map(|chunk| {
                let mut root = self.properties.clone();
                for (name, value) in &self.dimensions {
                    root.insert((*name).to_owned(), Value::String(value.clone()));
                }
                for (spec, value) in chunk {
                    root.insert(spec.name.to_owned(), json!(value));
                }
                let dimension_names: Vec<&str> = self.dimensions.iter().map(|(n, _)| *n).collect();
                let metrics: Vec<Value> = chunk
                    .iter()
                    .map(|(spec, _)| json!({"Name": spec.name, "Unit": spec.unit.as_str()}))
                    .collect();
                root.insert(
                    "_aws".to_owned(),
                    json!({
                        "Timestamp": timestamp_ms,
                        "CloudWatchMetrics": [{
                            "Namespace": namespace,
                            "Dimensions": [dimension_names],
                            "Metrics": metrics,
                        }],
                    }),
                );
                Value::Object(root).to_string()
            })
            .collect()
    }
}
