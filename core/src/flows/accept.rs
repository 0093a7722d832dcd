//! The gateway's flow: record a valid request, queue it durably, answer with its
//! tracking id; and read a request's status back.

use super::RequestMessage;
use crate::{
    Clock, InboundRequest, Status, TrackingId,
    payload::AcceptedResponse,
    ports::{NewRecord, RequestQueue, StatusUpdate, StoreError, TrackingRecord, TrackingStore},
};
use revops_telemetry::{Telemetry, propagation};
use std::{sync::Arc, time::Duration};
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
    queue: Arc<dyn RequestQueue>,
    store: Arc<dyn TrackingStore>,
    clock: Arc<dyn Clock>,
    telemetry: Telemetry,
}

impl Gateway {
    /// A gateway over these adapters.
    pub fn new(
        queue: Arc<dyn RequestQueue>,
        store: Arc<dyn TrackingStore>,
        clock: Arc<dyn Clock>,
        telemetry: Telemetry,
    ) -> Self {
        Self {
            queue,
            store,
            clock,
            telemetry,
        }
    }

    /// The gateway's telemetry handle.
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// Records and queues `request`; returns the `202` body once both are durable.
    pub async fn accept(&self, request: InboundRequest) -> Result<AcceptedResponse, AcceptError> {
        let tracking_id = TrackingId::new();
        let queued_at = self.clock.now();
        self.store
            .create(NewRecord {
                tracking_id,
                source_system: request.source_system.as_str().to_owned(),
                source_process: request.source_process.as_str().to_owned(),
                queued_at,
            })
            .await
            .map_err(|e| AcceptError::Unavailable(e.to_string()))?;
        let message = RequestMessage {
            tracking_id,
            request,
            queued_at,
        };
        let span = tracing::info_span!(
            "send",
            otel.name = format!("send {}", self.queue.name()),
            otel.kind = "producer",
            messaging.system = "aws_sqs",
            messaging.operation.r#type = "send",
            messaging.destination.name = self.queue.name(),
            messaging.message.id = tracing::field::Empty,
            revops.tracking_id = %tracking_id,
        );
        let mut encoded = message.encode();
        encoded.attributes.extend(propagation::message_attributes(
            &span,
            &tracking_id.to_string(),
        ));
        let sent = self
            .queue
            .send(encoded, Duration::ZERO)
            .instrument(span.clone())
            .await;
        if let Ok(message_id) = &sent {
            span.record("messaging.message.id", message_id.as_str());
        }
        drop(span);
        if let Err(error) = sent {
            // The caller gets a 503 and will retry under a new id; mark this one so that
            // nobody waits for it.
            let update = StatusUpdate::new(Status::Failed, self.clock.now())
                .detail("not accepted: the queue refused it")
                .last_error(Some(error.to_string()));
            if let Err(store_error) = self.store.update(&tracking_id, update).await {
                tracing::warn!(%tracking_id, error = %store_error, "could not mark a refused request");
            }
            return Err(AcceptError::Unavailable(error.to_string()));
        }
        Ok(AcceptedResponse::new(tracking_id, queued_at))
    }

    /// The record of `id`, if any.
    pub async fn status(&self, id: &TrackingId) -> Result<Option<TrackingRecord>, StoreError> {
        self.store.get(id).await
    }

    /// Whether the queue and the store both answer; the error names the one that does not.
    pub async fn health(&self) -> Result<(), String> {
        self.queue.ping().await.map_err(|e| e.to_string())?;
        self.store.ping().await.map_err(|e| e.to_string())
    }
}
