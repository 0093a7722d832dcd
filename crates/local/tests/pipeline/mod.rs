//! A processor over the SQLite adapters, as the processor tests build it: deliveries go
//! to an outbox in the test's directory, conversations to its archive, with the default
//! retry policies and no in-process delivery retries; the receivers' health in a
//! database of its own.

use revops_core::{
    SystemClock,
    flows::{DeliveryTargets, Processor, ProcessorConfig, ProcessorPorts},
    ports::{Agent, TrackingStore},
    retry::RetryPolicy,
};
use revops_local::{
    Database, SqliteQueue, SqliteStore, archive::FileArchive, outbox::OutboxDeliverer,
    schema::SCHEMA,
};
use revops_telemetry::{Telemetry, events::EventRecorder};
use std::{path::Path, sync::Arc, time::Duration};

/// The outbox file below the test's directory.
pub const OUTBOX: &str = "outbox.jsonl";

/// A processor asking `agent`, working on `queue` and `store`, delivering to
/// `dir/outbox.jsonl` and archiving below `dir`.
#[allow(
    dead_code,
    reason = "not every test binary that includes this module uses it"
)]
pub fn processor(
    dir: &Path,
    agent: Arc<dyn Agent>,
    queue: &SqliteQueue,
    store: Arc<dyn TrackingStore>,
) -> Processor {
    recording_processor(dir, agent, queue, store).0
}

/// The same processor, with the recorder of the events it emits.
pub fn recording_processor(
    dir: &Path,
    agent: Arc<dyn Agent>,
    queue: &SqliteQueue,
    store: Arc<dyn TrackingStore>,
) -> (Processor, EventRecorder) {
    let (telemetry, events) = Telemetry::recording("processor");
    let outbox = OutboxDeliverer::new(&dir.join(OUTBOX));
    let target = outbox.url();
    let processor = Processor::new(
        ProcessorPorts {
            agent,
            deliverer: Arc::new(outbox),
            store,
            queue: Arc::new(queue.clone()),
            archive: Arc::new(FileArchive::new(dir)),
            receivers: Arc::new(SqliteStore::new(
                Database::open(&dir.join("receivers.sqlite"), &SCHEMA).unwrap(),
            )),
            clock: Arc::new(SystemClock),
            telemetry,
        },
        ProcessorConfig {
            agent_policy: RetryPolicy::agent_default(),
            delivery_policy: RetryPolicy::delivery_default(),
            inline_retry_budget: Duration::ZERO,
            agent_backoff: revops_core::retry::ReceiveBackoff::parse("60").unwrap(),
            max_receives: 30,
            breaker: revops_core::ports::BreakerPolicy::default(),
            lease: Duration::from_secs(300),
            targets: DeliveryTargets::single(target),
        },
    );
    (processor, events)
}
