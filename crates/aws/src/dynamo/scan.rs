//! The requests in one status, for the operator's commands (`revops dlq list`,
//! `revops dlq replay --all`): a paginated, consistent `Scan` of the table filtered on
//! `kind` and `status`. It reads every item (a table of a million requests costs about
//! its size in read units); the hot path never calls it. A status index would make it
//! cheap, at the price of a write to the index on every status change of every request,
//! which the flow of requests would pay for a command run rarely.

use super::{DynamoStore, item};
use crate::errors::describe;
use aws_sdk_dynamodb::types::AttributeValue;
use revops_core::{
    Status, TrackingId,
    ports::{StoreError, TrackingRecord},
};

impl DynamoStore {
    /// Every request in `status`, oldest queued first.
    pub(super) async fn scan_status(
        &self,
        status: Status,
    ) -> Result<Vec<TrackingRecord>, StoreError> {
        let mut records = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .filter_expression("#kind = :request AND #status = :status")
                .expression_attribute_names("#kind", item::KIND)
                .expression_attribute_names("#status", item::STATUS)
                .expression_attribute_values(":request", item::string("request"))
                .expression_attribute_values(":status", item::string(status.as_str()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|error| StoreError::Unavailable(describe("Scan", &error)))?;
            for found in page.items() {
                let Some(AttributeValue::S(pk)) = found.get(item::PK) else {
                    continue;
                };
                let Some(Ok(id)) = pk.strip_prefix("req#").map(str::parse::<TrackingId>) else {
                    continue;
                };
                records.push(item::decode_request(id, found)?);
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        records.sort_by_key(|record| record.queued_at);
        Ok(records)
    }
}
