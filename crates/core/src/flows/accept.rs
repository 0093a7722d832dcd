//! The gateway's flow: record a valid request and queue it durably (through the queue's
//! [`QueueProducer`] half), then answer with its tracking id; and read a request's status
//! back.

use super::RequestMessage;
use crate::{
    Clock, InboundRequest, TrackingId,
    payload::AcceptedResponse,
    ports::{QueueProducer, RequestKeyClaim, StoreError, TrackingRecord, TrackingStore},
};
use revops_telemetry::{Telemetry, propagation};
use std::sync::Arc;
use tracing::Instrument;

/// Why a valid request was not accepted. Nothing was queued; the caller may retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptError {
    /// The queue or the store cannot take it now.
    #[error("{0}")]
    Unavailable(String),
}

/// The gateway's side of the ports.
#[derive(Clone)]
pub struct Gateway {
    producer: Arc<dyn QueueProducer>,
    store: Arc<dyn TrackingStore>,
    clock: Arc<dyn Clock>,
    telemetry: Telemetry,
}

impl Gateway {
    /// A gateway handing requests to `producer` and reading their status from `store`.
    pub fn new(
        producer: Arc<dyn QueueProducer>,
        store: Arc<dyn TrackingStore>,
        clock: Arc<dyn Clock>,
        telemetry: Telemetry,
    ) -> Self {
        Self {
            producer,
            store,
            clock,
            telemetry,
        }
    }

    /// The gateway's telemetry handle.
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// Records and queues `request`; returns the `202` body once the message is durable
    /// (the record normally is too; when it is not, the processor writes it). With an
    /// `Idempotency-Key`, a repeat from the same `source_system` within 24 hours gets the
    /// first request's answer and queues nothing.
    pub async fn accept(
        &self,
        request: InboundRequest,
        idempotency_key: Option<&str>,
    ) -> Result<AcceptedResponse, AcceptError> {
        let tracking_id = TrackingId::new();
        let queued_at = self.clock.now();
        let scope = request.source_system.as_str().to_owned();
        if let Some(key) = idempotency_key
            && let Some(first) = self.claim_key(&scope, key, tracking_id).await?
        {
            return Ok(first);
        }
        let accepted = self.record_and_queue(request, tracking_id, queued_at).await;
        if let (Err(_), Some(key)) = (&accepted, idempotency_key)
            && let Err(error) = self
                .store
                .release_idempotency_key(&scope, key, &tracking_id)
                .await
        {
            tracing::warn!(%tracking_id, %error, "could not free the idempotency key of a refused request");
        }
        accepted
    }

    /// Claims the key; `Some` is the first request's answer when the key was taken.
    async fn claim_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: TrackingId,
    ) -> Result<Option<AcceptedResponse>, AcceptError> {
        let claim = self
            .store
            .claim_request_key(scope, key, &tracking_id, self.clock.now())
            .await
            .map_err(|e| AcceptError::Unavailable(e.to_string()))?;
        match claim {
            RequestKeyClaim::New => Ok(None),
            RequestKeyClaim::Existing {
                tracking_id,
                queued_at,
            } => {
                tracing::info!(%tracking_id, "a repeated Idempotency-Key; answering with the first request");
                Ok(Some(AcceptedResponse::new(tracking_id, queued_at)))
            }
        }
    }

    /// Writes the tracking record and sends the message through the producer: the queue
    /// is where a request becomes accepted (see [`QueueProducer`]); a refused message gets
    /// a `503`. The producer span covers the producer's whole write, since the message is
    /// sent inside it (on AWS beside the record's write, locally in the same transaction).
    async fn record_and_queue(
        &self,
        request: InboundRequest,
        tracking_id: TrackingId,
        queued_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<AcceptedResponse, AcceptError> {
        let message = RequestMessage {
            tracking_id,
            request,
            queued_at,
        };
        let span = tracing::info_span!(
            "send",
            otel.name = format!("send {}", self.producer.name()),
            otel.kind = "producer",
            messaging.system = self.producer.system(),
            messaging.operation.r#type = "send",
            messaging.destination.name = self.producer.name(),
            messaging.message.id = tracing::field::Empty,
            revops.tracking_id = %tracking_id,
        );
        let record = message.new_record(propagation::trace_id(&span));
        let mut encoded = message.encode();
        encoded.attributes.extend(propagation::message_attributes(
            &span,
            &tracking_id.to_string(),
        ));
        let message_id = self
            .producer
            .record_and_send(record, encoded)
            .instrument(span.clone())
            .await
            .map_err(|error| AcceptError::Unavailable(error.to_string()))?;
        span.record("messaging.message.id", message_id.as_str());
        Ok(AcceptedResponse::new(tracking_id, queued_at))
    }

    /// The record of `id`, if any.
    pub async fn status(&self, id: &TrackingId) -> Result<Option<TrackingRecord>, StoreError> {
        self.store.get(id).await
    }

    /// Whether the queue and the store both answer; the error names the one that does not.
    pub async fn health(&self) -> Result<(), String> {
        self.producer.ping().await.map_err(|e| e.to_string())?;
        self.store.ping().await.map_err(|e| e.to_string())
    }
}
