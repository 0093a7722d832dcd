//! The local database's tables: the request queue, its dead letters, and the tracking
//! store (records, timelines with the delivery attempts on their steps, requests as
//! accepted), and the receivers' circuits and disabled URLs. Times are microseconds since the Unix epoch.

use crate::db::{AddedColumn, Schema};

/// The tables, and the columns added since a data directory may have been made.
pub const SCHEMA: Schema = Schema {
    create: CREATE,
    added_columns: &[
        AddedColumn {
            table: "tracking",
            column: "trace_id",
            definition: "TEXT",
        },
        AddedColumn {
            table: "tracking",
            column: "category",
            definition: "TEXT",
        },
        AddedColumn {
            table: "tracking",
            column: "agent_calls",
            definition: "INTEGER NOT NULL DEFAULT 0",
        },
        AddedColumn {
            table: "tracking",
            column: "next_attempt_at",
            definition: "INTEGER",
        },
        // The delivery attempts that ended with a step, as JSON, on that step's row: no
        // row of their own to write.
        AddedColumn {
            table: "tracking_events",
            column: "attempts",
            definition: "TEXT",
        },
    ],
};

/// Statements that create whatever does not exist yet.
const CREATE: &str = "
CREATE TABLE IF NOT EXISTS queue_messages (
    id            TEXT PRIMARY KEY,
    body          TEXT NOT NULL,
    attributes    TEXT NOT NULL,
    sent_at       INTEGER NOT NULL,
    visible_at    INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt       TEXT UNIQUE,
    last_error    TEXT
);
CREATE INDEX IF NOT EXISTS queue_messages_by_visibility ON queue_messages (visible_at);

CREATE TABLE IF NOT EXISTS dead_letters (
    id               TEXT PRIMARY KEY,
    body             TEXT NOT NULL,
    attributes       TEXT NOT NULL,
    sent_at          INTEGER NOT NULL,
    receive_count    INTEGER NOT NULL,
    dead_lettered_at INTEGER NOT NULL,
    reason           TEXT
);

CREATE TABLE IF NOT EXISTS tracking (
    tracking_id    TEXT PRIMARY KEY,
    status         TEXT NOT NULL,
    source_system  TEXT NOT NULL,
    source_process TEXT NOT NULL,
    queued_at      INTEGER NOT NULL,
    trace_id       TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    answer         TEXT,
    category       TEXT,
    agent_calls    INTEGER NOT NULL DEFAULT 0,
    lease_owner    TEXT,
    lease_until    INTEGER
);
-- A request as accepted, kept when it reaches a bad end (failed, dead-lettered) so that
-- a replay can send it again; until then its queue message holds it, so the intake and
-- the status changes of `tracking` never write it.
CREATE TABLE IF NOT EXISTS tracking_requests (
    tracking_id TEXT PRIMARY KEY,
    request     TEXT NOT NULL
) WITHOUT ROWID;

-- The requests an operator may replay, found without reading every record; partial, so
-- the hot path's status changes do not maintain it.
CREATE INDEX IF NOT EXISTS tracking_ended_badly ON tracking (status)
    WHERE status IN ('dead_lettered', 'failed');

CREATE TABLE IF NOT EXISTS tracking_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_id TEXT NOT NULL REFERENCES tracking (tracking_id),
    status      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    detail      TEXT
);
CREATE INDEX IF NOT EXISTS tracking_events_by_request ON tracking_events (tracking_id, seq);

CREATE TABLE IF NOT EXISTS receiver_circuits (
    origin     TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    failures   INTEGER NOT NULL,
    last_error TEXT,
    changed_at INTEGER NOT NULL,
    retry_at   INTEGER
);

CREATE TABLE IF NOT EXISTS disabled_urls (
    url    TEXT PRIMARY KEY,
    at     INTEGER NOT NULL,
    reason TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    tracking_id TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
";
