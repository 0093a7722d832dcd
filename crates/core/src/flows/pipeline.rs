//! The one place both hosts build their flows: a [`Pipeline`] holds what the gateway and
//! the processor share (the tracking store, the clock, the telemetry) and makes each of
//! them from the queue half it works through and, for the processor, the settings and
//! the adapters only it needs. The local host builds both from one pipeline; each Lambda
//! function builds the one it runs.

use super::{Gateway, Processor, ProcessorConfig, ProcessorPorts};
use crate::{
    Clock,
    config::PipelineSettings,
    ports::{
        Agent, ConversationArchive, Deliverer, QueueConsumer, QueueProducer, ReceiverRegistry,
        TrackingStore,
    },
};
use revops_telemetry::Telemetry;
use std::{sync::Arc, time::Duration};

/// What the gateway and the processor share.
#[derive(Clone)]
pub struct Pipeline {
    store: Arc<dyn TrackingStore>,
    clock: Arc<dyn Clock>,
    telemetry: Telemetry,
}

/// The adapters only the processor needs.
pub struct ProcessorParts {
    /// Answers questions.
    pub agent: Arc<dyn Agent>,
    /// Sends webhooks.
    pub deliverer: Arc<dyn Deliverer>,
    /// The consumer half of the request queue.
    pub consumer: Arc<dyn QueueConsumer>,
    /// Keeps finished conversations.
    pub archive: Arc<dyn ConversationArchive>,
    /// The receivers' circuits and disabled URLs (beside the tracking store).
    pub receivers: Arc<dyn ReceiverRegistry>,
    /// How long a worker holds a request's lease (at least the queue's visibility
    /// timeout).
    pub lease: Duration,
}

impl Pipeline {
    /// A pipeline tracking requests in `store`; `telemetry`'s sink and namespace serve
    /// both flows, each under its own service name.
    pub fn new(store: Arc<dyn TrackingStore>, clock: Arc<dyn Clock>, telemetry: Telemetry) -> Self {
        Self {
            store,
            clock,
            telemetry,
        }
    }

    /// The tracking store.
    pub fn store(&self) -> &Arc<dyn TrackingStore> {
        &self.store
    }

    /// The gateway, handing requests to `producer`.
    pub fn gateway(&self, producer: Arc<dyn QueueProducer>) -> Gateway {
        Gateway::new(
            producer,
            self.store.clone(),
            self.clock.clone(),
            self.telemetry.for_service("gateway"),
        )
    }

    /// The processor, retrying and routing as `settings` say.
    pub fn processor(&self, settings: &PipelineSettings, parts: ProcessorParts) -> Processor {
        Processor::new(
            ProcessorPorts {
                agent: parts.agent,
                deliverer: parts.deliverer,
                store: self.store.clone(),
                queue: parts.consumer,
                archive: parts.archive,
                receivers: parts.receivers,
                clock: self.clock.clone(),
                telemetry: self.telemetry.for_service("processor"),
            },
            ProcessorConfig::from_settings(settings, parts.lease),
        )
    }
}
