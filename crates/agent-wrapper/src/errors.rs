//! How Bedrock's failures map onto [`AgentError`]: throttling (HTTP 429, a
//! `ThrottlingException` or `ServiceQuotaExceededException`, as a response or as a frame
//! of the stream) is `Throttled`; server-side trouble, connection errors and a stream cut
//! midway are `Unavailable`; a request Bedrock refuses for good (`ValidationException`,
//! `AccessDeniedException`, `ResourceNotFoundException`, `ConflictException`) is
//! `Rejected`.
//!
//! The messages hold the error's name, the service's message and the HTTP status, never
//! the request (so never a credential or a signature).

use aws_sdk_bedrockagentruntime::{
    error::{ProvideErrorMetadata, SdkError},
    operation::invoke_agent::InvokeAgentError,
    types::error::ResponseStreamError,
};
use revops_core::ports::AgentError;
use std::time::Duration;

/// The longest message kept from the service, in characters.
const MAX_MESSAGE_CHARS: usize = 500;

/// What a failure means, before it gets its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Throttled,
    Unavailable,
    Rejected,
}

/// Maps a failed `InvokeAgent` call (before its stream) to an [`AgentError`].
pub(crate) fn from_invoke_error(error: SdkError<InvokeAgentError>) -> AgentError {
    match &error {
        SdkError::ServiceError(context) => {
            let service = context.err();
            let status = context.raw().status().as_u16();
            let retry_after = context
                .raw()
                .headers()
                .get("retry-after")
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let (kind, name) = match invoke_kind(service) {
                Some((kind, name)) => (kind, name.to_owned()),
                None => (
                    status_kind(status),
                    service.code().unwrap_or("unrecognised error").to_owned(),
                ),
            };
            let message = describe(&format!("{name} (HTTP {status})"), service.message());
            build(kind, message, retry_after)
        }
        SdkError::ConstructionFailure(_) => AgentError::Rejected(describe(
            "the request could not be built",
            Some(&causes(&error)),
        )),
        SdkError::DispatchFailure(_) => {
            AgentError::Unavailable(describe("no response from Bedrock", Some(&causes(&error))))
        }
        _ => AgentError::Unavailable(describe(
            "Bedrock's response could not be read",
            Some(&causes(&error)),
        )),
    }
}

/// Maps an error read from the answer's event stream to an [`AgentError`].
pub(crate) fn from_stream_error<R: std::fmt::Debug>(
    error: SdkError<ResponseStreamError, R>,
) -> AgentError {
    match &error {
        SdkError::ServiceError(context) => {
            let service = context.err();
            let (kind, name) = match stream_kind(service) {
                Some((kind, name)) => (kind, name.to_owned()),
                None => (
                    Kind::Unavailable,
                    service
                        .code()
                        .unwrap_or("unrecognised exception")
                        .to_owned(),
                ),
            };
            let message = describe(&format!("{name} in the agent's stream"), service.message());
            build(kind, message, None)
        }
        _ => AgentError::Unavailable(describe(
            "the agent's stream was cut",
            Some(&causes(&error)),
        )),
    }
}

/// The exceptions Bedrock models, the same on the call and inside the stream, read
/// from either error type.
macro_rules! modelled_kind {
    ($error:expr, $type:ident) => {{
        use $type as E;
        Some(match $error {
            E::ThrottlingException(_) => (Kind::Throttled, "ThrottlingException"),
            E::ServiceQuotaExceededException(_) => {
                (Kind::Throttled, "ServiceQuotaExceededException")
            }
            E::InternalServerException(_) => (Kind::Unavailable, "InternalServerException"),
            E::BadGatewayException(_) => (Kind::Unavailable, "BadGatewayException"),
            E::DependencyFailedException(_) => (Kind::Unavailable, "DependencyFailedException"),
            E::ModelNotReadyException(_) => (Kind::Unavailable, "ModelNotReadyException"),
            E::ValidationException(_) => (Kind::Rejected, "ValidationException"),
            E::AccessDeniedException(_) => (Kind::Rejected, "AccessDeniedException"),
            E::ResourceNotFoundException(_) => (Kind::Rejected, "ResourceNotFoundException"),
            E::ConflictException(_) => (Kind::Rejected, "ConflictException"),
            _ => return None,
        })
    }};
}

fn invoke_kind(error: &InvokeAgentError) -> Option<(Kind, &'static str)> {
    modelled_kind!(error, InvokeAgentError)
}

fn stream_kind(error: &ResponseStreamError) -> Option<(Kind, &'static str)> {
    modelled_kind!(error, ResponseStreamError)
}

/// An error the SDK does not model, read from its HTTP status.
fn status_kind(status: u16) -> Kind {
    match status {
        429 => Kind::Throttled,
        408 => Kind::Unavailable,
        400..=499 => Kind::Rejected,
        _ => Kind::Unavailable,
    }
}

fn build(kind: Kind, message: String, retry_after: Option<Duration>) -> AgentError {
    match kind {
        Kind::Throttled => {
            tracing::info!(detail = %message, ?retry_after, "Bedrock throttled the call");
            AgentError::Throttled { retry_after }
        }
        Kind::Unavailable => AgentError::Unavailable(message),
        Kind::Rejected => AgentError::Rejected(message),
    }
}

/// The error and its sources, `: `-separated (without the `Debug` forms, which say more
/// than a message needs).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `what: detail`, the detail cut to [`MAX_MESSAGE_CHARS`].
fn describe(what: &str, detail: Option<&str>) -> String {
    match detail.map(str::trim).filter(|detail| !detail.is_empty()) {
        None => what.to_owned(),
        Some(detail) if detail.chars().count() > MAX_MESSAGE_CHARS => {
            let cut: String = detail.chars().take(MAX_MESSAGE_CHARS).collect();
            format!("{what}: {cut}…")
        }
        Some(detail) => format!("{what}: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_bedrockagentruntime::types::error::{ThrottlingException, ValidationException};

    #[test]
    fn modelled_errors_have_their_kind() {
        let throttled = InvokeAgentError::ThrottlingException(
            ThrottlingException::builder().message("slow down").build(),
        );
        assert_eq!(
            invoke_kind(&throttled),
            Some((Kind::Throttled, "ThrottlingException"))
        );
        let invalid = ResponseStreamError::ValidationException(
            ValidationException::builder().message("bad").build(),
        );
        assert_eq!(
            stream_kind(&invalid),
            Some((Kind::Rejected, "ValidationException"))
        );
    }

    #[test]
    fn unmodelled_errors_follow_their_status() {
        assert_eq!(status_kind(429), Kind::Throttled);
        assert_eq!(status_kind(503), Kind::Unavailable);
        assert_eq!(status_kind(408), Kind::Unavailable);
        assert_eq!(status_kind(403), Kind::Rejected);
    }

    #[test]
    fn long_details_are_cut() {
        let detail = "é".repeat(MAX_MESSAGE_CHARS + 10);
        let message = describe("X", Some(&detail));
        assert_eq!(message.chars().count(), 3 + MAX_MESSAGE_CHARS + 1);
        assert_eq!(describe("X", Some("  ")), "X");
    }
}
