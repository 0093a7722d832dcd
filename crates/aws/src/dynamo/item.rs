//! The items' keys, attribute names and their encoding (see the table in the module
//! above): a tracking record to and from a DynamoDB item.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use revops_core::{
    DeliveryAttempt, Status, TrackingId,
    ports::{AgentAnswer, NewRecord, StatusEvent, StoreError, TrackingRecord},
};
use std::collections::HashMap;

/// A DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// The partition key.
pub(crate) const PK: &str = "pk";
/// The kind of item (`request` or `idempotency`).
pub(crate) const KIND: &str = "kind";
/// The expiry, epoch seconds.
pub(crate) const TTL: &str = "ttl";
pub(crate) const STATUS: &str = "status";
pub(crate) const SOURCE_SYSTEM: &str = "source_system";
pub(crate) const SOURCE_PROCESS: &str = "source_process";
pub(crate) const QUEUED_AT: &str = "queued_at";
pub(crate) const TRACE_ID: &str = "trace_id";
pub(crate) const EVENTS: &str = "events";
pub(crate) const ATTEMPTS: &str = "attempts";
pub(crate) const LAST_ERROR: &str = "last_error";
pub(crate) const ANSWER: &str = "answer";
pub(crate) const CATEGORY: &str = "category";
pub(crate) const AGENT_CALLS: &str = "agent_calls";
/// The request as accepted (JSON), kept at a bad end for a replay.
pub(crate) const REQUEST: &str = "request";
/// Every delivery attempt, oldest first.
pub(crate) const DELIVERY_ATTEMPTS: &str = "delivery_attempts";
/// When the next delivery attempt is due.
pub(crate) const NEXT_ATTEMPT_AT: &str = "next_attempt_at";
pub(crate) const LEASE_OWNER: &str = "lease_owner";
pub(crate) const LEASE_UNTIL: &str = "lease_until";
pub(crate) const TRACKING_ID: &str = "tracking_id";
pub(crate) const CREATED_AT: &str = "created_at";
const EVENT_AT: &str = "at";
const EVENT_DETAIL: &str = "detail";

/// The key (`pk`) of a request's item.
pub fn request_key(id: &TrackingId) -> AttributeValue {
    AttributeValue::S(format!("req#{id}"))
}

/// The key of an idempotency key's item.
pub(crate) fn idempotency_key(source_system: &str, key: &str) -> AttributeValue {
    AttributeValue::S(format!("idem#{source_system}#{key}"))
}

/// A time as stored: RFC 3339 with microseconds, UTC.
pub(crate) fn time(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::S(at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// A number attribute.
pub(crate) fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// A string attribute.
pub(crate) fn string(s: impl Into<String>) -> AttributeValue {
    AttributeValue::S(s.into())
}

/// Epoch seconds, `retention` after `at`.
pub(crate) fn expiry(at: DateTime<Utc>, retention: std::time::Duration) -> AttributeValue {
    let retention = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    number(at.checked_add_signed(retention).unwrap_or(at).timestamp())
}

/// A timeline entry.
pub(crate) fn event(status: Status, at: DateTime<Utc>, detail: Option<&str>) -> AttributeValue {
    let mut entry = HashMap::from([
        (STATUS.to_owned(), string(status.as_str())),
        (EVENT_AT.to_owned(), time(at)),
    ]);
    if let Some(detail) = detail {
        entry.insert(EVENT_DETAIL.to_owned(), string(detail));
    }
    AttributeValue::M(entry)
}

/// A delivery attempt as stored: `{attempt: N, at: S, outcome: S, http_status: N?,
/// duration_ms: N, error: S?}`.
pub(crate) fn delivery_attempt(attempt: &DeliveryAttempt) -> AttributeValue {
    let mut entry = HashMap::from([
        ("attempt".to_owned(), number(attempt.attempt)),
        (EVENT_AT.to_owned(), time(attempt.at)),
        ("outcome".to_owned(), string(attempt.outcome.as_str())),
        ("duration_ms".to_owned(), number(attempt.duration_ms)),
    ]);
    if let Some(status) = attempt.http_status {
        entry.insert("http_status".to_owned(), number(status));
    }
    if let Some(error) = &attempt.error {
        entry.insert("error".to_owned(), string(error.as_str()));
    }
    AttributeValue::M(entry)
}

fn decode_delivery_attempt(value: &AttributeValue) -> Result<DeliveryAttempt, StoreError> {
    let AttributeValue::M(entry) = value else {
        return Err(corrupt(DELIVERY_ATTEMPTS, "an entry is not a map"));
    };
    let number_in = |name: &str| -> Result<Option<u64>, StoreError> {
        match entry.get(name) {
            None => Ok(None),
            Some(AttributeValue::N(n)) => n
                .parse()
                .map(Some)
                .map_err(|e| corrupt(DELIVERY_ATTEMPTS, e)),
            Some(_) => Err(corrupt(DELIVERY_ATTEMPTS, "not a number")),
        }
    };
    Ok(DeliveryAttempt {
        attempt: u32::try_from(number_in("attempt")?.unwrap_or(0)).unwrap_or(u32::MAX),
        at: parse_time(DELIVERY_ATTEMPTS, get_string(entry, EVENT_AT)?)?,
        outcome: serde_json::from_value(serde_json::Value::String(
            get_string(entry, "outcome")?.to_owned(),
        ))
        .map_err(|e| corrupt(DELIVERY_ATTEMPTS, e))?,
        http_status: number_in("http_status")?.and_then(|n| u16::try_from(n).ok()),
        duration_ms: number_in("duration_ms")?.unwrap_or(0),
        error: optional_string(entry, "error")?.map(str::to_owned),
    })
}

/// The answer as stored.
pub(crate) fn answer(answer: &AgentAnswer) -> Result<AttributeValue, StoreError> {
    serde_json::to_string(answer)
        .map(AttributeValue::S)
        .map_err(|e| StoreError::Unavailable(format!("the answer does not serialise: {e}")))
}

/// The item of a newly accepted request, with its `queued` event.
pub(crate) fn new_request(record: &NewRecord, retention: std::time::Duration) -> Item {
    let mut item = HashMap::from([
        (PK.to_owned(), request_key(&record.tracking_id)),
        (KIND.to_owned(), string("request")),
        (STATUS.to_owned(), string(Status::Queued.as_str())),
        (
            SOURCE_SYSTEM.to_owned(),
            string(record.source_system.as_str()),
        ),
        (
            SOURCE_PROCESS.to_owned(),
            string(record.source_process.as_str()),
        ),
        (QUEUED_AT.to_owned(), time(record.queued_at)),
        (
            EVENTS.to_owned(),
            AttributeValue::L(vec![event(Status::Queued, record.queued_at, None)]),
        ),
        (ATTEMPTS.to_owned(), number(0)),
        (TTL.to_owned(), expiry(record.queued_at, retention)),
    ]);
    if let Some(trace_id) = &record.trace_id {
        item.insert(TRACE_ID.to_owned(), string(trace_id.as_str()));
    }
    item
}

/// A stored item that does not read back.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("stored {what} does not parse: {detail}"))
}

pub(crate) fn get_string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Ok(text),
        _ => Err(corrupt(name, "missing or not a string")),
    }
}

pub(crate) fn optional_string<'a>(
    item: &'a Item,
    name: &str,
) -> Result<Option<&'a str>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(text)) => Ok(Some(text)),
        Some(_) => Err(corrupt(name, "not a string")),
    }
}

pub(crate) fn parse_time(name: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| corrupt(name, e))
}

fn parse_status(text: &str) -> Result<Status, StoreError> {
    text.parse().map_err(|e| corrupt(STATUS, e))
}

/// The tracking id an idempotency key's item names.
pub(crate) fn claimed_tracking_id(item: &Item) -> Result<TrackingId, StoreError> {
    get_string(item, TRACKING_ID)?
        .parse()
        .map_err(|e| corrupt(TRACKING_ID, e))
}

fn decode_event(value: &AttributeValue) -> Result<StatusEvent, StoreError> {
    let AttributeValue::M(entry) = value else {
        return Err(corrupt(EVENTS, "an entry is not a map"));
    };
    Ok(StatusEvent {
        status: parse_status(get_string(entry, STATUS)?)?,
        at: parse_time(EVENTS, get_string(entry, EVENT_AT)?)?,
        detail: optional_string(entry, EVENT_DETAIL)?.map(str::to_owned),
    })
}

/// The tracking record in a request's item.
pub(crate) fn decode_request(
    tracking_id: TrackingId,
    item: &Item,
) -> Result<TrackingRecord, StoreError> {
    let events = match item.get(EVENTS) {
        None => Vec::new(),
        Some(AttributeValue::L(entries)) => {
            entries.iter().map(decode_event).collect::<Result<_, _>>()?
        }
        Some(_) => return Err(corrupt(EVENTS, "not a list")),
    };
    let attempts = optional_count(item, ATTEMPTS)?;
    let agent_calls = optional_count(item, AGENT_CALLS)?;
    let category = optional_string(item, CATEGORY)?
        .map(|text| text.parse().map_err(|e| corrupt(CATEGORY, e)))
        .transpose()?;
    let answer = optional_string(item, ANSWER)?
        .map(|json| serde_json::from_str(json).map_err(|e| corrupt(ANSWER, e)))
        .transpose()?;
    let delivery_attempts = match item.get(DELIVERY_ATTEMPTS) {
        None => Vec::new(),
        Some(AttributeValue::L(entries)) => entries
            .iter()
            .map(decode_delivery_attempt)
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(corrupt(DELIVERY_ATTEMPTS, "not a list")),
    };
    let next_attempt_at = optional_string(item, NEXT_ATTEMPT_AT)?
        .map(|text| parse_time(NEXT_ATTEMPT_AT, text))
        .transpose()?;
    let request = optional_string(item, REQUEST)?
        .map(|json| serde_json::from_str(json).map_err(|e| corrupt(REQUEST, e)))
        .transpose()?;
    Ok(TrackingRecord {
        tracking_id,
        status: parse_status(get_string(item, STATUS)?)?,
        source_system: get_string(item, SOURCE_SYSTEM)?.to_owned(),
        source_process: get_string(item, SOURCE_PROCESS)?.to_owned(),
        queued_at: parse_time(QUEUED_AT, get_string(item, QUEUED_AT)?)?,
        trace_id: optional_string(item, TRACE_ID)?.map(str::to_owned),
        events,
        attempts,
        last_error: optional_string(item, LAST_ERROR)?.map(str::to_owned),
        answer,
        category,
        agent_calls,
        request,
        delivery_attempts,
        next_attempt_at,
    })
}

/// A count that is 0 when absent.
fn optional_count(item: &Item, name: &str) -> Result<u32, StoreError> {
    match item.get(name) {
        None => Ok(0),
        Some(AttributeValue::N(n)) => n.parse().map_err(|e| corrupt(name, e)),
        Some(_) => Err(corrupt(name, "not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_request_reads_back() {
        let record = NewRecord {
            tracking_id: TrackingId::new(),
            source_system: "external_app".into(),
            source_process: "test_system".into(),
            queued_at: Utc::now(),
            trace_id: Some("5759e988bd862e3fe1be46a994272793".into()),
        };
        let item = new_request(&record, std::time::Duration::from_secs(60));
        let back = decode_request(record.tracking_id, &item).unwrap();
        assert_eq!(back.status, Status::Queued);
        let micros = record.queued_at.timestamp_micros();
        assert_eq!(back.queued_at.timestamp_micros(), micros);
        assert_eq!(back.events.len(), 1);
        assert_eq!(back.events[0].at.timestamp_micros(), micros);
        assert_eq!(back.attempts, 0);
        assert_eq!(back.trace_id, record.trace_id);
        assert_eq!(
            item[TTL],
            AttributeValue::N((record.queued_at.timestamp() + 60).to_string())
        );
    }
}
