//! What the stand-in answers to one `InvokeAgent` call.

use super::frames;
use axum::{
    body::{Body, Bytes},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures_util::{Stream, StreamExt, stream};
use std::{io, time::Duration};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// `200` and these chunks as `chunk` events, each frame written on its own.
    Chunks(Vec<Vec<u8>>),
    /// `200`, these `trace` events (Bedrock's `TracePart` JSON), then these chunks.
    Traced {
        /// The trace events, in order.
        traces: Vec<serde_json::Value>,
        /// The answer's chunks after them.
        chunks: Vec<Vec<u8>>,
    },
    /// `200`, these chunks, then an exception frame (e.g. `throttlingException`).
    StreamException {
        /// The chunks before the exception.
        chunks: Vec<Vec<u8>>,
        /// The exception's `:exception-type`.
        exception_type: &'static str,
        /// Its message.
        message: String,
    },
    /// An HTTP error: the status, `x-amzn-errortype` and a JSON body with the message.
    HttpError {
        /// The status.
        status: u16,
        /// The error's name, e.g. `ThrottlingException`.
        error_type: &'static str,
        /// Its message.
        message: String,
    },
    /// `200`, these chunks, then half a frame, then the connection dropped or (when
    /// `drop_connection` is false) the body ended as if complete.
    Cut {
        /// The chunks before the cut.
        chunks: Vec<Vec<u8>>,
        /// Whether the connection is dropped (no end of the chunked body).
        drop_connection: bool,
    },
    /// Waits, then answers.
    Slow {
        /// How long to wait before the status line.
        delay: Duration,
        /// The answer after the wait.
        then: Box<Reply>,
    },
}

impl Reply {
    /// An answer made of these text chunks.
    pub fn text(parts: &[&str]) -> Self {
        Reply::Chunks(parts.iter().map(|part| part.as_bytes().to_vec()).collect())
    }

    /// These trace events, then an answer made of these text chunks.
    pub fn traced(traces: Vec<serde_json::Value>, parts: &[&str]) -> Self {
        Reply::Traced {
            traces,
            chunks: parts.iter().map(|part| part.as_bytes().to_vec()).collect(),
        }
    }

    /// An HTTP error.
    pub fn http_error(status: u16, error_type: &'static str, message: &str) -> Self {
        Reply::HttpError {
            status,
            error_type,
            message: message.to_owned(),
        }
    }

    /// An exception frame after these chunks.
    pub fn stream_exception(parts: &[&str], exception_type: &'static str, message: &str) -> Self {
        Reply::StreamException {
            chunks: parts.iter().map(|part| part.as_bytes().to_vec()).collect(),
            exception_type,
            message: message.to_owned(),
        }
    }

    /// A stream cut after these chunks: the connection dropped midway.
    pub fn cut(parts: &[&str]) -> Self {
        Reply::Cut {
            chunks: parts.iter().map(|part| part.as_bytes().to_vec()).collect(),
            drop_connection: true,
        }
    }

    /// A stream that ends cleanly, but with half a frame, after these chunks.
    pub fn truncated(parts: &[&str]) -> Self {
        Reply::Cut {
            chunks: parts.iter().map(|part| part.as_bytes().to_vec()).collect(),
            drop_connection: false,
        }
    }

    /// This reply after `delay`.
    pub fn slow(delay: Duration, then: Reply) -> Self {
        Reply::Slow {
            delay,
            then: Box::new(then),
        }
    }

    /// The HTTP response, once any delay has passed.
    pub fn into_response(self, session_id: &str) -> Response {
        match self {
            Reply::Chunks(chunks) => {
                let frames = chunks.into_iter().map(|c| Ok(frames::chunk(&c)));
                stream_response(session_id, stream::iter(frames))
            }
            Reply::Traced { traces, chunks } => {
                let frames = traces
                    .iter()
                    .map(frames::trace)
                    .chain(chunks.iter().map(|c| frames::chunk(c)))
                    .map(Ok)
                    .collect::<Vec<_>>();
                stream_response(session_id, stream::iter(frames))
            }
            Reply::StreamException {
                chunks,
                exception_type,
                message,
            } => {
                let last = frames::exception(exception_type, &message);
                let frames = chunks.into_iter().map(|c| frames::chunk(&c)).chain([last]);
                stream_response(session_id, stream::iter(frames.map(Ok)))
            }
            Reply::Cut {
                chunks,
                drop_connection,
            } => {
                let whole = frames::chunk(b"never finished");
                let half = whole[..whole.len() / 2].to_vec();
                let sent = chunks.into_iter().map(|c| Ok(frames::chunk(&c)));
                let sent = stream::iter(sent.chain([Ok(half)]));
                if !drop_connection {
                    return stream_response(session_id, sent);
                }
                let body = sent.chain(stream::once(async {
                    // Let the status line and the frames go out before the cut.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(io::Error::new(io::ErrorKind::ConnectionReset, "cut"))
                }));
                stream_response(session_id, body)
            }
            Reply::HttpError {
                status,
                error_type,
                message,
            } => {
                let status = StatusCode::from_u16(status).unwrap();
                let body = serde_json::json!({ "message": message }).to_string();
                (
                    status,
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        (
                            header::HeaderName::from_static("x-amzn-errortype"),
                            error_type,
                        ),
                        (
                            header::HeaderName::from_static("x-amzn-requestid"),
                            "test-request",
                        ),
                    ],
                    body,
                )
                    .into_response()
            }
            Reply::Slow { then, .. } => then.into_response(session_id),
        }
    }
}

fn stream_response(
    session_id: &str,
    frames: impl Stream<Item = io::Result<Vec<u8>>> + Send + 'static,
) -> Response {
    let body = Body::from_stream(frames.map(|frame| frame.map(Bytes::from)));
    let mut response = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/vnd.amazon.eventstream"),
            (
                header::HeaderName::from_static("x-amzn-bedrock-agent-content-type"),
                "application/json",
            ),
            (
                header::HeaderName::from_static("x-amzn-requestid"),
                "test-request",
            ),
        ],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(session_id) {
        response
            .headers_mut()
            .insert("x-amz-bedrock-agent-session-id", value);
    }
    response
}
