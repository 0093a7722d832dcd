//! AWS event-stream frames as Bedrock writes them, encoded with `aws-smithy-eventstream`.
//!
//! An answer chunk is an `event` message with `:event-type` `chunk` and a JSON payload
//! `{"bytes": "<base64>"}`; a step of the orchestration trace is an `event` message with
//! `:event-type` `trace` and the `TracePart` as its JSON payload; an error inside the stream is an `exception` message whose
//! `:exception-type` is the error's name with a lower-case first letter
//! (`throttlingException`) and whose payload is `{"message": "…"}`.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use base64::{Engine, engine::general_purpose::STANDARD};

/// One `chunk` event carrying `bytes` of the answer.
pub fn chunk(bytes: &[u8]) -> Vec<u8> {
    let payload = serde_json::json!({ "bytes": STANDARD.encode(bytes) });
    encode(
        Message::new(payload.to_string().into_bytes())
            .add_header(string_header(":message-type", "event"))
            .add_header(string_header(":event-type", "chunk"))
            .add_header(string_header(":content-type", "application/json")),
    )
}

/// One `trace` event carrying `part`, a `TracePart` in Bedrock's JSON.
pub fn trace(part: &serde_json::Value) -> Vec<u8> {
    encode(
        Message::new(part.to_string().into_bytes())
            .add_header(string_header(":message-type", "event"))
            .add_header(string_header(":event-type", "trace"))
            .add_header(string_header(":content-type", "application/json")),
    )
}

/// One `exception` message, e.g. `throttlingException`.
pub fn exception(exception_type: &'static str, message: &str) -> Vec<u8> {
    let payload = serde_json::json!({ "message": message });
    encode(
        Message::new(payload.to_string().into_bytes())
            .add_header(string_header(":message-type", "exception"))
            .add_header(string_header(":exception-type", exception_type))
            .add_header(string_header(":content-type", "application/json")),
    )
}

fn string_header(name: &'static str, value: &'static str) -> Header {
    Header::new(name, HeaderValue::String(value.into()))
}

fn encode(message: Message) -> Vec<u8> {
    let mut frame = Vec::new();
    write_message_to(&message, &mut frame).unwrap();
    frame
}
