//! The request queue on SQLite, with SQS's semantics: a received message is hidden for
//! its visibility timeout and comes back unless acked; after `max_receives` receives it
//! moves to the dead-letter table with its last error. A process that owns the data
//! directory releases, at start, every message a dead process had in flight. A replay
//! removes the dead-letter copies of the requests it sent again.

use crate::{
    db::{Database, DbError},
    time::{duration_micros, from_micros, to_micros},
};
use async_trait::async_trait;
use revops_core::{
    Clock, TrackingId,
    ports::{
        DeadLetterCopies, DeadLettered, MessagingSystem, Queue, QueueConsumer, QueueError,
        QueueMessage, QueueSender, Receipt, ReceiveBatch, Received,
    },
};
use rusqlite::{Connection, params};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use tokio::sync::Notify;
use uuid::Uuid;

/// The queue.
#[derive(Clone)]
pub struct SqliteQueue {
    db: Database,
    clock: Arc<dyn Clock>,
    max_receives: u32,
    sent: Arc<Notify>,
}

impl From<DbError> for QueueError {
    fn from(error: DbError) -> Self {
        QueueError::Unavailable(error.to_string())
    }
}

/// Counts of the queue's messages, for health and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueDepth {
    /// Messages visible now or later, not in flight.
    pub waiting: u64,
    /// Messages received and not yet acked or returned.
    pub in_flight: u64,
    /// Messages in the dead-letter table.
    pub dead_lettered: u64,
    /// When the oldest message in the queue (waiting or in flight) was sent.
    pub oldest_sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl SqliteQueue {
    /// A queue on `db` that dead-letters a message on its `max_receives + 1`-th receive.
    pub fn new(db: Database, clock: Arc<dyn Clock>, max_receives: u32) -> Self {
        Self {
            db,
            clock,
            max_receives: max_receives.max(1),
            sent: Arc::new(Notify::new()),
        }
    }

    /// Waits until a message is sent or returned (or such a wake-up is already pending).
    pub async fn sent(&self) {
        self.sent.notified().await;
    }

    /// Makes every in-flight message visible now: their workers belonged to a process
    /// that is gone. Their receives still count. Returns how many there were.
    pub async fn release_in_flight(&self) -> Result<usize, QueueError> {
        let now = to_micros(self.clock.now());
        let released = self
            .db
            .call(move |c| {
                Ok(c.prepare_cached(
                    "UPDATE queue_messages SET visible_at = ?1, receipt = NULL,
                     last_error = COALESCE(last_error, 'its worker stopped before finishing')
                     WHERE receipt IS NOT NULL",
                )?
                .execute([now])?)
            })
            .await?;
        if released > 0 {
            self.sent.notify_one();
        }
        Ok(released)
    }

    /// How long until the next message becomes visible, if any is waiting.
    pub async fn next_visible_in(&self) -> Result<Option<Duration>, QueueError> {
        let now = to_micros(self.clock.now());
        let next: Option<i64> = self
            .db
            .read(|c| {
                Ok(
                    c.prepare_cached("SELECT MIN(visible_at) FROM queue_messages")?
                        .query_row([], |row| row.get(0))?,
                )
            })
            .await?;
        Ok(next.map(|at| Duration::from_micros(u64::try_from(at - now).unwrap_or(0))))
    }

    /// The queue's counts.
    pub async fn depth(&self) -> Result<QueueDepth, QueueError> {
        Ok(self
            .db
            .read(|c| {
                let count = |sql: &str| -> Result<u64, DbError> {
                    let n: i64 = c.prepare_cached(sql)?.query_row([], |row| row.get(0))?;
                    Ok(u64::try_from(n).unwrap_or(0))
                };
                Ok(QueueDepth {
                    waiting: count("SELECT COUNT(*) FROM queue_messages WHERE receipt IS NULL")?,
                    in_flight: count(
                        "SELECT COUNT(*) FROM queue_messages WHERE receipt IS NOT NULL",
                    )?,
                    dead_lettered: count("SELECT COUNT(*) FROM dead_letters")?,
                    oldest_sent_at: c
                        .prepare_cached("SELECT MIN(sent_at) FROM queue_messages")?
                        .query_row([], |row| row.get::<_, Option<i64>>(0))?
                        .map(from_micros),
                })
            })
            .await?)
    }

    /// Runs an update keyed by a receipt; a receipt that matches nothing is stale.
    async fn by_receipt(
        &self,
        receipt: &Receipt,
        work: impl FnOnce(&Connection, &str) -> Result<usize, DbError> + Send + 'static,
    ) -> Result<(), QueueError> {
        let receipt = receipt.0.clone();
        let changed = self.db.call(move |c| work(c, &receipt)).await?;
        if changed == 0 {
            return Err(QueueError::StaleReceipt);
        }
        Ok(())
    }
}

fn encode_attributes(attributes: &BTreeMap<String, String>) -> String {
    serde_json::to_string(attributes).unwrap_or_else(|_| "{}".to_owned())
}

fn decode_attributes(text: &str) -> BTreeMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Moves the message with `receipt` to the dead letters; returns the rows moved.
fn move_to_dead_letters(
    c: &Connection,
    column: &str,
    key: &str,
    now: i64,
    reason: Option<&str>,
) -> Result<usize, DbError> {
    let moved = c
        .prepare_cached(&format!(
            "INSERT OR REPLACE INTO dead_letters
               (id, body, attributes, sent_at, receive_count, dead_lettered_at, reason)
             SELECT id, body, attributes, sent_at, receive_count, ?2, COALESCE(?3, last_error)
             FROM queue_messages WHERE {column} = ?1"
        ))?
        .execute(params![key, now, reason])?;
    c.prepare_cached(&format!("DELETE FROM queue_messages WHERE {column} = ?1"))?
        .execute([key])?;
    Ok(moved)
}

/// A message about to be sent: its row, made before the writer takes it.
struct Outgoing {
    id: String,
    body: String,
    attributes: String,
    sent_at: i64,
    visible_at: i64,
}

impl Outgoing {
    /// Writes the message's row, in the writer's transaction.
    fn insert(&self, c: &Connection) -> Result<(), DbError> {
        c.prepare_cached(
            "INSERT INTO queue_messages (id, body, attributes, sent_at, visible_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            self.id,
            self.body,
            self.attributes,
            self.sent_at,
            self.visible_at
        ])?;
        Ok(())
    }
}

impl SqliteQueue {
    /// Sends `message`, visible after `delay`, with `beside` written in the same writer
    /// job: both are committed, or neither. Returns the message's id.
    pub(crate) async fn send_with(
        &self,
        message: QueueMessage,
        delay: Duration,
        beside: impl FnOnce(&Connection) -> Result<(), DbError> + Send + 'static,
    ) -> Result<String, QueueError> {
        let outgoing = self.outgoing(message, delay);
        let id = outgoing.id.clone();
        self.db
            .call_first(move |c| {
                beside(c)?;
                outgoing.insert(c)
            })
            .await?;
        self.sent.notify_one();
        Ok(id)
    }

    /// `message`'s row, to be visible after `delay`.
    fn outgoing(&self, message: QueueMessage, delay: Duration) -> Outgoing {
        let now = to_micros(self.clock.now());
        Outgoing {
            // Time-ordered ids keep inserts at the end of the primary-key index.
            id: Uuid::now_v7().to_string(),
            body: message.body,
            attributes: encode_attributes(&message.attributes),
            sent_at: now,
            visible_at: now.saturating_add(duration_micros(delay)),
        }
    }
}

#[async_trait]
impl DeadLetterCopies for SqliteQueue {
    async fn discard(&self, ids: &[TrackingId]) -> Result<usize, QueueError> {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        Ok(self
            .db
            .call(move |c| {
                let mut delete = c.prepare_cached(
                    "DELETE FROM dead_letters WHERE json_extract(attributes, '$.tracking_id') = ?1",
                )?;
                let mut removed = 0;
                for id in &ids {
                    removed += delete.execute([id])?;
                }
                Ok(removed)
            })
            .await?)
    }
}

/// The local queue's name on spans.
pub const LOCAL_QUEUE_NAME: &str = "revops-local-requests";

/// The local queue's `messaging.system` on spans (OpenTelemetry has no well-known value
/// for a queue in SQLite).
pub const LOCAL_MESSAGING_SYSTEM: MessagingSystem = "sqlite";

#[async_trait]
impl Queue for SqliteQueue {
    fn name(&self) -> &str {
        LOCAL_QUEUE_NAME
    }

    fn system(&self) -> MessagingSystem {
        LOCAL_MESSAGING_SYSTEM
    }

    async fn ping(&self) -> Result<(), QueueError> {
        self.db
            .call_first(|c| Ok(c.prepare_cached("SELECT 1")?.query_row([], |_| Ok(()))?))
            .await?;
        Ok(())
    }
}

#[async_trait]
impl QueueSender for SqliteQueue {
    async fn send(&self, message: QueueMessage, delay: Duration) -> Result<String, QueueError> {
        self.send_with(message, delay, |_| Ok(())).await
    }
}

#[async_trait]
impl QueueConsumer for SqliteQueue {
    async fn receive(&self, max: usize, visibility: Duration) -> Result<ReceiveBatch, QueueError> {
        let now = to_micros(self.clock.now());
        let hidden_until = now.saturating_add(duration_micros(visibility));
        let max_receives = i64::from(self.max_receives);
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let batch = self
            .db
            .call(move |c| {
                let mut batch = ReceiveBatch::default();
                let mut select = c.prepare_cached(
                    "SELECT id, body, attributes, sent_at, receive_count, last_error
                     FROM queue_messages WHERE visible_at <= ?1
                     ORDER BY visible_at LIMIT ?2",
                )?;
                let rows = select
                    .query_map(params![now, limit], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, i64>(3)?,
                            row.get::<_, i64>(4)?,
                            row.get::<_, Option<String>>(5)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                for (id, body, attributes, sent_at, receive_count, last_error) in rows {
                    let message = QueueMessage {
                        body,
                        attributes: decode_attributes(&attributes),
                    };
                    if receive_count >= max_receives {
                        move_to_dead_letters(c, "id", &id, now, None)?;
                        batch.dead_lettered.push(DeadLettered {
                            message_id: id,
                            message,
                            last_error,
                        });
                        continue;
                    }
                    let receipt = Uuid::now_v7().to_string();
                    c.prepare_cached(
                        "UPDATE queue_messages
                         SET receive_count = receive_count + 1, visible_at = ?2, receipt = ?3
                         WHERE id = ?1",
                    )?
                    .execute(params![id, hidden_until, receipt])?;
                    batch.messages.push(Received {
                        message_id: id,
                        receipt: Receipt(receipt),
                        message,
                        receive_count: u32::try_from(receive_count + 1).unwrap_or(u32::MAX),
                        sent_at: from_micros(sent_at),
                    });
                }
                Ok(batch)
            })
            .await?;
        Ok(batch)
    }

    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.by_receipt(receipt, |c, receipt| {
            Ok(
                c.prepare_cached("DELETE FROM queue_messages WHERE receipt = ?1")?
                    .execute([receipt])?,
            )
        })
        .await
    }

    async fn retry_later(
        &self,
        receipt: &Receipt,
        delay: Duration,
        reason: &str,
    ) -> Result<(), QueueError> {
        let visible_at = to_micros(self.clock.now()).saturating_add(duration_micros(delay));
        let reason = reason.to_owned();
        self.by_receipt(receipt, move |c, receipt| {
            Ok(c.prepare_cached(
                "UPDATE queue_messages SET visible_at = ?2, receipt = NULL, last_error = ?3
                 WHERE receipt = ?1",
            )?
            .execute(params![receipt, visible_at, reason])?)
        })
        .await?;
        self.sent.notify_one();
        Ok(())
    }

    async fn requeue(&self, receipt: &Receipt, delay: Duration) -> Result<(), QueueError> {
        let now = to_micros(self.clock.now());
        let visible_at = now.saturating_add(duration_micros(delay));
        self.by_receipt(receipt, move |c, receipt| {
            Ok(c.prepare_cached(
                "UPDATE queue_messages
                 SET visible_at = ?2, sent_at = ?3, receipt = NULL, receive_count = 0
                 WHERE receipt = ?1",
            )?
            .execute(params![receipt, visible_at, now])?)
        })
        .await?;
        self.sent.notify_one();
        Ok(())
    }

    async fn dead_letter(&self, receipt: &Receipt, reason: &str) -> Result<(), QueueError> {
        let now = to_micros(self.clock.now());
        let reason = reason.to_owned();
        self.by_receipt(receipt, move |c, receipt| {
            move_to_dead_letters(c, "receipt", receipt, now, Some(&reason))
        })
        .await
    }
}
