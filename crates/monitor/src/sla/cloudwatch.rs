//! The SLA inputs from CloudWatch: one GetMetricData call (paged) with percentile
//! statistics of `EndToEndLatency` (p50, p95, p99, and `TC(:objective)`, the count within
//! the objective) over the whole window, `Deliveries` by outcome, and p95 per bucket for
//! the chart.

use super::emf::bucket_seconds;
use super::report::{Deliveries, Latency, Objective, SlaInputs};
use super::window::Window;
use crate::account::AccountError;
use crate::render::model::{Dimension, Metric};
use aws_sdk_cloudwatch::primitives::DateTime as SdkTime;
use aws_sdk_cloudwatch::types::{MetricDataQuery, MetricStat, ScanBy};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeMap;

/// The service whose `EndToEndLatency` and `Deliveries` the report reads.
const SERVICE: &str = "processor";

/// Reads the window's numbers from CloudWatch.
pub async fn from_cloudwatch(
    client: &aws_sdk_cloudwatch::Client,
    namespace: &str,
    window: Window,
    objective: Objective,
) -> Result<SlaInputs, AccountError> {
    let whole = i32::try_from(((window.seconds().max(60) + 59) / 60) * 60).unwrap_or(i32::MAX);
    let bucket = bucket_seconds(&window);
    let latency = metric(namespace, "EndToEndLatency", None);
    let deliveries = |outcome| metric(namespace, "Deliveries", Some(outcome));
    let within = format!("TC(:{})", objective.latency_ms);
    let queries = vec![
        query("p50", &latency, "p50", whole),
        query("p95", &latency, "p95", whole),
        query("p99", &latency, "p99", whole),
        query("samples", &latency, "SampleCount", whole),
        query("within", &latency, &within, whole),
        query("delivered", &deliveries("delivered"), "Sum", whole),
        query("failed", &deliveries("failed"), "Sum", whole),
        query("dead", &deliveries("dead_lettered"), "Sum", whole),
        query(
            "series",
            &latency,
            "p95",
            i32::try_from(bucket).unwrap_or(i32::MAX),
        ),
    ];
    let results = fetch(client, queries, &window).await?;
    let points = |id: &str| results.get(id).cloned().unwrap_or_default();
    let sum = |id: &str| points(id).iter().map(|(_, v)| v).sum::<f64>().round() as u64;
    let samples = points("samples");
    // With more than one datapoint (CloudWatch aligned the window to its own period
    // boundaries), a percentile is taken from the datapoint with the most samples.
    let busiest = samples
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(at, _)| *at);
    let percentile = |id: &str| {
        let values = points(id);
        busiest
            .and_then(|at| values.iter().find(|(t, _)| *t == at))
            .or(values.first())
            .map(|(_, v)| *v)
    };
    Ok(SlaInputs {
        source: format!("CloudWatch {namespace} (Service={SERVICE})"),
        window,
        latency: Latency {
            p50_ms: percentile("p50"),
            p95_ms: percentile("p95"),
            p99_ms: percentile("p99"),
            samples: sum("samples"),
            within_objective: sum("within"),
        },
        deliveries: Deliveries {
            delivered: sum("delivered"),
            failed: sum("failed"),
            dead_lettered: sum("dead"),
        },
        p95_series: points("series"),
        bucket_seconds: bucket,
    })
}

fn metric(namespace: &str, name: &str, outcome: Option<&str>) -> Metric {
    let mut dimensions = vec![Dimension {
        name: "Service".into(),
        value: SERVICE.into(),
    }];
    if let Some(outcome) = outcome {
        dimensions.push(Dimension {
            name: "Outcome".into(),
            value: outcome.into(),
        });
    }
    dimensions.sort();
    Metric {
        namespace: namespace.into(),
        metric_name: name.into(),
        dimensions,
    }
}

fn query(id: &str, metric: &Metric, stat: &str, period: i32) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(crate::account::metric_to_sdk(metric))
                .stat(stat)
                .period(period)
                .build(),
        )
        .return_data(true)
        .build()
}

type Series = Vec<(DateTime<Utc>, f64)>;

async fn fetch(
    client: &aws_sdk_cloudwatch::Client,
    queries: Vec<MetricDataQuery>,
    window: &Window,
) -> Result<BTreeMap<String, Series>, AccountError> {
    let mut results: BTreeMap<String, Series> = BTreeMap::new();
    let mut next_token = None;
    loop {
        let page = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(SdkTime::from_millis(window.from.timestamp_millis()))
            .end_time(SdkTime::from_millis(window.to.timestamp_millis()))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| AccountError::from_sdk("GetMetricData", e))?;
        for result in page.metric_data_results() {
            let series = results
                .entry(result.id().unwrap_or_default().to_owned())
                .or_default();
            for (at, value) in result.timestamps().iter().zip(result.values()) {
                if let Some(at) = Utc
                    .timestamp_millis_opt(at.to_millis().unwrap_or_default())
                    .single()
                {
                    series.push((at, *value));
                }
            }
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    for series in results.values_mut() {
        series.sort_by_key(|(at, _)| *at);
    }
    Ok(results)
}
