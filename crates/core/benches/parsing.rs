//! Request parsing: `InboundRequest::parse` on the seed's request, next to
//! `serde_json::from_slice::<Value>` on the same bytes (the floor: decoding alone).

use criterion::{Criterion, criterion_group, criterion_main};
use revops_core::InboundRequest;
use std::hint::black_box;

const SEED: &[u8] = br#"{"source_process":"test_system","timestamp":"2025-08-13T06:30:00Z","source_system":"external_app","query":"What is the deal status for IXIS?"}"#;

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_request");
    group.bench_function("serde_json_value_floor", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(SEED)))
    });
    group.bench_function("inbound_request_parse", |b| {
        b.iter(|| InboundRequest::parse(black_box(SEED)))
    });
    group.finish();
}

criterion_group!(benches, parsing);
criterion_main!(benches);
