//! Standard Webhooks signing: `WebhookSigner::sign` on a 2 KiB body, next to one bare
//! HMAC-SHA256 over the same bytes (the floor: the cryptography alone).

#![allow(
    clippy::unwrap_used,
    reason = "benchmark set-up with fixed, valid input"
)]

use base64::{Engine, engine::general_purpose::STANDARD};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use revops_core::signing::WebhookSigner;
use sha2::Sha256;
use std::hint::black_box;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn signing(c: &mut Criterion) {
    let signer = WebhookSigner::parse(SECRET).unwrap();
    let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let body = vec![b'x'; 2048];
    let id = "0b7c7a4e-6f5e-4c8e-9a43-1c2d3e4f5a6b";
    let mut group = c.benchmark_group("sign_webhook_2KiB");
    group.bench_function("hmac_sha256_floor", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
            mac.update(black_box(id.as_bytes()));
            mac.update(black_box(&body));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("webhook_signer_sign", |b| {
        b.iter(|| signer.sign(black_box(id), black_box(1_763_800_000), black_box(&body)))
    });
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
