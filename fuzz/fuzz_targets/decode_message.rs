//! `RequestMessage::decode` on an arbitrary queue message (body and attributes): it never
//! panics, and what it accepts is a request the gateway itself would accept, and encodes
//! to a message that decodes to the same thing.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use revops_core::{InboundRequest, flows::RequestMessage, ports::QueueMessage};

/// A queue message as the queue would hand it over; the body takes the remaining bytes.
#[derive(Debug, Arbitrary)]
struct Input {
    attributes: Vec<(String, String)>,
    body: String,
}

fuzz_target!(|input: Input| {
    let message = QueueMessage {
        body: input.body,
        attributes: input.attributes.into_iter().collect(),
    };
    let Ok(decoded) = RequestMessage::decode(&message) else {
        return;
    };
    let again = RequestMessage::decode(&decoded.encode())
        .expect("a decoded message must decode again once re-encoded");
    assert_eq!(again, decoded, "re-encoding must not change a message");
    let request = serde_json::to_vec(&decoded.request).expect("a request serialises");
    let parsed = InboundRequest::parse(&request)
        .expect("a request from the queue must pass the gateway's own parser");
    assert_eq!(parsed.request, decoded.request);
});
