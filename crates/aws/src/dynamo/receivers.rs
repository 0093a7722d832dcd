//! The receivers' health on the tracking table: an item per receiver origin's circuit
//! (`pk = circuit#<origin>`, `kind = circuit`: `origin`, `state`, `failures`,
//! `last_error`, `changed_at`, `retry_at`) and one per disabled URL
//! (`pk = disabled#<url>`, `kind = disabled_url`: `url`, `at`, `reason`). No TTL: a
//! disable lasts until an operator lifts it. Every change is one conditional request, so
//! every Lambda instance sees one count of failures and one probe at a time.

use super::{
    conditional,
    item::{self, Item, corrupt, get_string, optional_string, parse_time},
    store::DynamoStore,
};
use crate::errors::describe;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use revops_core::ports::{
    BreakerPolicy, Circuit, CircuitState, DisabledUrl, FailureRecorded, ReceiverRegistry,
    StoreError,
};
use std::{collections::HashMap, time::Duration};

const ORIGIN: &str = "origin";
const STATE: &str = "state";
const FAILURES: &str = "failures";
const LAST_ERROR: &str = "last_error";
const CHANGED_AT: &str = "changed_at";
const RETRY_AT: &str = "retry_at";
const URL: &str = "url";
const AT: &str = "at";
const REASON: &str = "reason";

fn circuit_key(origin: &str) -> AttributeValue {
    item::string(format!("circuit#{origin}"))
}

fn disabled_key(url: &str) -> AttributeValue {
    item::string(format!("disabled#{url}"))
}

fn later(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)
}

fn decode_circuit(found: &Item) -> Result<Circuit, StoreError> {
    let state = get_string(found, STATE)?;
    Ok(Circuit {
        origin: get_string(found, ORIGIN)?.to_owned(),
        state: CircuitState::parse(state).ok_or_else(|| corrupt(STATE, state))?,
        failures: match found.get(FAILURES) {
            Some(AttributeValue::N(n)) => n.parse().map_err(|e| corrupt(FAILURES, e))?,
            _ => 0,
        },
        last_error: optional_string(found, LAST_ERROR)?.map(str::to_owned),
        changed_at: parse_time(CHANGED_AT, get_string(found, CHANGED_AT)?)?,
        retry_at: optional_string(found, RETRY_AT)?
            .map(|text| parse_time(RETRY_AT, text))
            .transpose()?,
    })
}

fn decode_disabled(found: &Item) -> Result<DisabledUrl, StoreError> {
    Ok(DisabledUrl {
        url: get_string(found, URL)?.to_owned(),
        at: parse_time(AT, get_string(found, AT)?)?,
        reason: get_string(found, REASON)?.to_owned(),
    })
}

impl DynamoStore {
    /// Moves `origin`'s circuit to `to` until `until`, if `condition` (over `#state`,
    /// `#retry` and `values`) holds; whether it moved (another worker may have first).
    async fn move_circuit(
        &self,
        origin: &str,
        to: CircuitState,
        (until, now): (DateTime<Utc>, DateTime<Utc>),
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(item::PK, circuit_key(origin))
            .update_expression("SET #state = :to, #retry = :until, #changed = :now")
            .condition_expression(condition)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#retry", RETRY_AT)
            .expression_attribute_names("#changed", CHANGED_AT)
            .expression_attribute_values(":to", item::string(to.as_str()))
            .expression_attribute_values(":until", item::time(until))
            .expression_attribute_values(":now", item::time(now));
        for (placeholder, value) in values {
            update = update.expression_attribute_values(*placeholder, value.clone());
        }
        conditional::written(update.send().await, "UpdateItem")
    }
}

#[async_trait]
impl ReceiverRegistry for DynamoStore {
    async fn circuit(&self, origin: &str) -> Result<Option<Circuit>, StoreError> {
        self.item(circuit_key(origin))
            .await?
            .map(|found| decode_circuit(&found))
            .transpose()
    }

    async fn record_failure(
        &self,
        origin: &str,
        error: &str,
        now: DateTime<Utc>,
        policy: &BreakerPolicy,
    ) -> Result<FailureRecorded, StoreError> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(item::PK, circuit_key(origin))
            .update_expression(
                "SET #failures = if_not_exists(#failures, :zero) + :one, #error = :error, \
                 #origin = :origin, #kind = :kind, #state = if_not_exists(#state, :closed), \
                 #changed = if_not_exists(#changed, :now)",
            )
            .expression_attribute_names("#failures", FAILURES)
            .expression_attribute_names("#error", LAST_ERROR)
            .expression_attribute_names("#origin", ORIGIN)
            .expression_attribute_names("#kind", item::KIND)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#changed", CHANGED_AT)
            .expression_attribute_values(":zero", item::number(0))
            .expression_attribute_values(":one", item::number(1))
            .expression_attribute_values(":error", item::string(error))
            .expression_attribute_values(":origin", item::string(origin))
            .expression_attribute_values(":kind", item::string("circuit"))
            .expression_attribute_values(":closed", item::string(CircuitState::Closed.as_str()))
            .expression_attribute_values(":now", item::time(now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|error| StoreError::Unavailable(describe("UpdateItem", &error)))?;
        let circuit = decode_circuit(&counted.attributes.unwrap_or_default())?;
        let opened = circuit.opens_on_failure(policy)
            && self
                .move_circuit(
                    origin,
                    CircuitState::Open,
                    (later(now, policy.cooldown), now),
                    "#state = :seen",
                    &[(":seen", item::string(circuit.state.as_str()))],
                )
                .await?;
        let circuit = if opened {
            circuit.opened(now, policy.cooldown)
        } else {
            circuit
        };
        Ok(FailureRecorded { circuit, opened })
    }

    async fn record_success(&self, origin: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let written = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(item::PK, circuit_key(origin))
            .update_expression(
                "SET #state = :closed, #failures = :zero, #changed = :now REMOVE #retry",
            )
            .condition_expression(
                "attribute_exists(pk) AND (#state <> :closed OR #failures <> :zero)",
            )
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#failures", FAILURES)
            .expression_attribute_names("#changed", CHANGED_AT)
            .expression_attribute_names("#retry", RETRY_AT)
            .expression_attribute_values(":closed", item::string(CircuitState::Closed.as_str()))
            .expression_attribute_values(":zero", item::number(0))
            .expression_attribute_values(":now", item::time(now))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match written {
            Ok(old) => {
                let old = old.attributes.unwrap_or_default();
                Ok(optional_string(&old, STATE)?
                    .is_some_and(|state| state != CircuitState::Closed.as_str()))
            }
            Err(error) => {
                conditional::written(Err::<(), _>(error), "UpdateItem")?;
                Ok(false)
            }
        }
    }

    async fn take_probe(
        &self,
        origin: &str,
        seen_retry_at: DateTime<Utc>,
        now: DateTime<Utc>,
        cooldown: Duration,
    ) -> Result<bool, StoreError> {
        self.move_circuit(
            origin,
            CircuitState::HalfOpen,
            (later(now, cooldown), now),
            "#state <> :closed AND #retry = :seen",
            &[
                (":closed", item::string(CircuitState::Closed.as_str())),
                (":seen", item::time(seen_retry_at)),
            ],
        )
        .await
    }

    async fn disable(&self, url: &str, reason: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let disabled: Item = HashMap::from([
            (item::PK.to_owned(), disabled_key(url)),
            (item::KIND.to_owned(), item::string("disabled_url")),
            (URL.to_owned(), item::string(url)),
            (AT.to_owned(), item::time(now)),
            (REASON.to_owned(), item::string(reason)),
        ]);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(disabled))
            .send()
            .await
            .map_err(|error| StoreError::Unavailable(describe("PutItem", &error)))?;
        Ok(())
    }

    async fn disabled(&self, url: &str) -> Result<Option<DisabledUrl>, StoreError> {
        self.item(disabled_key(url))
            .await?
            .map(|found| decode_disabled(&found))
            .transpose()
    }

    async fn enable(&self, url: &str) -> Result<bool, StoreError> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(item::PK, disabled_key(url))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|error| StoreError::Unavailable(describe("DeleteItem", &error)))?;
        Ok(deleted.attributes.is_some_and(|old| !old.is_empty()))
    }

    async fn list(&self) -> Result<(Vec<Circuit>, Vec<DisabledUrl>), StoreError> {
        let items = self
            .scan_items(
                "#kind IN (:circuit, :disabled)",
                &[("#kind", item::KIND)],
                &[
                    (":circuit", item::string("circuit")),
                    (":disabled", item::string("disabled_url")),
                ],
            )
            .await?;
        let mut circuits = Vec::new();
        let mut disabled = Vec::new();
        for found in &items {
            match optional_string(found, item::KIND)? {
                Some("circuit") => circuits.push(decode_circuit(found)?),
                Some("disabled_url") => disabled.push(decode_disabled(found)?),
                _ => {}
            }
        }
        circuits.sort_by(|a, b| a.origin.cmp(&b.origin));
        disabled.sort_by(|a, b| a.url.cmp(&b.url));
        Ok((circuits, disabled))
    }
}
