//! `POST /webhook`'s body, parsed: every rule of the contract checked, every broken field
//! reported together, unknown fields set aside for a debug log line.

use super::fields::{FieldError, Query, SessionId, SourceName};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A valid inbound request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundRequest {
    /// The question for the agent.
    pub query: Query,
    /// The calling system.
    pub source_system: SourceName,
    /// The calling process within that system.
    pub source_process: SourceName,
    /// When the caller made the request (RFC 3339 with an offset). Read back from a
    /// queue message by the gateway's own rule: chrono's own is looser.
    #[serde(deserialize_with = "deserialize_timestamp")]
    pub timestamp: DateTime<FixedOffset>,
    /// An agent conversation to continue, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
}

/// Why a body is not a valid request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The body does not parse as JSON (or is not UTF-8).
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an object.
    #[error("body must be a JSON object")]
    NotAnObject,
    /// One or more fields break a rule; every one is listed.
    #[error("{} field(s) are invalid", .0.len())]
    Fields(Vec<FieldError>),
}

/// The fields the contract defines; anything else is ignored.
const KNOWN_FIELDS: [&str; 5] = [
    "query",
    "source_system",
    "source_process",
    "timestamp",
    "session_id",
];

/// A parsed request and the names of the fields it carried that the contract does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The request.
    pub request: InboundRequest,
    /// Unknown field names, for a debug log line.
    pub unknown_fields: Vec<String>,
}

impl InboundRequest {
    /// Parses a raw body.
    pub fn parse(body: &[u8]) -> Result<Parsed, RequestError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| RequestError::NotJson(e.to_string()))?;
        let Value::Object(object) = value else {
            return Err(RequestError::NotAnObject);
        };
        Self::from_object(&object)
    }

    /// Parses an already decoded JSON object.
    pub fn from_object(object: &Map<String, Value>) -> Result<Parsed, RequestError> {
        let mut errors = Vec::new();
        let query = required_string(object, "query", &mut errors)
            .and_then(|raw| keep(Query::parse(raw), "query", &mut errors));
        let source_system = required_string(object, "source_system", &mut errors)
            .and_then(|raw| keep(SourceName::parse(raw), "source_system", &mut errors));
        let source_process = required_string(object, "source_process", &mut errors)
            .and_then(|raw| keep(SourceName::parse(raw), "source_process", &mut errors));
        let timestamp = required_string(object, "timestamp", &mut errors)
            .and_then(|raw| keep(parse_timestamp(raw), "timestamp", &mut errors));
        let session_id = optional_string(object, "session_id", &mut errors)
            .and_then(|raw| keep(SessionId::parse(raw), "session_id", &mut errors));

        match (query, source_system, source_process, timestamp) {
            (Some(query), Some(source_system), Some(source_process), Some(timestamp))
                if errors.is_empty() =>
            {
                Ok(Parsed {
                    request: InboundRequest {
                        query,
                        source_system,
                        source_process,
                        timestamp,
                        session_id,
                    },
                    unknown_fields: object
                        .keys()
                        .filter(|key| !KNOWN_FIELDS.contains(&key.as_str()))
                        .cloned()
                        .collect(),
                })
            }
            _ => Err(RequestError::Fields(errors)),
        }
    }
}

/// The JSON type's name, for "must be a string (got a number)".
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn required_string<'a>(
    object: &'a Map<String, Value>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<&'a str> {
    match object.get(field) {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(field, "required"));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            errors.push(FieldError::new(
                field,
                format!("must be a string (got {})", json_type(other)),
            ));
            None
        }
    }
}

fn optional_string<'a>(
    object: &'a Map<String, Value>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<&'a str> {
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            errors.push(FieldError::new(
                field,
                format!("must be a string (got {})", json_type(other)),
            ));
            None
        }
    }
}

fn keep<T>(parsed: Result<T, String>, field: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    parsed
        .map_err(|problem| errors.push(FieldError::new(field, problem)))
        .ok()
}

/// `timestamp`, deserialised as [`InboundRequest::parse`] reads it.
fn deserialize_timestamp<'de, D>(deserializer: D) -> Result<DateTime<FixedOffset>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = String::deserialize(deserializer)?;
    parse_timestamp(&raw).map_err(serde::de::Error::custom)
}

fn parse_timestamp(raw: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(raw).map_err(|e| {
        format!("must be an RFC 3339 timestamp with an offset, such as 2025-08-13T06:30:00Z ({e})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Parsed, RequestError> {
        InboundRequest::parse(value.to_string().as_bytes())
    }

    fn broken_fields(value: Value) -> Vec<String> {
        match parse(value) {
            Err(RequestError::Fields(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn the_seed_example_parses() {
        let parsed = parse(json!({
            "source_process": "test_system",
            "timestamp": "2025-08-13T06:30:00Z",
            "source_system": "external_app",
            "query": "What is the deal status for IXIS?"
        }))
        .unwrap();
        assert_eq!(
            parsed.request.query.as_str(),
            "What is the deal status for IXIS?"
        );
        assert_eq!(parsed.request.source_system.as_str(), "external_app");
        assert!(parsed.request.session_id.is_none());
        assert!(parsed.unknown_fields.is_empty());
    }

    #[test]
    fn unknown_fields_are_set_aside_not_refused() {
        let parsed = parse(json!({
            "query": "q", "source_system": "a", "source_process": "b",
            "timestamp": "2025-08-13T06:30:00+02:00", "priority": "high"
        }))
        .unwrap();
        assert_eq!(parsed.unknown_fields, vec!["priority".to_owned()]);
    }

    #[test]
    fn every_broken_field_is_named() {
        assert_eq!(
            broken_fields(json!({})),
            ["query", "source_system", "source_process", "timestamp"]
        );
        assert_eq!(
            broken_fields(json!({
                "query": " ", "source_system": "bad name", "source_process": 7,
                "timestamp": "yesterday", "session_id": ["x"]
            })),
            [
                "query",
                "source_system",
                "source_process",
                "timestamp",
                "session_id"
            ]
        );
    }

    #[test]
    fn a_timestamp_needs_an_offset() {
        let fields = broken_fields(json!({
            "query": "q", "source_system": "a", "source_process": "b",
            "timestamp": "2025-08-13T06:30:00"
        }));
        assert_eq!(fields, ["timestamp"]);
    }

    #[test]
    fn non_json_and_non_objects_are_told_apart() {
        assert!(matches!(
            InboundRequest::parse(b"{not json"),
            Err(RequestError::NotJson(_))
        ));
        assert!(matches!(
            InboundRequest::parse(b"[1,2]"),
            Err(RequestError::NotAnObject)
        ));
    }

    #[test]
    fn a_parsed_request_round_trips_through_serde() {
        let parsed = parse(json!({
            "query": "q", "source_system": "a", "source_process": "b",
            "timestamp": "2025-08-13T06:30:00Z", "session_id": "webhook_1"
        }))
        .unwrap();
        let text = serde_json::to_string(&parsed.request).unwrap();
        let back: InboundRequest = serde_json::from_str(&text).unwrap();
        assert_eq!(back, parsed.request);
        let tampered = text.replace("\"a\"", "\"a b\"");
        assert!(serde_json::from_str::<InboundRequest>(&tampered).is_err());
    }
}
