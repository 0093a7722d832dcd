//! A drill's verdict: how many requests were accepted, how many of those reached the
//! receiver, and how many were lost (which must be none), printed on one line.

use crate::support::{Receiver, wait_until};
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

/// The counts of one drill.
#[derive(Debug)]
pub struct Tally {
    /// Tracking ids the gateway answered `202` for.
    pub accepted: usize,
    /// Accepted tracking ids the receiver took with a 2xx.
    pub delivered: usize,
    /// Accepted tracking ids never delivered.
    pub lost: usize,
}

impl Tally {
    /// Counts `accepted` against what the receiver took.
    pub fn of(accepted: &HashSet<String>, delivered: &HashMap<String, usize>) -> Self {
        let reached = accepted
            .iter()
            .filter(|id| delivered.contains_key(*id))
            .count();
        Self {
            accepted: accepted.len(),
            delivered: reached,
            lost: accepted.len() - reached,
        }
    }

    /// Prints `drill NAME: accepted=N delivered=N lost=N`, then fails if anything was
    /// lost or nothing was accepted.
    pub fn report(&self, drill: &str) {
        eprintln!(
            "drill {drill}: accepted={} delivered={} lost={}",
            self.accepted, self.delivered, self.lost
        );
        assert!(self.accepted > 0, "drill {drill} accepted nothing");
        assert_eq!(self.lost, 0, "drill {drill} lost accepted requests");
    }
}

/// Waits (at most `within`) until `receiver` has had every one of `accepted`; how many
/// deliveries each `webhook-id` got.
pub async fn every_delivery(
    receiver: &Receiver,
    accepted: &HashSet<String>,
    within: Duration,
) -> HashMap<String, usize> {
    wait_until(within, "every delivery", || async {
        let mut delivered: HashMap<String, usize> = HashMap::new();
        for hit in receiver.hits() {
            *delivered.entry(hit.webhook_id().to_owned()).or_default() += 1;
        }
        accepted
            .iter()
            .all(|id| delivered.contains_key(id))
            .then_some(delivered)
    })
    .await
}
