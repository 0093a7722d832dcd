//! How SDK errors are described: the operation, the service's error code and message, or
//! the transport failure. The SDK's errors and metadata types are the same smithy types
//! in every service crate, so one description serves SQS, DynamoDB and S3.

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// A one-line description of a failed call, fit for logs and status timelines: it holds
/// no credentials (the SDK never puts them in errors) and no request bodies.
pub fn describe<E, R>(operation: &str, error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.as_service_error() {
        Some(service) => format!(
            "{operation}: {}: {}",
            service.code().unwrap_or("unknown error"),
            service.message().unwrap_or("no message")
        ),
        None => format!("{operation}: {}", DisplayErrorContext(error)),
    }
}
