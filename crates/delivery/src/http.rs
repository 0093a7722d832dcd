//! The HTTP deliverer: one `POST` per attempt, with the Standard Webhooks headers.

use crate::{
    AddressGuard,
    config::HttpDelivererConfig,
    errors::{self, BuildError, Limits},
    response,
};
use async_trait::async_trait;
use chrono::Utc;
use reqwest::{Client, Url, header::CONTENT_TYPE, redirect};
use revops_core::{
    TrackingId,
    ports::{Delivered, Deliverer, DeliveryError},
    signing::WebhookSigner,
};
use revops_telemetry::propagation;
use std::{
    net::IpAddr,
    time::{Duration, Instant, SystemTime},
};

/// The longest wait for a connection to a receiver.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers webhooks over HTTP(S) with one pooled client, following no redirects.
#[derive(Debug, Clone)]
pub struct HttpDeliverer {
    client: Client,
    signer: Option<WebhookSigner>,
    limits: Limits,
    max_response_bytes: usize,
    guard: AddressGuard,
}

impl HttpDeliverer {
    /// Builds the deliverer and its HTTP client, once, for every attempt to reuse.
    pub fn new(config: HttpDelivererConfig) -> Result<Self, BuildError> {
        let limits = Limits {
            attempt: config.attempt_timeout,
            connect: CONNECT_TIMEOUT.min(config.attempt_timeout),
        };
        let client = Client::builder()
            .redirect(redirect::Policy::none())
            .timeout(limits.attempt)
            .connect_timeout(limits.connect)
            .user_agent(config.user_agent)
            .dns_resolver(config.guard.resolver())
            .build()?;
        Ok(Self {
            client,
            signer: config.signer,
            limits,
            max_response_bytes: config.max_response_bytes,
            guard: config.guard,
        })
    }

    /// The Standard Webhooks headers of one attempt. Further per-attempt headers
    /// (trace context, for one) belong here too.
    fn webhook_headers(
        &self,
        webhook_id: &str,
        timestamp: i64,
        body: &[u8],
    ) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("webhook-id", webhook_id.to_owned()),
            ("webhook-timestamp", timestamp.to_string()),
        ];
        if let Some(signer) = &self.signer {
            headers.push((
                "webhook-signature",
                signer.sign(webhook_id, timestamp, body),
            ));
        }
        headers.extend(propagation::outbound_headers(&tracing::Span::current()));
        headers
    }

    /// One attempt, without the logging.
    async fn attempt(
        &self,
        target: &str,
        webhook_id: &TrackingId,
        body: &[u8],
    ) -> Result<Delivered, DeliveryError> {
        let url = parse_target(target, &self.guard)?;
        let webhook_id = webhook_id.to_string();
        let timestamp = Utc::now().timestamp();

        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in self.webhook_headers(&webhook_id, timestamp, body) {
            request = request.header(name, value);
        }
        let mut answer = request
            .body(body.to_vec())
            .send()
            .await
            .map_err(|error| errors::from_reqwest(&error, target, self.limits))?;

        let status = answer.status();
        // Read (a bounded part of) the body in every case: it is the message of a
        // failure, and a drained connection can go back to the pool.
        let answer_body = response::read_capped(&mut answer, self.max_response_bytes).await;
        if status.is_success() {
            Ok(Delivered {
                status: status.as_u16(),
            })
        } else {
            Err(response::status_error(
                target,
                status,
                answer.headers(),
                &answer_body,
                SystemTime::now(),
            ))
        }
    }
}

#[async_trait]
impl Deliverer for HttpDeliverer {
    async fn deliver(
        &self,
        target: &str,
        webhook_id: &TrackingId,
        attempt: u32,
        body: &[u8],
    ) -> Result<Delivered, DeliveryError> {
        let started = Instant::now();
        let outcome = self.attempt(target, webhook_id, body).await;
        let elapsed = started.elapsed();
        match &outcome {
            Ok(delivered) => tracing::debug!(
                tracking_id = %webhook_id,
                attempt,
                status = delivered.status,
                ?elapsed,
                "webhook attempt delivered"
            ),
            Err(error) => tracing::debug!(
                tracking_id = %webhook_id,
                attempt,
                status = ?error.kind,
                ?elapsed,
                error = %error.message,
                "webhook attempt failed"
            ),
        }
        outcome
    }
}

/// The target as a URL, if it is an http or https one.
fn parse_target(target: &str, guard: &AddressGuard) -> Result<Url, DeliveryError> {
    let url = Url::parse(target).map_err(|error| errors::refused(target, error))?;
    match url.scheme() {
        "https" => {}
        "http" if guard.allows_http() => {}
        "http" => {
            return Err(errors::refused(
                target,
                "only https targets are accepted here (set WEBHOOK_ALLOW_HTTP=true to allow http)",
            ));
        }
        scheme => {
            return Err(errors::refused(
                target,
                format!("only http and https targets are accepted, not {scheme}"),
            ));
        }
    }
    // A literal address never reaches the resolver, so it is checked here.
    let Some(host) = url.host_str() else {
        return Err(errors::refused(target, "the URL has no host"));
    };
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        guard
            .check(&ip.to_string(), ip)
            .map_err(|refused| errors::refused(target, refused))?;
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use revops_core::ports::DeliveryErrorKind;

    #[test]
    fn a_bad_user_agent_fails_the_build() {
        let error = HttpDeliverer::new(HttpDelivererConfig {
            user_agent: "two\nlines".to_owned(),
            ..HttpDelivererConfig::default()
        })
        .unwrap_err();
        assert!(error.to_string().contains("header value"), "{error}");
    }

    #[test]
    fn only_http_and_https_targets_are_accepted() {
        assert!(parse_target("http://127.0.0.1:8080/hook", &AddressGuard::local_default()).is_ok());
        assert!(
            parse_target(
                "https://example.com/hook?x=1",
                &AddressGuard::local_default()
            )
            .is_ok()
        );
        for target in [
            "ftp://example.com/hook",
            "not a url",
            "/relative",
            "mailto:a@b.c",
            "",
        ] {
            let error = parse_target(target, &AddressGuard::local_default()).unwrap_err();
            assert_eq!(error.kind, DeliveryErrorKind::Refused, "{target:?}");
        }
    }
}
