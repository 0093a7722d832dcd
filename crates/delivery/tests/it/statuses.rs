//! Answers that are not 2xx: the status, its `Retry-After`, and the receiver's words.

use crate::receiver::{deliverer, id, serve};
use axum::{
    Router,
    http::{
        StatusCode,
        header::{LOCATION, RETRY_AFTER},
    },
    routing::{any, post},
};
use revops_core::ports::{Deliverer, DeliveryError, DeliveryErrorKind};
use revops_delivery::HttpDelivererConfig;
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime},
};

async fn deliver_to(router: Router) -> (String, DeliveryError) {
    let target = format!("{}/hook", serve(router).await);
    let error = deliverer(HttpDelivererConfig::default())
        .deliver(&target, &id(), 1, b"{}")
        .await
        .expect_err("the receiver does not answer 2xx");
    (target, error)
}

#[tokio::test]
async fn service_unavailable_with_retry_after_seconds() {
    let router = Router::new().route(
        "/hook",
        post(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(RETRY_AFTER, "7")],
                "busy",
            )
        }),
    );

    let (target, error) = deliver_to(router).await;

    assert_eq!(
        error.kind,
        DeliveryErrorKind::Status {
            code: 503,
            retry_after: Some(Duration::from_secs(7)),
        }
    );
    assert_eq!(
        error.message,
        format!("HTTP 503 Service Unavailable from {target}: busy")
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn too_many_requests_with_retry_after_date() {
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    let router = Router::new().route(
        "/hook",
        post(move || async move { (StatusCode::TOO_MANY_REQUESTS, [(RETRY_AFTER, later)]) }),
    );

    let (_, error) = deliver_to(router).await;

    let DeliveryErrorKind::Status {
        code: 429,
        retry_after: Some(wait),
    } = error.kind
    else {
        panic!("unexpected {error:?}");
    };
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
}

#[tokio::test]
async fn bad_request_carries_the_receivers_words() {
    let router = Router::new().route(
        "/hook",
        post(|| async { (StatusCode::BAD_REQUEST, "unknown field \"answer\"") }),
    );

    let (_, error) = deliver_to(router).await;

    assert_eq!(
        error.kind,
        DeliveryErrorKind::Status {
            code: 400,
            retry_after: None,
        }
    );
    assert!(error.message.starts_with("HTTP 400 Bad Request from "));
    assert!(
        error.message.contains("unknown field \"answer\""),
        "{}",
        error.message
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let landed = Arc::new(AtomicUsize::new(0));
    let counter = landed.clone();
    let elsewhere = serve(Router::new().route(
        "/landing",
        any(move || async move {
            counter.fetch_add(1, Ordering::SeqCst);
            StatusCode::OK
        }),
    ))
    .await;
    let location = format!("{elsewhere}/landing");
    let router = Router::new().route(
        "/hook",
        post(move || async move { (StatusCode::FOUND, [(LOCATION, location)]) }),
    );

    let (_, error) = deliver_to(router).await;

    assert_eq!(
        error.kind,
        DeliveryErrorKind::Status {
            code: 302,
            retry_after: None,
        }
    );
    assert!(error.message.contains("not followed"), "{}", error.message);
    assert_eq!(landed.load(Ordering::SeqCst), 0);
}
