//! Reading and writing the CBOR values of CloudWatch's rpc-v2 protocol.

use ciborium::Value;

/// The field `key` of a CBOR map.
pub fn get<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?
        .iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
}

/// A text field.
pub fn text(map: &Value, key: &str) -> Option<String> {
    get(map, key).and_then(Value::as_text).map(str::to_owned)
}

/// A list of texts.
pub fn texts(map: &Value, key: &str) -> Vec<String> {
    get(map, key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_text().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A number field (integer or float).
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(n) => i128::from(*n).to_string().parse().ok(),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A timestamp (tag 1, epoch seconds) in milliseconds.
pub fn timestamp_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Tag(1, inner) => number(inner).map(|s| (s * 1000.0).round() as i64),
        _ => None,
    }
}

/// A timestamp value (tag 1, epoch seconds).
pub fn timestamp(ms: i64) -> Value {
    Value::Tag(1, Box::new(Value::Float(ms as f64 / 1000.0)))
}

/// A map from pairs.
pub fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(
        pairs
            .into_iter()
            .map(|(k, v)| (Value::Text(k.to_owned()), v))
            .collect(),
    )
}

/// `map` with `key` set to `value`.
pub fn with(mut map: Value, key: &str, value: Value) -> Value {
    if let Value::Map(pairs) = &mut map {
        pairs.retain(|(k, _)| k.as_text() != Some(key));
        pairs.push((Value::Text(key.to_owned()), value));
    }
    map
}

/// `map` without `key`.
pub fn without(mut map: Value, key: &str) -> Value {
    if let Value::Map(pairs) = &mut map {
        pairs.retain(|(k, _)| k.as_text() != Some(key));
    }
    map
}

/// Decodes a request body (empty: an empty map).
pub fn decode(body: &[u8]) -> Result<Value, String> {
    if body.is_empty() {
        return Ok(Value::Map(Vec::new()));
    }
    ciborium::de::from_reader(body).map_err(|e| format!("not CBOR: {e}"))
}

/// Encodes a response body.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("a CBOR value encodes");
    out
}
