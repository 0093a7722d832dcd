//! The messages this process holds a receipt for. SQS cannot look a message up by its
//! receipt handle, but `requeue` and `dead_letter` send a copy of it, so the queue keeps
//! each received message until it is acked, returned or dead-lettered. Entries older
//! than SQS's longest visibility timeout (12 h) can no longer be used and are pruned.

use revops_core::ports::QueueMessage;
use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// After this long a receipt is certainly stale.
const MAX_AGE: Duration = Duration::from_secs(12 * 60 * 60);
/// How often, at most, old entries are looked for.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Received messages by receipt handle.
#[derive(Debug)]
pub(crate) struct InFlight {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    messages: HashMap<String, (QueueMessage, Instant)>,
    pruned_at: Instant,
}

impl Default for InFlight {
    fn default() -> Self {
        Self {
            state: Mutex::new(State {
                messages: HashMap::new(),
                pruned_at: Instant::now(),
            }),
        }
    }
}

impl InFlight {
    fn with_state<T>(&self, work: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        work(&mut state)
    }

    /// Keeps `message`, received with `receipt`.
    pub(crate) fn insert(&self, receipt: &str, message: QueueMessage) {
        self.with_state(|state| {
            let now = Instant::now();
            if now.duration_since(state.pruned_at) >= PRUNE_EVERY {
                state
                    .messages
                    .retain(|_, (_, at)| now.duration_since(*at) < MAX_AGE);
                state.pruned_at = now;
            }
            state.messages.insert(receipt.to_owned(), (message, now));
        });
    }

    /// The message received with `receipt`, if this process received it.
    pub(crate) fn get(&self, receipt: &str) -> Option<QueueMessage> {
        self.with_state(|state| state.messages.get(receipt).map(|(m, _)| m.clone()))
    }

    /// Forgets the message received with `receipt`.
    pub(crate) fn forget(&self, receipt: &str) {
        self.with_state(|state| state.messages.remove(receipt));
    }

    /// How many messages are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.with_state(|state| state.messages.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_until_forgotten() {
        let in_flight = InFlight::default();
        in_flight.insert("r", QueueMessage::default());
        assert_eq!(in_flight.get("r"), Some(QueueMessage::default()));
        assert_eq!(in_flight.len(), 1);
        in_flight.forget("r");
        assert_eq!(in_flight.get("r"), None);
    }
}
