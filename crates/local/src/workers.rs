//! The worker pool: one dispatcher receives messages as workers come free and hands each
//! to the processor on its own task, so a slow agent or a slow receiver holds up only its
//! own message. A worker that panics gives its message back to the queue at once.

use crate::SqliteQueue;
use revops_core::{
    flows::Processor,
    ports::{QueueConsumer, Received},
};
use std::{sync::Arc, time::Duration};
use tokio::{sync::Semaphore, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// The most messages received at once.
const MAX_BATCH: usize = 32;
/// The longest the dispatcher sleeps without looking at the queue.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// How the pool runs.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    /// Messages handled at once.
    pub workers: usize,
    /// How long a received message stays hidden from other workers.
    pub visibility_timeout: Duration,
    /// How long shutdown waits for workers to finish their message.
    pub shutdown_grace: Duration,
}

/// Runs the pool until `shutdown` is cancelled, then waits up to the grace period for
/// the workers; a message still in flight after that comes back on the next start.
pub async fn run_pool(
    processor: Processor,
    queue: SqliteQueue,
    config: PoolConfig,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(config.workers.max(1)));
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let first = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = shutdown.cancelled() => break,
        };
        let free = (1 + slots.available_permits()).min(MAX_BATCH);
        let batch = match queue.receive(free, config.visibility_timeout).await {
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(%error, "cannot receive from the queue; trying again shortly");
                drop(first);
                wait_for_work(&queue, Some(IDLE_POLL), &shutdown).await;
                continue;
            }
        };
        for dead in &batch.dead_lettered {
            if let Err(error) = processor.handle_dead_lettered(dead).await {
                tracing::error!(%error, message_id = %dead.message_id, "cannot record a dead letter");
            }
        }
        if batch.messages.is_empty() {
            drop(first);
            let next = queue.next_visible_in().await.ok().flatten();
            wait_for_work(&queue, next, &shutdown).await;
            continue;
        }
        let mut permits = vec![first];
        for _ in 1..batch.messages.len() {
            match slots.clone().try_acquire_owned() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        for (received, permit) in batch.messages.into_iter().zip(permits) {
            let processor = processor.clone();
            let queue = queue.clone();
            tasks.spawn(async move {
                handle_guarded(processor, queue, received).await;
                drop(permit);
            });
        }
    }
    if !tasks.is_empty() {
        tracing::info!(in_flight = tasks.len(), "waiting for workers to finish");
        let drained = tokio::time::timeout(config.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                in_flight = tasks.len(),
                "workers still busy at shutdown; their messages come back on the next start"
            );
            tasks.abort_all();
        }
    }
}

/// Sleeps until a message is sent, `next` passes (capped at [`IDLE_POLL`]), or shutdown.
async fn wait_for_work(queue: &SqliteQueue, next: Option<Duration>, shutdown: &CancellationToken) {
    let nap = next.unwrap_or(IDLE_POLL).min(IDLE_POLL);
    tokio::select! {
        () = queue.sent() => {}
        () = tokio::time::sleep(nap) => {}
        () = shutdown.cancelled() => {}
    }
}

/// Handles one message on a task of its own; if that task panics, the message is
/// returned to the queue at once rather than after its visibility timeout.
async fn handle_guarded(processor: Processor, queue: SqliteQueue, received: Received) {
    let receipt = received.receipt.clone();
    let message_id = received.message_id.clone();
    let outcome = tokio::spawn(async move { processor.handle(&received).await }).await;
    match outcome {
        Ok(Ok(outcome)) => tracing::debug!(%message_id, ?outcome, "message handled"),
        Ok(Err(error)) => {
            tracing::error!(%message_id, %error, "message not handled; it will come back after its visibility timeout");
        }
        Err(join_error) => {
            tracing::error!(%message_id, error = %join_error, "worker died; returning its message");
            if let Err(error) = queue
                .retry_later(&receipt, Duration::ZERO, "its worker died")
                .await
            {
                tracing::error!(%message_id, %error, "cannot return the message of a dead worker");
            }
        }
    }
}
