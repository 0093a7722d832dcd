//! One EMF record: a JSON object that is both a log line and, to CloudWatch, a set of
//! metric values (the Embedded Metric Format specification).

use super::catalog::MetricSpec;
use serde::{Serialize, Serializer, ser::SerializeMap};
use serde_json::{Map, Value};

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

    /// The JSON lines for this record (more than one only past [`MAX_METRICS`]). Each is
    /// serialised straight from the record, without building a JSON tree first.
    pub fn to_lines(&self, namespace: &str, timestamp_ms: i64) -> Vec<String> {
        self.metrics
            .chunks(MAX_METRICS)
            .map(|metrics| {
                let line = Line {
                    record: self,
                    metrics,
                    namespace,
                    timestamp_ms,
                };
                serde_json::to_string(&line).expect("an EMF line always serialises")
            })
            .collect()
    }
}

/// One line of a record: its properties, dimension values and `metrics`' values at the
/// top level, and the `_aws` metadata that tells CloudWatch which are metrics.
struct Line<'a> {
    record: &'a Record,
    metrics: &'a [(&'static MetricSpec, f64)],
    namespace: &'a str,
    timestamp_ms: i64,
}

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Record {
            dimensions,
            properties,
            ..
        } = self.record;
        // A property that shares a name with a dimension or a metric gives way to it.
        let shadowed = |name: &str| {
            dimensions.iter().any(|(dimension, _)| *dimension == name)
                || self.metrics.iter().any(|(spec, _)| spec.name == name)
        };
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in properties.iter().filter(|(name, _)| !shadowed(name)) {
            map.serialize_entry(name, value)?;
        }
        for (name, value) in dimensions {
            map.serialize_entry(name, value)?;
        }
        for (spec, value) in self.metrics {
            map.serialize_entry(spec.name, value)?;
        }
        map.serialize_entry(
            "_aws",
            &Metadata {
                timestamp: self.timestamp_ms,
                cloud_watch_metrics: [Directive {
                    namespace: self.namespace,
                    dimensions: [Names(dimensions)],
                    metrics: Definitions(self.metrics),
                }],
            },
        )?;
        map.end()
    }
}

/// The `_aws` object.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata<'a> {
    timestamp: i64,
    #[serde(rename = "CloudWatchMetrics")]
    cloud_watch_metrics: [Directive<'a>; 1],
}

/// One metric directive: the namespace, the one dimension set, the metrics.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive<'a> {
    namespace: &'a str,
    dimensions: [Names<'a>; 1],
    metrics: Definitions<'a>,
}

/// A dimension set: the dimensions' names.
struct Names<'a>(&'a [(&'static str, String)]);

impl Serialize for Names<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(name, _)| name))
    }
}

/// The metrics' definitions: each one's name and unit.
struct Definitions<'a>(&'a [(&'static MetricSpec, f64)]);

impl Serialize for Definitions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(spec, _)| Definition {
            name: spec.name,
            unit: spec.unit.as_str(),
        }))
    }
}

/// One metric's definition.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Definition {
    name: &'static str,
    unit: &'static str,
}
