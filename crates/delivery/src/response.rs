//! A receiver's answer: reading a bounded part of its body, and describing a status
//! that is not 2xx as a [`DeliveryError`].

use crate::retry_after::parse_retry_after;
use reqwest::{
    StatusCode,
    header::{HeaderMap, LOCATION, RETRY_AFTER},
};
use revops_core::ports::{DeliveryError, DeliveryErrorKind};
use std::time::SystemTime;

/// At most this many characters of the response body go into a message.
const EXCERPT_CHARS: usize = 200;

/// Reads at most `max` bytes of the body. A body that cannot be read (cut off, too
/// slow) yields what arrived; the status has already said what matters.
pub(crate) async fn read_capped(response: &mut reqwest::Response, max: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < max {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// The failure a non-2xx answer from `target` is, e.g.
/// `HTTP 503 Service Unavailable from https://x/hook: try later`.
pub(crate) fn status_error(
    target: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> DeliveryError {
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, now));

    let mut message = format!("HTTP {}", status.as_u16());
    if let Some(reason) = status.canonical_reason() {
        message.push(' ');
        message.push_str(reason);
    }
    message.push_str(" from ");
    message.push_str(target);
    if status.is_redirection() {
        match headers.get(LOCATION).map(|value| excerpt(value.as_bytes())) {
            Some(location) if !location.is_empty() => {
                message.push_str(&format!(" (redirect to {location} not followed)"));
            }
            _ => message.push_str(" (redirect not followed)"),
        }
    }
    let body = excerpt(body);
    if !body.is_empty() {
        message.push_str(": ");
        message.push_str(&body);
    }

    DeliveryError::new(
        DeliveryErrorKind::Status {
            code: status.as_u16(),
            retry_after,
        },
        message,
    )
}

/// The start of `bytes` as one tidy line: invalid UTF-8 replaced, control characters
/// and runs of white space made single spaces, cut at [`EXCERPT_CHARS`] with "…".
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::time::Duration;

    fn error(code: u16, headers: &[(&'static str, &'static str)], body: &[u8]) -> DeliveryError {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        let status = StatusCode::from_u16(code).unwrap();
        status_error("http://x/hook", status, &map, body, SystemTime::UNIX_EPOCH)
    }

    #[test]
    fn names_the_status_the_target_and_the_body() {
        let e = error(503, &[("retry-after", "7")], b"  try\n\tlater ");
        assert_eq!(
            e.message,
            "HTTP 503 Service Unavailable from http://x/hook: try later"
        );
        assert_eq!(
            e.kind,
            DeliveryErrorKind::Status {
                code: 503,
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            error(500, &[], b"").message,
            "HTTP 500 Internal Server Error from http://x/hook"
        );
        assert_eq!(error(599, &[], b"").message, "HTTP 599 from http://x/hook");
    }

    #[test]
    fn redirects_say_they_were_not_followed() {
        let e = error(302, &[("location", "http://elsewhere/")], b"");
        assert_eq!(
            e.message,
            "HTTP 302 Found from http://x/hook (redirect to http://elsewhere/ not followed)"
        );
        let e = error(301, &[], b"moved");
        assert_eq!(
            e.message,
            "HTTP 301 Moved Permanently from http://x/hook (redirect not followed): moved"
        );
    }

    #[test]
    fn long_or_binary_bodies_are_cut_and_cleaned() {
        let long = "x".repeat(1000);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&[b'o', b'k', 0xff, 0, b'!']), "ok\u{fffd} !");
        let exact = "y".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(exact.as_bytes()), exact);
        assert_eq!(
            excerpt(format!("{exact} more").as_bytes()),
            format!("{exact}…")
        );
    }
}
