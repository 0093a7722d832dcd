//! Attempts that get no usable answer: refused connections, silence, bad targets,
//! and receivers that talk too much.

use crate::receiver::{deliverer, id, serve};
use axum::{Router, http::StatusCode, routing::post};
use revops_core::ports::{Deliverer, DeliveryErrorKind};
use revops_delivery::HttpDelivererConfig;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let target = format!("http://127.0.0.1:{port}/hook");

    let error = deliverer(HttpDelivererConfig::default())
        .deliver(&target, &id(), 1, b"{}")
        .await
        .unwrap_err();

    assert_eq!(error.kind, DeliveryErrorKind::Connect);
    assert_eq!(error.message, format!("connection refused by {target}"));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_silent_receiver_times_out() {
    let router = Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            StatusCode::OK
        }),
    );
    let target = format!("{}/hook", serve(router).await);
    let deliverer = deliverer(HttpDelivererConfig {
        attempt_timeout: Duration::from_millis(300),
        ..HttpDelivererConfig::default()
    });

    let started = Instant::now();
    let error = deliverer
        .deliver(&target, &id(), 1, b"{}")
        .await
        .unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(error.kind, DeliveryErrorKind::Timeout);
    assert_eq!(
        error.message,
        format!("no answer from {target} within 300 ms")
    );
}

#[tokio::test]
async fn targets_that_are_not_http_are_refused() {
    let deliverer = deliverer(HttpDelivererConfig::default());
    for target in ["ftp://127.0.0.1/hook", "http//missing-colon", "not a url"] {
        let error = deliverer
            .deliver(target, &id(), 1, b"{}")
            .await
            .unwrap_err();
        assert_eq!(error.kind, DeliveryErrorKind::Refused, "{target}");
        assert!(error.message.contains(target), "{}", error.message);
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_in_part() {
    let router = Router::new().route(
        "/hook",
        post(|| async {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                vec![b'x'; 10 * 1024 * 1024],
            )
        }),
    );
    let target = format!("{}/hook", serve(router).await);

    let started = Instant::now();
    let error = deliverer(HttpDelivererConfig::default())
        .deliver(&target, &id(), 1, b"{}")
        .await
        .unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        error.kind,
        DeliveryErrorKind::Status {
            code: 500,
            retry_after: None,
        }
    );
    assert!(error.message.len() < 400, "{} bytes", error.message.len());
    assert!(error.message.ends_with("xxx…"), "{}", error.message);
}

#[tokio::test]
async fn the_body_read_stops_at_the_configured_size() {
    let router = Router::new().route(
        "/hook",
        post(|| async { (StatusCode::BAD_GATEWAY, "0123456789abcdef") }),
    );
    let target = format!("{}/hook", serve(router).await);
    let deliverer = deliverer(HttpDelivererConfig {
        max_response_bytes: 10,
        ..HttpDelivererConfig::default()
    });

    let error = deliverer
        .deliver(&target, &id(), 1, b"{}")
        .await
        .unwrap_err();

    assert!(error.message.ends_with(": 0123456789"), "{}", error.message);
}
