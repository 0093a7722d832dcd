//! Signed inbound requests, the Standard Webhooks way: the signature covers
//! `{webhook-id}.{webhook-timestamp}.{body}`, the timestamp must be within 5 minutes of
//! now, and a `webhook-id` is accepted once (its use is claimed in the tracking store,
//! so every gateway instance sees it).

use super::Unauthenticated;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use revops_core::{
    TrackingId,
    ports::{IdempotencyClaim, TrackingStore},
    signing::WebhookSigner,
};
use std::{sync::Arc, time::Duration};

/// How far a request's timestamp may be from now.
pub const SIGNATURE_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The scope under which used `webhook-id`s are claimed.
const REPLAY_SCOPE: &str = "inbound-webhook-id";

/// Verifies signed requests.
pub struct SignedRequests {
    signer: WebhookSigner,
    seen: Arc<dyn TrackingStore>,
}

impl SignedRequests {
    /// Verifies with `signer`'s keys (`INBOUND_WEBHOOK_SECRET`), remembering used ids in `seen`.
    pub fn new(signer: WebhookSigner, seen: Arc<dyn TrackingStore>) -> Self {
        Self { signer, seen }
    }

    /// Checks the signature, the timestamp and that the id is new.
    pub async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), Unauthenticated> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| Unauthenticated(format!("a signed request needs the {name} header")))
        };
        let id = header("webhook-id")?;
        let timestamp: i64 = header("webhook-timestamp")?
            .parse()
            .map_err(|_| Unauthenticated("webhook-timestamp must be Unix seconds".into()))?;
        let signature = header("webhook-signature")?;
        if !self.signer.verify(id, timestamp, body, signature) {
            return Err(Unauthenticated(
                "the webhook-signature does not match the request".into(),
            ));
        }
        let skew = now.timestamp().abs_diff(timestamp);
        if skew > SIGNATURE_TOLERANCE.as_secs() {
            return Err(Unauthenticated(format!(
                "webhook-timestamp is {skew} s from now; at most {} s is accepted",
                SIGNATURE_TOLERANCE.as_secs()
            )));
        }
        match self
            .seen
            .claim_idempotency_key(REPLAY_SCOPE, id, &TrackingId::new(), now)
            .await
        {
            Ok(IdempotencyClaim::New) => Ok(()),
            Ok(IdempotencyClaim::Existing(_)) => Err(Unauthenticated(
                "this webhook-id was already used; a replay is refused".into(),
            )),
            Err(error) => {
                tracing::error!(%error, "cannot check a webhook-id for replay");
                Err(Unauthenticated(
                    "the request's webhook-id cannot be checked now; try again".into(),
                ))
            }
        }
    }
}
