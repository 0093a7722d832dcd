//! Conditional writes: DynamoDB refuses one whose condition fails with
//! `ConditionalCheckFailedException`, which each caller reads in its own way (nothing to
//! do, or "no such record"); any other failure means the store is unavailable.

use crate::errors::describe;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use revops_core::ports::StoreError;

/// Whether a conditional write was made (`true`) or its condition failed (`false`);
/// `Unavailable` on any other failure.
pub(super) fn written<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    operation: &str,
) -> Result<bool, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(error) if is_refusal(&error) => Ok(false),
        Err(error) => Err(StoreError::Unavailable(describe(operation, &error))),
    }
}

/// Whether `error` is a failed condition.
fn is_refusal<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}

/// The outcome of a conditional write: `Ok` when written, `when_refused` when its
/// condition failed, `Unavailable` otherwise.
pub(super) fn outcome<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    operation: &str,
    when_refused: Result<(), StoreError>,
) -> Result<(), StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(()),
        Err(error) if is_refusal(&error) => when_refused,
        Err(error) => Err(StoreError::Unavailable(describe(operation, &error))),
    }
}
