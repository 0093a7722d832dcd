//! The processor's copy of the request it holds the lease on: read once when a message
//! arrives, and kept up to date with every change the processor writes, so that the
//! finished conversation is archived without reading the record back. It stays exact:
//! the lease is granted only if nobody wrote to the record since it was read (the claim
//! names the steps seen), under the lease nobody else writes it, and every store applies
//! an update as [`TrackingRecord::apply`] does (the store contract checks both on each
//! store).

use crate::{
    TrackingId,
    ports::{StatusUpdate, TrackingRecord},
};
use std::sync::Mutex;

/// The record as written so far by this worker.
#[derive(Debug)]
pub(crate) struct KnownRecord(Mutex<TrackingRecord>);

impl KnownRecord {
    /// The record as read.
    pub(crate) fn new(record: TrackingRecord) -> Self {
        Self(Mutex::new(record))
    }

    /// The request's id.
    pub(crate) fn tracking_id(&self) -> TrackingId {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .tracking_id
    }

    /// Notes `update`, which the store has just written.
    pub(crate) fn written(&self, update: &StatusUpdate) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .apply(update);
    }

    /// A copy of the record now.
    pub(crate) fn now(&self) -> TrackingRecord {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The record, once nothing more is written.
    pub(crate) fn into_record(self) -> TrackingRecord {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
