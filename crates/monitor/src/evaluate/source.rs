//! Where an alarm's metrics come from: an alarm test's series as given, or EMF lines from
//! the local host, where the AWS metrics an alarm may watch are replaced by the local
//! host's equivalent when there is one (see [`local_equivalent`]) and are otherwise
//! unavailable. The test-only time scale is applied here too.

use super::samples::{MetricKey, Samples};
use super::series::Millis;
use super::statistic::Statistic;
use crate::Params;
use revops_telemetry::emf::catalog::{self, Unit};
use std::collections::BTreeMap;

/// How the samples are read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The samples are the local host's: AWS metrics are read through their local
    /// equivalent, or are unavailable.
    pub local: bool,
    /// Test-only time compression: one second of samples stands for `time_scale`
    /// seconds, so periods shrink by that factor and durations (metrics in
    /// milliseconds) grow by it. 1 is real time.
    pub time_scale: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            local: false,
            time_scale: 1.0,
        }
    }
}

/// A metric's samples as an alarm reads them.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// The samples (possibly none), and the statistic to use if not the alarm's.
    Samples(Vec<(Millis, f64)>, Option<Statistic>),
    /// Not available here, and why.
    Unavailable(String),
}

/// The samples and how to read them.
#[derive(Debug, Clone)]
pub struct SampleSource<'a> {
    /// The samples.
    pub samples: &'a Samples,
    /// The parameters the alarms were rendered with.
    pub params: &'a Params,
    /// How to read them.
    pub options: Options,
}

impl SampleSource<'_> {
    /// The samples of `metric`.
    pub fn fetch(&self, metric: &MetricKey) -> Fetched {
        if self.options.local && metric.namespace.starts_with("AWS/") {
            return match local_equivalent(metric, self.params) {
                Some((keys, statistic)) => {
                    let mut merged: Vec<(Millis, f64)> =
                        keys.iter().flat_map(|key| self.scaled(key)).collect();
                    merged.sort_by_key(|(at, _)| *at);
                    Fetched::Samples(merged, Some(statistic))
                }
                None => Fetched::Unavailable(format!(
                    "{metric} is published by AWS only and the local host emits no equivalent"
                )),
            };
        }
        Fetched::Samples(self.scaled(metric), None)
    }

    /// A period in milliseconds, under the time scale.
    pub fn period_ms(&self, seconds: i32) -> Millis {
        let ms = f64::from(seconds) * 1000.0 / self.options.time_scale;
        (ms.round() as Millis).max(1)
    }

    fn scaled(&self, metric: &MetricKey) -> Vec<(Millis, f64)> {
        let samples = self.samples.of(metric).unwrap_or_default();
        let is_duration = metric.namespace == self.params.namespace
            && catalog::lookup(&metric.name).is_some_and(|spec| spec.unit == Unit::Milliseconds);
        if is_duration && self.options.time_scale != 1.0 {
            samples
                .iter()
                .map(|(at, value)| (*at, value * self.options.time_scale))
                .collect()
        } else {
            samples.to_vec()
        }
    }
}

/// The local host's stand-in for an AWS metric, with the statistic to read it with:
///
/// - `AWS/SQS ApproximateNumberOfMessagesVisible` of the dead-letter queue: the messages
///   *entering* the dead letters in each period (the Sum of `Deliveries` with
///   `Outcome=dead_lettered` and of `MessagesDeadLettered`). It fires in the period a
///   message is dead-lettered and, unlike on AWS, is OK again later even if nobody has
///   replayed it: the local host does not report how many wait.
///
/// Every other AWS metric (Lambda's Errors, Invocations, Throttles and Duration, the
/// queue's ApproximateAgeOfOldestMessage) has none, so its alarms are INSUFFICIENT_DATA
/// locally.
pub fn local_equivalent(
    metric: &MetricKey,
    params: &Params,
) -> Option<(Vec<MetricKey>, Statistic)> {
    let on_dlq = metric.dimensions.get("QueueName") == Some(&params.dlq);
    if metric.namespace == "AWS/SQS"
        && metric.name == "ApproximateNumberOfMessagesVisible"
        && on_dlq
    {
        let processor = |name: &str, outcome: Option<&str>| {
            let mut dimensions =
                BTreeMap::from([(catalog::SERVICE.to_owned(), "processor".to_owned())]);
            if let Some(outcome) = outcome {
                dimensions.insert(catalog::OUTCOME.to_owned(), outcome.to_owned());
            }
            MetricKey {
                namespace: params.namespace.clone(),
                name: name.to_owned(),
                dimensions,
            }
        };
        return Some((
            vec![
                processor(catalog::DELIVERIES.name, Some("dead_lettered")),
                processor(catalog::MESSAGES_DEAD_LETTERED.name, None),
            ],
            Statistic::Sum,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(namespace: &str, name: &str, dimensions: &[(&str, &str)]) -> MetricKey {
        MetricKey {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            dimensions: dimensions
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn locally_only_the_dead_letter_queue_has_an_equivalent() {
        let params = Params::default();
        let dead = key(
            &params.namespace,
            "Deliveries",
            &[("Service", "processor"), ("Outcome", "dead_lettered")],
        );
        let mut samples = Samples::default();
        samples.push(dead, 1_000, 1.0);
        let source = SampleSource {
            samples: &samples,
            params: &params,
            options: Options {
                local: true,
                time_scale: 1.0,
            },
        };
        let dlq = key(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            &[("QueueName", &params.dlq)],
        );
        assert_eq!(
            source.fetch(&dlq),
            Fetched::Samples(vec![(1_000, 1.0)], Some(Statistic::Sum))
        );
        let queue = key(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            &[("QueueName", &params.queue)],
        );
        let errors = key(
            "AWS/Lambda",
            "Errors",
            &[("FunctionName", &params.processor_function)],
        );
        for aws_only in [queue, errors] {
            let Fetched::Unavailable(why) = source.fetch(&aws_only) else {
                panic!("{aws_only} is not emitted locally");
            };
            assert!(why.contains(&aws_only.to_string()), "{why}");
        }
    }

    #[test]
    fn the_time_scale_shortens_periods_and_lengthens_durations_only() {
        let params = Params::default();
        let latency = key(
            &params.namespace,
            "EndToEndLatency",
            &[("Service", "processor")],
        );
        let count = key(
            &params.namespace,
            "Deliveries",
            &[("Service", "processor"), ("Outcome", "failed")],
        );
        let mut samples = Samples::default();
        samples.push(latency.clone(), 0, 1_500.0);
        samples.push(count.clone(), 0, 2.0);
        let source = SampleSource {
            samples: &samples,
            params: &params,
            options: Options {
                local: false,
                time_scale: 300.0,
            },
        };
        assert_eq!(source.period_ms(300), 1_000);
        assert_eq!(
            source.fetch(&latency),
            Fetched::Samples(vec![(0, 450_000.0)], None)
        );
        assert_eq!(source.fetch(&count), Fetched::Samples(vec![(0, 2.0)], None));
    }
}
