//! The local host: `revops serve`'s whole pipeline in one process. The gateway's router on
//! an axum server, the processor as a pool of workers, and, in one SQLite database, the
//! durable request queue and the tracking store; the demo agent answers; deliveries go
//! to `WEBHOOK_URL` or, without one, to `DATA_DIR/outbox.jsonl`.

pub mod archive;
pub mod archive_reader;
pub mod config;
pub mod db;
pub mod disk_space;
pub mod host;
pub mod operator;
pub mod outbox;
pub mod producer;
pub mod queue;
pub mod receivers;
pub mod retention;
pub mod schema;
pub mod store;
mod time;
pub mod workers;

pub use config::{ConfigError, LocalConfig};
pub use db::{Database, DbError};
pub use host::{DeliveryMode, LocalHost};
pub use producer::{SqliteProducer, queue_pair};
pub use queue::{QueueDepth, SqliteQueue};
pub use store::SqliteStore;
