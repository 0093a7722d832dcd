//! The tracking store and the idempotency keys on one DynamoDB table.
//!
//! # Table
//!
//! One table, partition key `pk` (string), no sort key, on-demand billing, DynamoDB TTL
//! on the attribute `ttl` (epoch seconds). Two kinds of item share it:
//!
//! **A request** (`pk = req#<tracking id>`, `kind = request`):
//!
//! | attribute | type | what |
//! |---|---|---|
//! | `status` | S | current status (`queued`, `processing`, …) |
//! | `source_system`, `source_process` | S | the caller |
//! | `queued_at` | S | RFC 3339, microseconds, UTC |
//! | `trace_id` | S | the request's trace, 32 hex digits (absent when it had none) |
//! | `events` | L of M | the timeline, oldest first: `{status: S, at: S, detail: S?}`, appended with `list_append` |
//! | `attempts` | N | delivery attempts |
//! | `last_error` | S | absent when there is none |
//! | `answer` | S | the agent's answer as JSON (`response`, `session_id`, `answered_at`), absent until it answers |
//! | `category` | S | the answer's routing category (`deal_analysis`, …), absent until it answers |
//! | `agent_calls` | N | calls made to the agent over every round, absent before the first |
//! | `request` | S | the request as accepted (JSON), kept when it reached a bad end (`failed`, `dead_lettered`) so it can be replayed; absent before |
//! | `delivery_attempts` | L of M | every delivery attempt, oldest first: `{attempt: N, at: S, outcome: S, http_status: N?, duration_ms: N, error: S?}`, appended with `list_append` |
//! | `next_attempt_at` | S | RFC 3339: when the next delivery attempt is due; absent when none is |
//! | `lease_owner` | S | who holds the processing lease, absent when nobody does |
//! | `lease_until` | N | when that lease ends, epoch microseconds |
//! | `ttl` | N | epoch seconds: the last change plus the retention (30 days by default) |
//!
//! **An idempotency key** (`pk = idem#<source_system>#<key>`, `kind = idempotency`):
//! `tracking_id` (S), `created_at` (S, RFC 3339) and `ttl` (N, 24 h after the claim).
//! A `source_system` cannot contain `#`, so the key is unambiguous. DynamoDB deletes
//! expired items up to a few days late, so a key whose `ttl` has passed counts as free.
//!
//! **A receiver's circuit** (`pk = circuit#<origin>`) and **a disabled URL**
//! (`pk = disabled#<url>`): see `receivers.rs`.
//!
//! An item holds at most 400 KB: the timeline and the answer must fit in that.

mod conditional;
mod idempotency;
mod item;
mod receivers;
mod scan;
mod store;
mod table;

pub use idempotency::{IDEMPOTENCY_TTL, IdempotencyClaim};
pub use item::request_key;
pub use store::{DEFAULT_RETENTION, DynamoStore};
pub use table::create_table_if_missing;
