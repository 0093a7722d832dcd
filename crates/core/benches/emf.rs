//! EMF rendering (telemetry): `Record::to_lines` for a delivery record (two metrics,
//! two dimensions, a tracking id), next to `serde_json::to_string` of the same object
//! built by hand (the floor: serialising alone).

use criterion::{Criterion, criterion_group, criterion_main};
use revops_telemetry::emf::{
    Record,
    catalog::{DELIVERIES, DELIVERY_LATENCY, OUTCOME, SERVICE},
};
use serde_json::json;
use std::hint::black_box;

const NAMESPACE: &str = "RevOps/WebhookGateway";

fn emf(c: &mut Criterion) {
    let mut group = c.benchmark_group("emf_record");
    group.bench_function("serde_json_to_string_floor", |b| {
        b.iter(|| {
            let value = json!({
                "_aws": {"Timestamp": 1_763_800_000_000_i64, "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE, "Dimensions": [["Service", "Outcome"]],
                    "Metrics": [{"Name": "DeliveryLatency", "Unit": "Milliseconds"},
                                {"Name": "Deliveries", "Unit": "Count"}]}]},
                "Service": "revops", "Outcome": "delivered",
                "DeliveryLatency": black_box(12.5), "Deliveries": 1.0,
                "tracking_id": "0b7c7a4e-6f5e-4c8e-9a43-1c2d3e4f5a6b",
            });
            serde_json::to_string(&value)
        })
    });
    group.bench_function("record_to_lines", |b| {
        b.iter(|| {
            Record::new(vec![
                (SERVICE, "revops".to_owned()),
                (OUTCOME, "delivered".to_owned()),
            ])
            .metric(&DELIVERY_LATENCY, black_box(12.5))
            .metric(&DELIVERIES, 1.0)
            .property("tracking_id", "0b7c7a4e-6f5e-4c8e-9a43-1c2d3e4f5a6b")
            .to_lines(NAMESPACE, 1_763_800_000_000)
        })
    });
    group.finish();
}

criterion_group!(benches, emf);
criterion_main!(benches);
