//! Raw samples by metric: what alarms are evaluated on, from EMF lines (through the EMF
//! reader the SLA report uses) or from an alarm test's synthetic series.

use super::series::Millis;
use crate::render::model::Metric;
use crate::sla::EmfLine;
use std::collections::BTreeMap;
use std::fmt;

/// A metric: namespace, name and every dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetricKey {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its dimensions.
    pub dimensions: BTreeMap<String, String>,
}

impl MetricKey {
    /// The key of a rendered alarm's metric.
    pub fn of(metric: &Metric) -> Self {
        Self {
            namespace: metric.namespace.clone(),
            name: metric.metric_name.clone(),
            dimensions: metric
                .dimensions
                .iter()
                .map(|d| (d.name.clone(), d.value.clone()))
                .collect(),
        }
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dimensions: Vec<String> = self
            .dimensions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        write!(
            f,
            "{}:{}{{{}}}",
            self.namespace,
            self.name,
            dimensions.join(",")
        )
    }
}

/// Every sample of every metric, in time order per metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    by_metric: BTreeMap<MetricKey, Vec<(Millis, f64)>>,
}

impl Samples {
    /// Adds one value of `metric` at `at`.
    pub fn push(&mut self, metric: MetricKey, at: Millis, value: f64) {
        self.by_metric.entry(metric).or_default().push((at, value));
    }

    /// The samples of `metric`, if it has any.
    pub fn of(&self, metric: &MetricKey) -> Option<&[(Millis, f64)]> {
        self.by_metric.get(metric).map(Vec::as_slice)
    }

    /// The time of the earliest sample.
    pub fn first_time(&self) -> Option<Millis> {
        self.by_metric
            .values()
            .filter_map(|samples| samples.iter().map(|(at, _)| *at).min())
            .min()
    }

    /// Every value of every metric in each line, under each of the line's dimension sets.
    pub fn from_emf(lines: &[EmfLine]) -> Self {
        let mut samples = Self::default();
        for line in lines {
            for metric in &line.metrics {
                for dimensions in &metric.dimension_sets {
                    let key = MetricKey {
                        namespace: metric.namespace.clone(),
                        name: metric.name.clone(),
                        dimensions: dimensions.clone(),
                    };
                    for value in &metric.values {
                        samples.push(key.clone(), line.at.timestamp_millis(), *value);
                    }
                }
            }
        }
        samples
    }
}
