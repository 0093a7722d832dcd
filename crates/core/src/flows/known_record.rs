//! The processor's copy of the request it holds the lease on: known when a message
//! arrives (as the gateway created it, or read), and kept up to date with every change
//! the processor writes, so that the finished conversation is archived without reading
//! the record back. It stays exact: the lease is granted only if nobody wrote to the
//! record since it was known (the claim names the steps seen), under the lease nobody
//! else writes it, and every store creates a record as [`TrackingRecord::created`] and
//! applies an update as [`TrackingRecord::apply`] does (the store contract checks both
//! on each store).

use crate::{
    TrackingId,
    ports::{StatusUpdate, TrackingRecord},
};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The record as written so far by this worker.
#[derive(Debug)]
pub(crate) struct KnownRecord {
    tracking_id: TrackingId,
    record: Mutex<TrackingRecord>,
}

impl KnownRecord {
    /// The record as known when the lease was taken (as created, or read).
    pub(crate) fn new(record: TrackingRecord) -> Self {
        Self {
            tracking_id: record.tracking_id,
            record: Mutex::new(record),
        }
    }

    /// The request's id.
    pub(crate) fn tracking_id(&self) -> TrackingId {
        self.tracking_id
    }

    /// Notes `update`, which the store has just written.
    pub(crate) fn written(&self, update: &StatusUpdate) {
        self.lock().apply(update);
    }

    /// What `look` reads from the record now.
    pub(crate) fn read<T>(&self, look: impl FnOnce(&TrackingRecord) -> T) -> T {
        look(&self.lock())
    }

    /// The record, once nothing more is written.
    pub(crate) fn into_record(self) -> TrackingRecord {
        self.record
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> MutexGuard<'_, TrackingRecord> {
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
