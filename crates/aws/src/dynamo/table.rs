//! Creating the table for tests and development (the SAM template defines it for real):
//! partition key `pk` (S), on-demand billing, TTL on `ttl`.

use super::item;
use crate::errors::describe;
use aws_sdk_dynamodb::{
    Client,
    types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
    },
};
use revops_core::ports::StoreError;
use std::time::Duration;

/// How long to wait for a new table to become active.
const ACTIVE_WITHIN: Duration = Duration::from_secs(120);

fn unavailable(detail: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(detail.to_string())
}

/// Creates `table` unless it exists, waits until it is active, and turns on TTL on the
/// `ttl` attribute unless it is on already.
pub async fn create_table_if_missing(client: &Client, table: &str) -> Result<(), StoreError> {
    if table_status(client, table).await?.is_none() {
        let created = client
            .create_table()
            .table_name(table)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(item::PK)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(unavailable)?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(item::PK)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(unavailable)?,
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        if let Err(error) = created {
            let raced = error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception());
            if !raced {
                return Err(unavailable(describe("CreateTable", &error)));
            }
        }
    }
    wait_until_active(client, table).await?;
    enable_ttl(client, table).await
}

/// The table's status, or `None` when there is no such table.
async fn table_status(client: &Client, table: &str) -> Result<Option<TableStatus>, StoreError> {
    match client.describe_table().table_name(table).send().await {
        Ok(answer) => Ok(answer
            .table
            .and_then(|t| t.table_status)
            .or(Some(TableStatus::Active))),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(error) => Err(unavailable(describe("DescribeTable", &error))),
    }
}

async fn wait_until_active(client: &Client, table: &str) -> Result<(), StoreError> {
    let deadline = tokio::time::Instant::now() + ACTIVE_WITHIN;
    loop {
        if table_status(client, table).await? == Some(TableStatus::Active) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(unavailable(format!(
                "table {table} not active within {ACTIVE_WITHIN:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn enable_ttl(client: &Client, table: &str) -> Result<(), StoreError> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|error| unavailable(describe("DescribeTimeToLive", &error)))?;
    let on = current
        .time_to_live_description
        .and_then(|d| d.time_to_live_status)
        .is_some_and(|s| matches!(s, TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling));
    if on {
        return Ok(());
    }
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(item::TTL)
                .build()
                .map_err(unavailable)?,
        )
        .send()
        .await
        .map_err(|error| unavailable(describe("UpdateTimeToLive", &error)))?;
    Ok(())
}
