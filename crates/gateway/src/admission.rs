//! Admission: a switch the host turns to refuse new requests for a while, before anything
//! is written (the local host turns it when its disk runs low). A refused request gets
//! `503` with `Retry-After` and the code `disk_full`; turning the switch back admits
//! requests again at once. Reading it is one atomic load, so it costs the intake nothing
//! while it admits.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};

/// Why new requests are refused, as the caller reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The machine-readable code of the `503` (also the rejection metric's reason).
    pub code: &'static str,
    /// What the caller reads: no internals, since the caller is not the operator.
    pub message: &'static str,
    /// Seconds the caller is asked to wait.
    pub retry_after_seconds: u64,
}

/// The switch; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Admission {
    refusing: Arc<AtomicBool>,
    refusal: Arc<Mutex<Option<Refusal>>>,
}

impl Admission {
    /// A switch that admits every request until told otherwise.
    pub fn open() -> Self {
        Self::default()
    }

    /// Refuses new requests with `refusal` until [`Admission::admit`].
    pub fn refuse(&self, refusal: Refusal) {
        *self.lock() = Some(refusal);
        self.refusing.store(true, Ordering::Release);
    }

    /// Admits requests again.
    pub fn admit(&self) {
        self.refusing.store(false, Ordering::Release);
        *self.lock() = None;
    }

    /// The refusal in force, if any.
    pub fn refusal(&self) -> Option<Refusal> {
        if !self.refusing.load(Ordering::Acquire) {
            return None;
        }
        *self.lock()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Refusal>> {
        // A panic while holding the lock cannot leave the Option half-written.
        self.refusal
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_holds_until_admitted_and_clones_share_it() {
        let admission = Admission::open();
        let host_side = admission.clone();
        assert_eq!(admission.refusal(), None);
        let refusal = Refusal {
            code: "disk_full",
            message: "short of disk space",
            retry_after_seconds: 30,
        };
        host_side.refuse(refusal);
        assert_eq!(admission.refusal(), Some(refusal));
        host_side.admit();
        assert_eq!(admission.refusal(), None);
    }
}
