//! The address guard as a receiver's operator sees it: internal targets are refused
//! before anything is sent, a hostname is judged by the address it resolves to, and the
//! allow-list opens exactly what it names.

use crate::receiver::{id, recording};
use revops_core::ports::{Deliverer, DeliveryErrorKind};
use revops_delivery::{AddressGuard, HttpDeliverer, HttpDelivererConfig};

fn guarded(guard: AddressGuard) -> HttpDeliverer {
    HttpDeliverer::new(HttpDelivererConfig {
        guard,
        ..HttpDelivererConfig::default()
    })
    .expect("the deliverer builds")
}

#[tokio::test]
async fn every_forbidden_class_is_refused_without_a_retry() {
    let deliverer = guarded(AddressGuard::lambda_default().with_http(true));
    for (target, class) in [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://10.0.0.1/hook", "private"),
        ("http://172.16.5.4/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "link-local (cloud metadata)",
        ),
        ("http://[fd00:ec2::254]/", "unique-local (private)"),
        ("http://100.64.1.1/hook", "carrier-grade NAT"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://[::1]:9/hook", "loopback"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
    ] {
        let error = deliverer
            .deliver(target, &id(), 1, b"{}")
            .await
            .unwrap_err();
        assert_eq!(error.kind, DeliveryErrorKind::Refused, "{target}");
        assert!(!error.is_retryable());
        assert!(error.message.contains(class), "{target}: {}", error.message);
        assert!(
            error.message.contains("WEBHOOK_ALLOWED_NETWORKS"),
            "{}",
            error.message
        );
    }
}

#[tokio::test]
async fn a_hostname_that_resolves_to_loopback_is_refused_and_nothing_is_sent() {
    let (url, recorder) = recording().await;
    let by_name = url.replace("127.0.0.1", "localhost");
    let deliverer = guarded(AddressGuard::lambda_default().with_http(true));
    let error = deliverer
        .deliver(&by_name, &id(), 1, b"{}")
        .await
        .unwrap_err();
    assert_eq!(error.kind, DeliveryErrorKind::Refused, "{}", error.message);
    assert!(
        error.message.contains("localhost resolves to"),
        "{}",
        error.message
    );
    assert!(error.message.contains("loopback"), "{}", error.message);
    assert!(recorder.all().is_empty(), "nothing reached the receiver");
}

#[tokio::test]
async fn listed_networks_are_allowed_and_replace_the_default() {
    let (url, recorder) = recording().await;
    let by_name = url.replace("127.0.0.1", "localhost");
    let allowed = guarded(
        AddressGuard::lambda_default()
            .with_http(true)
            .with_allowed_networks("127.0.0.1/32, ::1")
            .unwrap(),
    );
    allowed.deliver(&url, &id(), 1, b"{}").await.unwrap();
    allowed.deliver(&by_name, &id(), 1, b"{}").await.unwrap();
    assert_eq!(recorder.all().len(), 2);

    let other = guarded(
        AddressGuard::local_default()
            .with_allowed_networks("10.0.0.0/8")
            .unwrap(),
    );
    let error = other.deliver(&url, &id(), 1, b"{}").await.unwrap_err();
    assert_eq!(error.kind, DeliveryErrorKind::Refused);
    assert_eq!(recorder.all().len(), 2);
}

#[tokio::test]
async fn plain_http_is_refused_where_only_https_is_allowed() {
    let (url, recorder) = recording().await;
    let deliverer = guarded(
        AddressGuard::lambda_default()
            .with_allowed_networks("127.0.0.0/8")
            .unwrap(),
    );
    let error = deliverer.deliver(&url, &id(), 1, b"{}").await.unwrap_err();
    assert_eq!(error.kind, DeliveryErrorKind::Refused);
    assert!(error.message.contains("only https"), "{}", error.message);
    assert!(recorder.all().is_empty());
}
