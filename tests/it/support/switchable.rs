//! A receiver whose answer a test switches while it runs: down (`503`, `410`, `400`),
//! then back (`200`).

use super::Receiver;
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
};

/// A receiver whose answer a test switches (down, then back), counting per `webhook-id`
/// the deliveries it answered 2xx.
pub struct Switchable {
    /// The receiver itself.
    pub receiver: Receiver,
    status: Arc<AtomicU16>,
    accepted: Arc<Mutex<HashMap<String, usize>>>,
}

impl Switchable {
    /// A receiver answering `status` until told otherwise.
    pub async fn start(status: u16) -> Self {
        let answer = Arc::new(AtomicU16::new(status));
        let accepted: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let receiver = Receiver::start({
            let answer = answer.clone();
            let accepted = accepted.clone();
            move |hit| {
                let status = answer.load(Ordering::SeqCst);
                if (200..300).contains(&status) {
                    *accepted
                        .lock()
                        .unwrap()
                        .entry(hit.webhook_id().to_owned())
                        .or_default() += 1;
                }
                status
            }
        })
        .await;
        Self {
            receiver,
            status: answer,
            accepted,
        }
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// The deliveries answered 2xx, by `webhook-id`.
    pub fn accepted(&self) -> HashMap<String, usize> {
        self.accepted.lock().unwrap().clone()
    }

    /// Every `webhook-id` the receiver saw for the request whose body names `id`.
    pub fn webhook_ids_for(&self, id: &str) -> Vec<String> {
        self.receiver
            .hits()
            .iter()
            .filter(|hit| hit.json()["tracking_id"] == id)
            .map(|hit| hit.webhook_id().to_owned())
            .collect()
    }
}
