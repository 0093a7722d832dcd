//! `revops sla` on EMF lines with known latencies (written by the telemetry crate's own
//! record writer) reports the p95 a reference computation gives and the right
//! attainment; from CloudWatch (GetMetricData with percentile statistics, against the
//! local CBOR CloudWatch) it reports the same numbers for the same data.

use chrono::{DateTime, Duration, Utc};
use revops_monitor::sla::{self, Format, Objective, SlaReport, Window};
use revops_telemetry::emf::Record;
use revops_telemetry::emf::catalog::{
    DELIVERIES, END_TO_END_LATENCY, OUTCOME, REQUESTS_ACCEPTED, SERVICE,
};
use revops_testkit::cloudwatch::{FakeCloudWatch, Sample};
use std::collections::BTreeMap;

const NAMESPACE: &str = "RevOps/WebhookGateway";

/// Known data: 400 delivered (latencies spread over 1..420 s, some late), 4 failed and
/// 1 dead-lettered, one every 9 seconds from 10:00.
struct Known {
    start: DateTime<Utc>,
    deliveries: Vec<(DateTime<Utc>, &'static str, Option<f64>)>,
}

fn known() -> Known {
    let start: DateTime<Utc> = "2026-11-22T10:00:00Z".parse().unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut deliveries = Vec::new();
    for i in 0..405i64 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let at = start + Duration::seconds(i * 9);
        let entry = match i {
            100 | 200 | 300 | 350 => (at, "failed", None),
            250 => (at, "dead_lettered", None),
            // Milliseconds from 1 s to 420 s.
            _ => (
                at,
                "delivered",
                Some(1_000.0 + (seed >> 33) as f64 % 419_000.0),
            ),
        };
        deliveries.push(entry);
    }
    Known { start, deliveries }
}

impl Known {
    fn latencies(&self) -> Vec<f64> {
        self.deliveries.iter().filter_map(|(_, _, l)| *l).collect()
    }

    /// The EMF lines the processor writes for these deliveries, plus noise that must not
    /// count: a gateway metric, another namespace, and a line that is not EMF.
    fn emf_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (at, outcome, latency) in &self.deliveries {
            let ms = at.timestamp_millis();
            let finished = Record::new(vec![
                (SERVICE, "processor".into()),
                (OUTCOME, (*outcome).into()),
            ])
            .metric(&DELIVERIES, 1.0)
            .property("tracking_id", "t");
            lines.extend(finished.to_lines(NAMESPACE, ms));
            if let Some(latency) = latency {
                let totals = Record::new(vec![(SERVICE, "processor".into())])
                    .metric(&END_TO_END_LATENCY, *latency)
                    .property("tracking_id", "t");
                lines.extend(totals.to_lines(NAMESPACE, ms));
                lines.extend(totals.to_lines("RevOps/Other", ms));
            }
        }
        let accepted =
            Record::new(vec![(SERVICE, "gateway".into())]).metric(&REQUESTS_ACCEPTED, 1.0);
        lines.extend(accepted.to_lines(NAMESPACE, self.start.timestamp_millis()));
        lines.insert(7, "{\"half a line".to_owned());
        lines
    }
}

/// The reference p-th percentile, computed from the definition rather than an index: the
/// smallest observed value v such that at least p % of the values are ≤ v.
fn reference_percentile(values: &[f64], p: f64) -> f64 {
    let n = values.len() as f64;
    values
        .iter()
        .copied()
        .filter(|v| values.iter().filter(|x| *x <= v).count() as f64 >= p / 100.0 * n)
        .fold(f64::INFINITY, f64::min)
}

fn write_emf(known: &Known) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), known.emf_lines().join("\n") + "\n").unwrap();
    file
}

#[test]
fn the_report_on_an_emf_file_gives_the_reference_p95_and_the_right_attainment() {
    let known = known();
    let file = write_emf(&known);
    let read =
        sla::from_emf_file(file.path(), NAMESPACE, None, None, Objective::default()).unwrap();
    assert_eq!(read.skipped.len(), 1);
    assert_eq!(read.skipped[0].line, 8);
    let report = SlaReport::new(read.inputs, Objective::default());

    let latencies = known.latencies();
    assert_eq!(latencies.len(), 400);
    assert_eq!(report.latency.samples, 400);
    assert_eq!(
        report.latency.p95_ms,
        Some(reference_percentile(&latencies, 95.0))
    );
    assert_eq!(
        report.latency.p50_ms,
        Some(reference_percentile(&latencies, 50.0))
    );
    assert_eq!(
        report.latency.p99_ms,
        Some(reference_percentile(&latencies, 99.0))
    );

    let within = latencies.iter().filter(|l| **l <= 300_000.0).count() as u64;
    assert!(
        within > 200 && within < 380,
        "the data has late deliveries: {within}"
    );
    assert_eq!(report.total, 405);
    assert_eq!(report.deliveries.failed, 4);
    assert_eq!(report.deliveries.dead_lettered, 1);
    assert_eq!(report.attainment, Some(within as f64 / 405.0));
    assert_eq!(report.objective_met, Some(false));
    assert_eq!(report.success_rate, Some(400.0 / 405.0));
    assert_eq!(report.bad, 405 - within);
    let burn = (405 - within) as f64 / 405.0 / 0.05;
    assert!((report.burn_rate.unwrap() - burn).abs() < 1e-9);
    assert!((report.budget_remaining.unwrap() - (1.0 - burn)).abs() < 1e-9);
    assert_eq!(report.window.from, known.start);

    let json: serde_json::Value =
        serde_json::from_str(&sla::render(&report, Format::Json)).unwrap();
    assert_eq!(json["latency"]["p95_ms"].as_f64(), report.latency.p95_ms);
    assert!(
        json["percentile_definition"]
            .as_str()
            .unwrap()
            .contains("nearest rank")
    );
    let table = sla::render(&report, Format::Table);
    assert!(
        table.contains("latency p95") && table.contains("objective MISSED"),
        "{table}"
    );
    let markdown = sla::render(&report, Format::Markdown);
    assert!(markdown.contains("| attainment |"), "{markdown}");

    let svg = sla::render_svg(&report);
    assert!(
        svg.starts_with("<svg") && svg.contains("id=\"objective\"") && svg.contains("id=\"p95\"")
    );
    assert_eq!(svg.matches("<circle").count(), report.p95_series.len());
    assert!(
        report.p95_series.len() > 30,
        "about an hour in one-minute buckets"
    );
}

#[test]
fn the_window_limits_what_is_counted() {
    let known = known();
    let file = write_emf(&known);
    let to = known.start + Duration::minutes(30);
    let read = sla::from_emf_file(
        file.path(),
        NAMESPACE,
        Some(known.start),
        Some(to),
        Objective::default(),
    )
    .unwrap();
    let inside: Vec<f64> = known
        .deliveries
        .iter()
        .filter(|(at, _, _)| *at < to)
        .filter_map(|(_, _, l)| *l)
        .collect();
    assert_eq!(read.inputs.latency.samples, inside.len() as u64);
    assert_eq!(
        read.inputs.latency.p95_ms,
        Some(reference_percentile(&inside, 95.0))
    );
    assert_eq!(
        read.inputs.window,
        Window {
            from: known.start,
            to
        }
    );
}

#[tokio::test]
async fn the_report_from_cloudwatch_agrees_with_the_emf_file() {
    let known = known();
    let cloudwatch = FakeCloudWatch::start().await;
    {
        let mut state = cloudwatch.state.lock().unwrap();
        for (at, outcome, latency) in &known.deliveries {
            let dims = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect()
            };
            let sample = |name: &str, dimensions, value| Sample {
                namespace: NAMESPACE.into(),
                metric_name: name.into(),
                dimensions,
                timestamp_ms: at.timestamp_millis(),
                value,
            };
            state.samples.push(sample(
                "Deliveries",
                dims(&[("Service", "processor"), ("Outcome", outcome)]),
                1.0,
            ));
            if let Some(latency) = latency {
                state.samples.push(sample(
                    "EndToEndLatency",
                    dims(&[("Service", "processor")]),
                    *latency,
                ));
            }
        }
    }
    let file = write_emf(&known);
    let from_emf = SlaReport::new(
        sla::from_emf_file(file.path(), NAMESPACE, None, None, Objective::default())
            .unwrap()
            .inputs,
        Objective::default(),
    );
    let inputs = sla::from_cloudwatch(
        &cloudwatch.client(),
        NAMESPACE,
        from_emf.window,
        Objective::default(),
    )
    .await
    .unwrap();
    let from_cloudwatch = SlaReport::new(inputs, Objective::default());
    assert_eq!(from_cloudwatch.latency, from_emf.latency);
    assert_eq!(from_cloudwatch.deliveries, from_emf.deliveries);
    assert_eq!(from_cloudwatch.attainment, from_emf.attainment);
    assert_eq!(from_cloudwatch.burn_rate, from_emf.burn_rate);
    assert_eq!(from_cloudwatch.p95_series, from_emf.p95_series);
    assert_eq!(cloudwatch.take_calls(), ["GetMetricData"]);
}
