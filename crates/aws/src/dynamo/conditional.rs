//! Conditional writes: DynamoDB refuses one whose condition fails with
//! `ConditionalCheckFailedException`, which each caller reads in its own way (nothing to
//! do, or "no such record"); any other failure means the store is unavailable.

use crate::errors::describe;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use revops_core::ports::StoreError;

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
        Err(error)
            if error
                .as_service_error()
                .and_then(ProvideErrorMetadata::code)
                == Some("ConditionalCheckFailedException") =>
        {
            when_refused
        }
        Err(error) => Err(StoreError::Unavailable(describe(operation, &error))),
    }
}
