//! [`DynamoStore`]: the tracking store on DynamoDB, one item per request (layout in the
//! module above). Every write is a single conditional request, so it is atomic:
//!
//! - `create` puts the item if `pk` does not exist yet (a duplicate changes nothing);
//! - `update` sets the status, appends the event with `list_append`, and sets or removes
//!   the rest, on condition that the item exists (else `NotFound`);
//! - `claim` sets the lease, with the status change that comes with it if any, on
//!   condition that the item exists and nobody else holds an unexpired lease; `release`
//!   removes it on condition that the owner still holds it;
//! - `reopen` changes the status and removes the lease on condition that the timeline
//!   still has the steps the caller saw.
//!
//! `in_status` scans the table (see `scan.rs`): it is for the operator's commands.
//!
//! Reads are strongly consistent, so a status written by one handler is read by the
//! next.

use super::{
    conditional,
    item::{self, Item},
};
use crate::errors::describe;
use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    operation::update_item::builders::UpdateItemFluentBuilder,
    types::{AttributeValue, ReturnValuesOnConditionCheckFailure},
};
use chrono::{DateTime, Utc};
use revops_core::{
    Status, TrackingId,
    ports::{IdempotencyClaim, NewRecord, StatusUpdate, StoreError, TrackingRecord, TrackingStore},
};
use std::{collections::HashMap, time::Duration};

/// How long a request's item is kept after its last change, unless configured.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The tracking store (and the idempotency keys) on one DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    pub(super) client: Client,
    pub(super) table: String,
    retention: Duration,
}

/// An update expression under construction: its clauses, names and values.
#[derive(Default)]
struct Expression {
    set: Vec<String>,
    remove: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    /// `#name`, registered.
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// `:name`, registered with `value`.
    fn value(&mut self, name: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{name}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `SET #attribute = :attribute`.
    fn set(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.name(attribute);
        let value = self.value(attribute, value);
        self.set.push(format!("{name} = {value}"));
    }

    /// `REMOVE #attribute`.
    fn remove(&mut self, attribute: &str) {
        let name = self.name(attribute);
        self.remove.push(name);
    }

    /// The update expression.
    fn update_expression(&self) -> String {
        let mut clauses = Vec::new();
        if !self.set.is_empty() {
            clauses.push(format!("SET {}", self.set.join(", ")));
        }
        if !self.remove.is_empty() {
            clauses.push(format!("REMOVE {}", self.remove.join(", ")));
        }
        clauses.join(" ")
    }
}

impl DynamoStore {
    /// The store on `table`, keeping requests for [`DEFAULT_RETENTION`].
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            retention: DEFAULT_RETENTION,
        }
    }

    /// With another retention: how long after its last change a request's item expires.
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The table's name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// An `UpdateItem` of the request `id`'s item: `expression`'s changes, made only if
    /// `condition` holds.
    fn update_request(
        &self,
        id: &TrackingId,
        expression: Expression,
        condition: String,
    ) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(item::PK, item::request_key(id))
            .update_expression(expression.update_expression())
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expression.names))
            .set_expression_attribute_values(Some(expression.values))
    }

    /// Adds `update`'s changes to `expression`: the status, the timeline entries (with
    /// `list_append`), the expiry, and the rest where given.
    fn change_status(
        &self,
        expression: &mut Expression,
        update: &StatusUpdate,
    ) -> Result<(), StoreError> {
        expression.set(item::STATUS, item::string(update.status.as_str()));
        let events = expression.name(item::EVENTS);
        let event = expression.value(
            "event",
            AttributeValue::L(
                update
                    .events()
                    .map(|event| item::event(event.status, event.at, event.detail.as_deref()))
                    .collect(),
            ),
        );
        let empty = expression.value("empty", AttributeValue::L(Vec::new()));
        expression.set.push(format!(
            "{events} = list_append(if_not_exists({events}, {empty}), {event})"
        ));
        expression.set(item::TTL, item::expiry(update.at, self.retention));
        if let Some(answer) = &update.answer {
            expression.set(item::ANSWER, item::answer(answer)?);
        }
        if let Some(attempts) = update.attempts {
            expression.set(item::ATTEMPTS, item::number(attempts));
        }
        if let Some(category) = update.category {
            expression.set(item::CATEGORY, item::string(category.as_str()));
        }
        if let Some(calls) = update.agent_calls {
            expression.set(item::AGENT_CALLS, item::number(calls));
        }
        match &update.last_error {
            Some(Some(error)) => expression.set(item::LAST_ERROR, item::string(error.as_str())),
            Some(None) => expression.remove(item::LAST_ERROR),
            None => {}
        }
        if !update.delivery_attempts.is_empty() {
            let attempts = expression.name(item::DELIVERY_ATTEMPTS);
            let appended = expression.value(
                "attempts_ended",
                AttributeValue::L(
                    update
                        .delivery_attempts
                        .iter()
                        .map(item::delivery_attempt)
                        .collect(),
                ),
            );
            let empty = expression.value("empty", AttributeValue::L(Vec::new()));
            expression.set.push(format!(
                "{attempts} = list_append(if_not_exists({attempts}, {empty}), {appended})"
            ));
        }
        if let Some(request) = &update.request {
            let json = serde_json::to_string(request).expect("a request always serialises");
            expression.set(item::REQUEST, item::string(json));
        }
        match update.next_attempt_at {
            Some(Some(at)) => expression.set(item::NEXT_ATTEMPT_AT, item::time(at)),
            Some(None) => expression.remove(item::NEXT_ATTEMPT_AT),
            None => {}
        }
        Ok(())
    }

    /// The item with key `pk`, read consistently.
    pub(super) async fn item(&self, pk: AttributeValue) -> Result<Option<Item>, StoreError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(item::PK, pk)
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| StoreError::Unavailable(describe("GetItem", &error)))?;
        Ok(answer.item)
    }
}

#[async_trait]
impl TrackingStore for DynamoStore {
    async fn create(&self, record: NewRecord) -> Result<(), StoreError> {
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item::new_request(&record, self.retention)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional::outcome(written, "PutItem", Ok(()))
    }

    async fn get(&self, id: &TrackingId) -> Result<Option<TrackingRecord>, StoreError> {
        self.item(item::request_key(id))
            .await?
            .map(|found| item::decode_request(*id, &found))
            .transpose()
    }

    async fn update(&self, id: &TrackingId, update: StatusUpdate) -> Result<(), StoreError> {
        let mut expression = Expression::default();
        self.change_status(&mut expression, &update)?;
        let written = self
            .update_request(id, expression, "attribute_exists(pk)".to_owned())
            .send()
            .await;
        conditional::outcome(written, "UpdateItem", Err(StoreError::NotFound(*id)))
    }

    async fn claim(
        &self,
        id: &TrackingId,
        owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        entering: Option<StatusUpdate>,
        steps_seen: Option<usize>,
    ) -> Result<bool, StoreError> {
        let mut expression = Expression::default();
        if let Some(update) = &entering {
            self.change_status(&mut expression, update)?;
        }
        expression.set(item::LEASE_OWNER, item::string(owner));
        expression.set(item::LEASE_UNTIL, item::number(until.timestamp_micros()));
        let now = expression.value("now", item::number(now.timestamp_micros()));
        let mut condition = format!(
            "attribute_exists(pk) AND (attribute_not_exists(#{holder}) OR #{holder} = :{holder} \
             OR #{ends} < {now})",
            holder = item::LEASE_OWNER,
            ends = item::LEASE_UNTIL,
        );
        if let Some(steps) = steps_seen {
            let events = expression.name(item::EVENTS);
            let steps = expression.value("steps_seen", item::number(steps));
            condition.push_str(&format!(" AND size({events}) = {steps}"));
        }
        let written = self
            .update_request(id, expression, condition)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let error = match written {
            Ok(_) => return Ok(true),
            Err(error) => error,
        };
        let Some(refused) = error
            .as_service_error()
            .filter(|e| e.is_conditional_check_failed_exception())
        else {
            return Err(StoreError::Unavailable(describe("UpdateItem", &error)));
        };
        // The condition failed: someone else holds the lease, or there is no item. The
        // old item tells which; where it is not returned, a read does.
        let exists = match refused {
            aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                failed,
            ) if failed.item.as_ref().is_some_and(|item| !item.is_empty()) => true,
            _ => self.item(item::request_key(id)).await?.is_some(),
        };
        if exists {
            Ok(false)
        } else {
            Err(StoreError::NotFound(*id))
        }
    }

    async fn reopen(
        &self,
        id: &TrackingId,
        update: StatusUpdate,
        steps_seen: usize,
    ) -> Result<bool, StoreError> {
        let mut expression = Expression::default();
        self.change_status(&mut expression, &update)?;
        expression.remove(item::LEASE_OWNER);
        expression.remove(item::LEASE_UNTIL);
        let events = expression.name(item::EVENTS);
        let steps = expression.value("steps_seen", item::number(steps_seen));
        let written = self
            .update_request(
                id,
                expression,
                format!("attribute_exists(pk) AND size({events}) = {steps}"),
            )
            .send()
            .await;
        if conditional::written(written, "UpdateItem")? {
            return Ok(true);
        }
        // Refused: the record changed, or there is none.
        match self.item(item::request_key(id)).await? {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound(*id)),
        }
    }

    async fn in_status(&self, status: Status) -> Result<Vec<TrackingRecord>, StoreError> {
        self.scan_status(status).await
    }

    async fn release(&self, id: &TrackingId, owner: &str) -> Result<(), StoreError> {
        let mut expression = Expression::default();
        expression.remove(item::LEASE_OWNER);
        expression.remove(item::LEASE_UNTIL);
        let owner = expression.value("owner", item::string(owner));
        let written = self
            .update_request(id, expression, format!("#{} = {owner}", item::LEASE_OWNER))
            .send()
            .await;
        conditional::outcome(written, "UpdateItem", Ok(()))
    }

    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError> {
        DynamoStore::claim_idempotency_key(self, scope, key, tracking_id, now).await
    }

    async fn release_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        tracking_id: &TrackingId,
    ) -> Result<(), StoreError> {
        DynamoStore::release_idempotency_key(self, scope, key, tracking_id).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|error| StoreError::Unavailable(describe("DescribeTable", &error)))?;
        Ok(())
    }
}
