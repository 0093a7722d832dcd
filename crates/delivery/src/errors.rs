//! Failures in the words of the status timeline: reqwest's errors become
//! [`DeliveryError`]s that name the target and, briefly, the cause.
//! No message here ever holds a secret or a signature.

use revops_core::ports::{DeliveryError, DeliveryErrorKind};
use std::{error::Error as _, io, time::Duration};

/// The HTTP client could not be built (for example, an invalid `user-agent`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not build the webhook HTTP client: {message}")]
pub struct BuildError {
    message: String,
}

impl From<reqwest::Error> for BuildError {
    fn from(error: reqwest::Error) -> Self {
        let mut message = error.to_string();
        if let Some(source) = error.source() {
            message = format!("{message}: {}", causes(source));
        }
        Self { message }
    }
}

impl From<revops_core::config::ConfigError> for BuildError {
    fn from(error: revops_core::config::ConfigError) -> Self {
        Self {
            message: error.to_string(),
        }
    }
}

/// At most this many links of an error's cause chain go into a message.
const MAX_CAUSES: usize = 4;

/// At most this many characters of one cause go into a message.
const MAX_CAUSE_CHARS: usize = 200;

/// A target that is refused before anything is sent.
pub(crate) fn refused(target: &str, reason: impl std::fmt::Display) -> DeliveryError {
    DeliveryError::new(
        DeliveryErrorKind::Refused,
        format!("cannot deliver to {target}: {reason}"),
    )
}

/// The time limits an attempt runs under, for the messages that name them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The whole attempt.
    pub(crate) attempt: Duration,
    /// Making the connection.
    pub(crate) connect: Duration,
}

/// The guard's refusal, if it is somewhere in the error's cause chain.
fn refused_address_in(error: &reqwest::Error) -> Option<crate::AddressRefused> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<crate::AddressRefused>() {
            return Some(refused.clone());
        }
        cause = current.source();
    }
    None
}

/// Classifies a failed send to `target`.
pub(crate) fn from_reqwest(error: &reqwest::Error, target: &str, limits: Limits) -> DeliveryError {
    use DeliveryErrorKind::{Connect, Other, Refused, Timeout};
    let refused_address = refused_address_in(error);
    let (kind, message) = if let Some(refused_address) = refused_address {
        (
            Refused,
            format!("cannot deliver to {target}: {refused_address}"),
        )
    } else if error.is_builder() {
        (
            Refused,
            format!("cannot deliver to {target}: {}", causes_of(error)),
        )
    } else if error.is_connect() {
        let message = if error.is_timeout() {
            format!("no connection to {target} within {}", human(limits.connect))
        } else if is_connection_refused(error) {
            format!("connection refused by {target}")
        } else if error.is_dns() {
            format!(
                "could not resolve the host of {target}: {}",
                root_cause(error)
            )
        } else {
            format!("could not connect to {target}: {}", root_cause(error))
        };
        (Connect, message)
    } else if error.is_timeout() {
        (
            Timeout,
            format!("no answer from {target} within {}", human(limits.attempt)),
        )
    } else {
        (
            Other,
            format!("sending to {target} failed: {}", causes_of(error)),
        )
    };
    DeliveryError::new(kind, message)
}

/// Whether the peer actively refused the connection.
fn is_connection_refused(error: &reqwest::Error) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// What lies under reqwest's own words (which repeat the URL), or those words when
/// nothing does.
fn causes_of(error: &reqwest::Error) -> String {
    error.source().map_or_else(|| error.to_string(), causes)
}

/// The innermost cause, which names what actually happened ("Name or service not
/// known"), without the wrappers' generic words.
fn root_cause(error: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    clip(&innermost.to_string())
}

/// `first` and its causes, outermost first, joined by ": ", briefly: a cause whose
/// text the previous one already contains is skipped.
fn causes(first: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(first);
    while let Some(cause) = next {
        if parts.len() == MAX_CAUSES {
            break;
        }
        let text = clip(&cause.to_string());
        let repeated = parts.last().is_some_and(|last| last.contains(&text));
        if !text.is_empty() && !repeated {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

/// At most [`MAX_CAUSE_CHARS`] characters of one cause.
fn clip(text: &str) -> String {
    text.chars().take(MAX_CAUSE_CHARS).collect()
}

/// A time limit as people write it: "30 s", "300 ms".
fn human(limit: Duration) -> String {
    if limit.subsec_nanos() == 0 {
        format!("{} s", limit.as_secs())
    } else {
        format!("{} ms", limit.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    /// An error with a fixed text and an optional cause.
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|layer| layer as _)
        }
    }

    fn chain(texts: &[&'static str]) -> Layer {
        texts
            .iter()
            .rev()
            .fold(None, |cause, text| Some(Layer(text, cause.map(Box::new))))
            .unwrap()
    }

    #[test]
    fn cause_chains_are_brief() {
        let repeated = chain(&[
            "sending failed: connection reset",
            "connection reset",
            "os error 104",
        ]);
        assert_eq!(
            causes(&repeated),
            "sending failed: connection reset: os error 104"
        );
        let long = chain(&["a", "b", "c", "d", "e", "f"]);
        assert_eq!(causes(&long), "a: b: c: d");
        assert_eq!(clip(&"z".repeat(500)).len(), MAX_CAUSE_CHARS);
    }

    #[test]
    fn time_limits_read_naturally() {
        assert_eq!(human(Duration::from_secs(30)), "30 s");
        assert_eq!(human(Duration::from_millis(300)), "300 ms");
        assert_eq!(human(Duration::from_millis(1500)), "1500 ms");
    }
}
