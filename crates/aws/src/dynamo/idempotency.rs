//! Idempotency keys: the first request with a given `(source_system, key)` claims it for
//! its tracking id; a repeat within 24 hours learns that id instead of making a new
//! request. One conditional put decides, so two racing requests cannot both win.

use super::{
    conditional,
    item::{self, Item},
    store::DynamoStore,
};
use crate::errors::describe;
use aws_sdk_dynamodb::{
    operation::put_item::PutItemError, types::ReturnValuesOnConditionCheckFailure,
};
use chrono::{DateTime, Utc};
use revops_core::{TrackingId, ports::StoreError};
use std::{collections::HashMap, time::Duration};

/// How long an idempotency key is held.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

pub use revops_core::ports::IdempotencyClaim;

impl DynamoStore {
    /// Claims `key` of `source_system` for `tracking_id` at `now`, for 24 hours. A key
    /// whose 24 hours have passed is free again, even while DynamoDB has not yet deleted
    /// its item.
    pub async fn claim_idempotency_key(
        &self,
        source_system: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError> {
        let pk = item::idempotency_key(source_system, key);
        let claim: Item = HashMap::from([
            (item::PK.to_owned(), pk.clone()),
            (item::KIND.to_owned(), item::string("idempotency")),
            (
                item::TRACKING_ID.to_owned(),
                item::string(tracking_id.to_string()),
            ),
            (item::CREATED_AT.to_owned(), item::time(now)),
            (item::TTL.to_owned(), item::expiry(now, IDEMPOTENCY_TTL)),
        ]);
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(claim))
            .condition_expression("attribute_not_exists(pk) OR #ttl < :now")
            .expression_attribute_names("#ttl", item::TTL)
            .expression_attribute_values(":now", item::number(now.timestamp()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let error = match written {
            Ok(_) => return Ok(IdempotencyClaim::New),
            Err(error) => error,
        };
        let holder = match error.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                failed.item.clone().filter(|item| !item.is_empty())
            }
            _ => return Err(StoreError::Unavailable(describe("PutItem", &error))),
        };
        let holder = match holder {
            Some(holder) => holder,
            None => self.item(pk).await?.ok_or_else(|| {
                StoreError::Unavailable(
                    "the idempotency key expired while it was being claimed; try again".into(),
                )
            })?,
        };
        Ok(IdempotencyClaim::Existing(item::claimed_tracking_id(
            &holder,
        )?))
    }

    /// Deletes the claim on `key` if it still names `tracking_id`.
    pub async fn release_idempotency_key(
        &self,
        source_system: &str,
        key: &str,
        tracking_id: &TrackingId,
    ) -> Result<(), StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(item::PK, item::idempotency_key(source_system, key))
            .condition_expression("#tid = :tid")
            .expression_attribute_names("#tid", item::TRACKING_ID)
            .expression_attribute_values(":tid", item::string(tracking_id.to_string()))
            .send()
            .await;
        conditional::outcome(deleted, "DeleteItem", Ok(()))
    }
}
