//! What the Runtime API holds between requests: the events queued for the function, the
//! callers waiting for each answer, and an init error if the function reported one.

use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::sync::{mpsc, oneshot};

/// What a function answered: its response, or the error it reported.
pub type Outcome = Result<Value, Value>;

/// One event on its way to the function.
#[derive(Debug)]
pub(super) struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub(super) id: String,
    /// The event.
    pub(super) event: Value,
    /// `Lambda-Runtime-Deadline-Ms`: when the function's time is up, in Unix ms.
    pub(super) deadline_ms: u128,
    /// `Lambda-Runtime-Trace-Id`, in X-Ray form.
    pub(super) trace_id: String,
}

/// The shared state.
pub(super) struct State {
    pub(super) function_arn: String,
    sender: mpsc::UnboundedSender<Invocation>,
    receiver: tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>,
    waiters: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: Mutex<Option<Value>>,
    handed_out: AtomicUsize,
}

impl State {
    /// An empty state for the function `function_arn`.
    pub(super) fn new(function_arn: String) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            function_arn,
            sender,
            receiver: tokio::sync::Mutex::new(receiver),
            waiters: Mutex::default(),
            init_error: Mutex::default(),
            handed_out: AtomicUsize::new(0),
        }
    }

    /// Queues `event` with `timeout` to run, with `trace_id` as its X-Ray header; the
    /// receiver gets the outcome. An init error already reported is the outcome at once.
    pub(super) fn queue(
        &self,
        event: Value,
        timeout: Duration,
        trace_id: String,
    ) -> Result<(String, oneshot::Receiver<Outcome>), Value> {
        if let Some(error) = self.init_error() {
            return Err(error);
        }
        let id = uuid::Uuid::new_v4().to_string();
        let (answer, outcome) = oneshot::channel();
        self.waiters.lock().unwrap().insert(id.clone(), answer);
        let invocation = Invocation {
            id: id.clone(),
            event,
            deadline_ms: unix_ms() + timeout.as_millis(),
            trace_id,
        };
        if self.sender.send(invocation).is_err() {
            self.forget(&id);
            return Err(
                json!({"errorType": "Runtime.Unavailable", "errorMessage": "the Runtime API has stopped"}),
            );
        }
        Ok((id, outcome))
    }

    /// The next queued event, waiting until there is one.
    pub(super) async fn next(&self) -> Option<Invocation> {
        let invocation = self.receiver.lock().await.recv().await?;
        self.handed_out.fetch_add(1, Ordering::SeqCst);
        Some(invocation)
    }

    /// Hands the outcome of invocation `id` to its caller; false for an unknown id.
    pub(super) fn answer(&self, id: &str, outcome: Outcome) -> bool {
        match self.waiters.lock().unwrap().remove(id) {
            Some(waiter) => {
                // The caller may have given up (timed out); the answer is then dropped.
                let _ = waiter.send(outcome);
                true
            }
            None => false,
        }
    }

    /// Forgets the caller of invocation `id` (it gave up).
    pub(super) fn forget(&self, id: &str) {
        self.waiters.lock().unwrap().remove(id);
    }

    /// Records an init error and fails every caller still waiting with it.
    pub(super) fn init_failed(&self, error: Value) {
        *self.init_error.lock().unwrap() = Some(error.clone());
        for (_, waiter) in self.waiters.lock().unwrap().drain() {
            let _ = waiter.send(Err(error.clone()));
        }
    }

    /// The init error the function reported, if any.
    pub(super) fn init_error(&self) -> Option<Value> {
        self.init_error.lock().unwrap().clone()
    }

    /// How many events the function has taken.
    pub(super) fn handed_out(&self) -> usize {
        self.handed_out.load(Ordering::SeqCst)
    }
}

/// Now, in Unix milliseconds.
fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}
