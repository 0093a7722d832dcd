//! A tracking store wrapped for tests: it counts the records read through it, and can
//! refuse to create records (as a throttled or failing store would), passing everything
//! else to the store it wraps.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use revops_core::{
    Status, TrackingId,
    ports::{
        IdempotencyClaim, NewRecord, RequestKeyClaim, StatusUpdate, StoreError, TrackingRecord,
        TrackingStore,
    },
};
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

/// The wrapped store.
pub struct ProbedStore {
    inner: Arc<dyn TrackingStore>,
    refuse_creates: bool,
    reads: AtomicUsize,
}

impl ProbedStore {
    /// `inner`, with its reads counted.
    pub fn new(inner: impl TrackingStore) -> Self {
        Self {
            inner: Arc::new(inner),
            refuse_creates: false,
            reads: AtomicUsize::new(0),
        }
    }

    /// `inner`, except that every `create` fails as unavailable.
    pub fn refusing_creates(inner: impl TrackingStore) -> Self {
        Self {
            refuse_creates: true,
            ..Self::new(inner)
        }
    }

    /// How many records were read (`get`) through this store so far.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TrackingStore for ProbedStore {
    async fn create(&self, record: NewRecord) -> Result<(), StoreError> {
        if self.refuse_creates {
            return Err(StoreError::Unavailable("throttled".into()));
        }
        self.inner.create(record).await
    }

    async fn get(&self, id: &TrackingId) -> Result<Option<TrackingRecord>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.get(id).await
    }

    async fn update(&self, id: &TrackingId, update: StatusUpdate) -> Result<(), StoreError> {
        self.inner.update(id, update).await
    }

    async fn claim(
        &self,
        id: &TrackingId,
        owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        entering: Option<StatusUpdate>,
        steps_seen: Option<usize>,
    ) -> Result<bool, StoreError> {
        self.inner
            .claim(id, owner, until, now, entering, steps_seen)
            .await
    }

    async fn reopen(
        &self,
        id: &TrackingId,
        update: StatusUpdate,
        steps_seen: usize,
    ) -> Result<bool, StoreError> {
        self.inner.reopen(id, update, steps_seen).await
    }

    async fn in_status(&self, status: Status) -> Result<Vec<TrackingRecord>, StoreError> {
        self.inner.in_status(status).await
    }

    async fn release(&self, id: &TrackingId, owner: &str) -> Result<(), StoreError> {
        self.inner.release(id, owner).await
    }

    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError> {
        self.inner
            .claim_idempotency_key(scope, key, tracking_id, now)
            .await
    }

    async fn claim_request_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<RequestKeyClaim, StoreError> {
        self.inner
            .claim_request_key(scope, key, tracking_id, now)
            .await
    }

    async fn release_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
    ) -> Result<(), StoreError> {
        self.inner
            .release_idempotency_key(scope, key, tracking_id)
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}
