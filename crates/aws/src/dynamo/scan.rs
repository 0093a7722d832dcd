//! Reading the whole table, for the operator's commands: the requests in one status
//! (`revops dlq list`, `revops dlq replay --all`), the receivers' circuits and disabled
//! URLs (`revops receivers`), each a paginated, consistent `Scan` filtered on `kind`. It reads every item (a table of a million requests costs about
//! its size in read units); the hot path never calls it. A status index would make it
//! cheap, at the price of a write to the index on every status change of every request,
//! which the flow of requests would pay for a command run rarely.

use super::{
    DynamoStore,
    item::{self, Item},
};
use crate::errors::describe;
use aws_sdk_dynamodb::types::AttributeValue;
use revops_core::{
    Status, TrackingId,
    ports::{StoreError, TrackingRecord},
};

impl DynamoStore {
    /// Every item `filter` keeps (an expression over `#name`s and `:value`s), read with a
    /// paginated, consistent `Scan` of the whole table.
    pub(super) async fn scan_items(
        &self,
        filter: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut scan = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .filter_expression(filter)
                .set_exclusive_start_key(start.take());
            for (placeholder, name) in names {
                scan = scan.expression_attribute_names(*placeholder, *name);
            }
            for (placeholder, value) in values {
                scan = scan.expression_attribute_values(*placeholder, value.clone());
            }
            let page = scan
                .send()
                .await
                .map_err(|error| StoreError::Unavailable(describe("Scan", &error)))?;
            items.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    /// Every request in `status`, oldest queued first.
    pub(super) async fn scan_status(
        &self,
        status: Status,
    ) -> Result<Vec<TrackingRecord>, StoreError> {
        let items = self
            .scan_items(
                "#kind = :request AND #status = :status",
                &[("#kind", item::KIND), ("#status", item::STATUS)],
                &[
                    (":request", item::string("request")),
                    (":status", item::string(status.as_str())),
                ],
            )
            .await?;
        let mut records = Vec::with_capacity(items.len());
        for found in &items {
            let Some(AttributeValue::S(pk)) = found.get(item::PK) else {
                continue;
            };
            let Some(Ok(id)) = pk.strip_prefix("req#").map(str::parse::<TrackingId>) else {
                continue;
            };
            records.push(item::decode_request(id, found)?);
        }
        records.sort_by_key(|record| record.queued_at);
        Ok(records)
    }
}
