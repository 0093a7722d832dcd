//! `InboundRequest::parse` on arbitrary bytes (the body of `POST /webhook`): it never
//! panics, and a request it accepts survives the queue: encoded as a queue message and
//! decoded again, it is the same request.

#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use revops_core::{InboundRequest, TrackingId, flows::RequestMessage};

fuzz_target!(|body: &[u8]| {
    let Ok(parsed) = InboundRequest::parse(body) else {
        return;
    };
    let message = RequestMessage {
        tracking_id: "e7aeb7e9-5382-41a5-b858-f8010978cd26"
            .parse::<TrackingId>()
            .expect("a valid tracking id"),
        request: parsed.request,
        queued_at: DateTime::from_timestamp(1_755_163_113, 360_478_000).expect("a valid time"),
    };
    let decoded = RequestMessage::decode(&message.encode())
        .expect("an accepted request must decode from its queue message");
    assert_eq!(
        decoded, message,
        "the queue must not change an accepted request"
    );
});
