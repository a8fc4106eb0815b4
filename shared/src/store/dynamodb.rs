//! The production engine: one DynamoDB table (`pk`, `sk`, TTL on `ttl`) with three sparse global
//! secondary indexes (`Index`). Every uniqueness rule is a condition on a key, never a query on
//! an index (indexes are eventually consistent).

use super::{
    Action, Change, Cond, Index, IndexCursor, Item, ItemStore, Key, Page, StoreError, Write, check_group, check_page,
    index_page_of,
};
use crate::aws::endpoint_from_env;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ConsumedCapacity, Delete, Put, PutRequest, ReturnConsumedCapacity, ReturnValue,
    Select, TransactWriteItem, Update, WriteRequest,
};
use futures::stream::{self, TryStreamExt};
use serde_json::{Number, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The target of the one debug event each DynamoDB round trip writes (operation, latency,
/// consumed capacity; never a key or a value). `RUST_LOG=info,kennin::dynamodb=debug` turns
/// it on; when it is off, no clock is read and no capacity is asked for.
pub const ROUND_TRIP_TARGET: &str = "kennin::dynamodb";

/// One round trip being measured, when the round-trip event is enabled.
struct RoundTrip {
    started: Option<Instant>,
}

impl RoundTrip {
    fn start() -> Self {
        let enabled = tracing::enabled!(target: ROUND_TRIP_TARGET, tracing::Level::DEBUG);
        Self {
            started: enabled.then(Instant::now),
        }
    }

    /// What to ask DynamoDB for: the consumed capacity only while measuring.
    fn capacity(&self) -> Option<ReturnConsumedCapacity> {
        self.started.map(|_| ReturnConsumedCapacity::Total)
    }

    /// `items` is the number of items a transaction writes: DynamoDB bills a transactional
    /// write 2 units per item (per KB), twice a plain write.
    fn finish<'a>(
        self,
        operation: &'static str,
        items: usize,
        consumed: impl IntoIterator<Item = &'a ConsumedCapacity>,
        outcome: &'static str,
    ) {
        let Some(started) = self.started else { return };
        let elapsed_us = started.elapsed().as_micros() as u64;
        let (mut read_units, mut write_units) = (0.0, 0.0);
        for capacity in consumed {
            let total = capacity.capacity_units().unwrap_or(0.0);
            match (capacity.read_capacity_units(), capacity.write_capacity_units()) {
                (Some(read), Some(write)) => {
                    read_units += read;
                    write_units += write;
                }
                _ if matches!(operation, "GetItem" | "Query") => read_units += total,
                _ => write_units += total,
            }
        }
        tracing::debug!(
            target: ROUND_TRIP_TARGET,
            operation, items, elapsed_us, read_units, write_units, outcome, "dynamodb round trip"
        );
    }
}

fn outcome<T, E: ProvideErrorMetadata, R>(result: &Result<T, SdkError<E, R>>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(SdkError::ServiceError(service)) => match service.err().code() {
            Some("ConditionalCheckFailedException") => "condition_failed",
            // A condition of the group failed, or another transaction got in the way.
            Some("TransactionCanceledException") => "canceled",
            _ => "error",
        },
        Err(_) => "error",
    }
}

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// The table of a function whose role may use it: KENNIN_TABLE, through DynamoDB.
pub fn from_env(sdk: &SdkConfig) -> Result<Arc<dyn ItemStore>, String> {
    let table = std::env::var("KENNIN_TABLE").map_err(|_| "KENNIN_TABLE is not set".to_string())?;
    let mut client = aws_sdk_dynamodb::config::Builder::from(sdk);
    client.set_endpoint_url(endpoint_from_env("DYNAMODB"));
    Ok(Arc::new(DynamoStore::new(Client::from_conf(client.build()), table)))
}

/// Which sort keys of a partition a Query reads.
#[derive(Clone, Copy)]
enum SortKeys<'a> {
    Prefix(&'a str),
    /// Every sort key up to this one, included.
    Through(&'a str),
    /// Every sort key before this one (all of them when `None`), read from the last backwards.
    Before(Option<&'a str>),
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table as template.yaml declares it, with its indexes (for DynamoDB Local and
    /// tests).
    pub async fn create_table(&self) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
            ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
        };
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("static attribute definition")
        };
        let key = |name: &str, kind| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .expect("static key")
        };
        let mut create = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("pk"))
            .attribute_definitions(attribute("sk"))
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range));
        for index in Index::ALL {
            let (partition, sort) = (index.partition_attr().name(), index.sort_attr().name());
            create = create
                .attribute_definitions(attribute(partition))
                .attribute_definitions(attribute(sort))
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name())
                        .key_schema(key(partition, KeyType::Hash))
                        .key_schema(key(sort, KeyType::Range))
                        .projection(Projection::builder().projection_type(ProjectionType::All).build())
                        .build()
                        .expect("static index"),
                );
        }
        create.send().await.map_err(describe)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(super::TTL.name())
                    .build()
                    .expect("static ttl spec"),
            )
            .send()
            .await
            .map_err(describe)?;
        Ok(())
    }

    async fn get_item(&self, key: &Key, consistent: bool) -> Result<Option<Item>, StoreError> {
        let round_trip = RoundTrip::start();
        let result = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(consistent)
            .set_return_consumed_capacity(round_trip.capacity())
            .send()
            .await;
        let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
        round_trip.finish("GetItem", 1, consumed, outcome(&result));
        Ok(result.map_err(describe)?.item().map(to_item))
    }
}

fn describe<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(error: SdkError<E, R>) -> StoreError {
    let code = error.code().unwrap_or("unknown").to_string();
    match error {
        SdkError::ServiceError(_) if code == "ConditionalCheckFailedException" => {
            StoreError::ConditionFailed { failed: None }
        }
        other => StoreError::Unavailable(format!("{code}: {}", other.message().unwrap_or("no message"))),
    }
}

fn to_attribute(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(list) => AttributeValue::L(list.iter().map(to_attribute).collect()),
        Value::Object(map) => AttributeValue::M(map.iter().map(|(k, v)| (k.clone(), to_attribute(v))).collect()),
    }
}

fn from_attribute(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => n
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| n.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number))
            .unwrap_or(Value::Null),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::L(list) => Value::Array(list.iter().map(from_attribute).collect()),
        AttributeValue::M(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), from_attribute(v))).collect()),
        _ => Value::Null,
    }
}

fn to_item(map: &HashMap<String, AttributeValue>) -> Item {
    map.iter().map(|(k, v)| (k.clone(), from_attribute(v))).collect()
}

fn key_map(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(key.pk.clone())),
        ("sk".to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

fn item_map(key: &Key, item: &Item) -> HashMap<String, AttributeValue> {
    let mut map: HashMap<String, AttributeValue> = item.iter().map(|(k, v)| (k.clone(), to_attribute(v))).collect();
    map.extend(key_map(key));
    map
}

/// Builds expression strings with `#n`/`:v` placeholders, so attribute names never collide
/// with DynamoDB's reserved words.
#[derive(Default)]
struct Expression {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, n)| n.as_str() == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_string());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn condition(&mut self, cond: &Cond) -> String {
        match cond {
            Cond::Exists => format!("attribute_exists({})", self.name("pk")),
            Cond::NotExists => format!("attribute_not_exists({})", self.name("pk")),
            Cond::AttrExists(name) => format!("attribute_exists({})", self.name(name)),
            Cond::AttrMissing(name) => format!("attribute_not_exists({})", self.name(name)),
            Cond::Eq(name, value) => {
                format!("{} = {}", self.name(name), self.value(to_attribute(value)))
            }
            Cond::Lt(name, value) => format!(
                "{} < {}",
                self.name(name),
                self.value(AttributeValue::N(value.to_string()))
            ),
            Cond::Le(name, value) => format!(
                "{} <= {}",
                self.name(name),
                self.value(AttributeValue::N(value.to_string()))
            ),
            // DynamoDB has no literal true or false: an empty group is written as a tautology
            // (AND) or a contradiction (OR) on the key attribute, which every item has or lacks.
            Cond::And(all) if all.is_empty() => {
                let pk = self.name("pk");
                format!("(attribute_exists({pk}) OR attribute_not_exists({pk}))")
            }
            Cond::Or(any) if any.is_empty() => {
                let pk = self.name("pk");
                format!("(attribute_exists({pk}) AND attribute_not_exists({pk}))")
            }
            Cond::And(all) => self.join(all, " AND ", |c| match c {
                Cond::And(inner) if !inner.is_empty() => Some(inner),
                _ => None,
            }),
            Cond::Or(any) => self.join(any, " OR ", |c| match c {
                Cond::Or(inner) if !inner.is_empty() => Some(inner),
                _ => None,
            }),
        }
    }

    /// DynamoDB refuses redundant parentheses, so a group of one is its part alone, and a
    /// group inside a group of the same kind (`same`) joins its parent's.
    fn join(&mut self, parts: &[Cond], separator: &str, same: fn(&Cond) -> Option<&Vec<Cond>>) -> String {
        if let [only] = parts {
            return self.condition(only);
        }
        let mut flat = Vec::new();
        let mut pending: Vec<&Cond> = parts.iter().rev().collect();
        while let Some(part) = pending.pop() {
            match same(part) {
                Some(inner) => pending.extend(inner.iter().rev()),
                None => flat.push(self.condition(part)),
            }
        }
        format!("({})", flat.join(separator))
    }

    fn update(&mut self, changes: &[Change]) -> String {
        let (mut set, mut add, mut remove) = (Vec::new(), Vec::new(), Vec::new());
        for change in changes {
            match change {
                Change::Set(name, value) => {
                    let (n, v) = (self.name(name), self.value(to_attribute(value)));
                    set.push(format!("{n} = {v}"));
                }
                Change::Add(name, by) => {
                    let (n, v) = (self.name(name), self.value(AttributeValue::N(by.to_string())));
                    add.push(format!("{n} {v}"));
                }
                Change::Remove(name) => remove.push(self.name(name)),
            }
        }
        let mut clauses = Vec::new();
        if !set.is_empty() {
            clauses.push(format!("SET {}", set.join(", ")));
        }
        if !add.is_empty() {
            clauses.push(format!("ADD {}", add.join(", ")));
        }
        if !remove.is_empty() {
            clauses.push(format!("REMOVE {}", remove.join(", ")));
        }
        clauses.join(" ")
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

const TRANSACTION_CONFLICT_RETRIES: u32 = 6;

/// DynamoDB's limit of puts in one BatchWriteItem.
const BATCH_WRITE_ITEMS: usize = 25;

/// How many BatchWriteItem calls of one `put_many` are in flight at once: a bulk load (a union's
/// roster) goes several times faster than one batch at a time, while 200 items in flight stay
/// far below what an on-demand table takes without throttling. A throttled batch backs off
/// alone while the others go on.
const PUT_MANY_CONCURRENCY: usize = 8;

/// How many times a batch's unprocessed items are sent again, with a growing pause, before
/// `put_many` gives up as unavailable.
const UNPROCESSED_RETRIES: u32 = 8;

impl DynamoStore {
    /// A group of one write as a plain write, which costs half as much as a transaction. A
    /// lone check stays a (one-item) transaction: only that makes DynamoDB evaluate it.
    async fn single(&self, write: Write) -> Result<(), StoreError> {
        let Write { key, action, cond, tag } = write;
        let mut expr = Expression::default();
        let condition = cond.as_ref().map(|c| expr.condition(c));
        let result = match action {
            Action::Put(item) => {
                let round_trip = RoundTrip::start();
                let result = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item_map(&key, &item)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .set_return_consumed_capacity(round_trip.capacity())
                    .send()
                    .await;
                let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
                round_trip.finish("PutItem", 1, consumed, outcome(&result));
                result.map(|_| ()).map_err(describe)
            }
            Action::Update(changes) => self.update(&key, &changes, cond.as_ref()).await.map(|_| ()),
            Action::Delete => {
                let round_trip = RoundTrip::start();
                let result = self
                    .client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key_map(&key)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .set_return_consumed_capacity(round_trip.capacity())
                    .send()
                    .await;
                let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
                round_trip.finish("DeleteItem", 1, consumed, outcome(&result));
                result.map(|_| ()).map_err(describe)
            }
            Action::Check => unreachable!("a lone check is sent as a transaction"),
        };
        result.map_err(|e| match e {
            StoreError::ConditionFailed { .. } => StoreError::ConditionFailed { failed: tag },
            other => other,
        })
    }

    /// One Query round trip: the items of `pk` whose sort key `sort` admits, after `start`, at
    /// most `limit` of them, and the key DynamoDB stopped at when it stopped before the
    /// partition's end (at the limit or after 1 MB).
    async fn query_once(
        &self,
        pk: &str,
        sort: SortKeys<'_>,
        start: Option<HashMap<String, AttributeValue>>,
        limit: Option<i32>,
    ) -> Result<(Vec<Item>, Option<HashMap<String, AttributeValue>>), StoreError> {
        let (condition, bound, forward) = match sort {
            // DynamoDB refuses an empty key value: an empty prefix is the whole partition.
            SortKeys::Prefix("") => ("#pk = :pk", None, true),
            SortKeys::Prefix(prefix) => ("#pk = :pk AND begins_with(#sk, :sk)", Some(prefix), true),
            SortKeys::Through(through) => ("#pk = :pk AND #sk <= :sk", Some(through), true),
            SortKeys::Before(Some(before)) => ("#pk = :pk AND #sk < :sk", Some(before), false),
            SortKeys::Before(None) => ("#pk = :pk", None, false),
        };
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression(condition)
            .scan_index_forward(forward)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_string()));
        if let Some(bound) = bound {
            query = query
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":sk", AttributeValue::S(bound.to_string()));
        }
        let round_trip = RoundTrip::start();
        let result = query
            .set_exclusive_start_key(start)
            .set_limit(limit)
            .set_return_consumed_capacity(round_trip.capacity())
            .send()
            .await;
        let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
        round_trip.finish("Query", 1, consumed, outcome(&result));
        let output = result.map_err(describe)?;
        let items = output.items().iter().map(to_item).collect();
        let next = output.last_evaluated_key().filter(|key| !key.is_empty()).cloned();
        Ok((items, next))
    }

    /// One Query round trip on an index: the items under `pk` (and `sk_prefix`, when given)
    /// after `start`, at most `limit` of them, and the key DynamoDB stopped at.
    async fn index_query_once(
        &self,
        index: Index,
        pk: &str,
        sk_prefix: &str,
        start: Option<HashMap<String, AttributeValue>>,
        limit: i32,
        newest_first: bool,
    ) -> Result<(Vec<Item>, Option<HashMap<String, AttributeValue>>), StoreError> {
        let round_trip = RoundTrip::start();
        let result = self
            .index_query(index, pk, sk_prefix)
            .set_exclusive_start_key(start)
            .limit(limit)
            .scan_index_forward(!newest_first)
            .set_return_consumed_capacity(round_trip.capacity())
            .send()
            .await;
        let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
        round_trip.finish("Query", 1, consumed, outcome(&result));
        let output = result.map_err(describe)?;
        let items = output.items().iter().map(to_item).collect();
        let next = output.last_evaluated_key().filter(|key| !key.is_empty()).cloned();
        Ok((items, next))
    }

    /// A Query of an index partition, under a prefix of its sort key unless that is empty
    /// (DynamoDB refuses an empty string in a key condition).
    fn index_query(
        &self,
        index: Index,
        pk: &str,
        sk_prefix: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index.name())
            .expression_attribute_names("#pk", index.partition_attr().name())
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_string()));
        if sk_prefix.is_empty() {
            return query.key_condition_expression("#pk = :pk");
        }
        query
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#sk", index.sort_attr().name())
            .expression_attribute_values(":prefix", AttributeValue::S(sk_prefix.to_string()))
    }

    /// One BatchWriteItem of puts, sent again for the items DynamoDB left unprocessed
    /// (throttled) until none are left.
    async fn write_batch(&self, batch: &[(Key, Item)]) -> Result<(), StoreError> {
        let mut requests: Vec<WriteRequest> = batch
            .iter()
            .map(|(key, item)| {
                let put = PutRequest::builder()
                    .set_item(Some(item_map(key, item)))
                    .build()
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<_, StoreError>>()?;
        let mut attempt = 0u32;
        while !requests.is_empty() {
            let round_trip = RoundTrip::start();
            let count = requests.len();
            let result = self
                .client
                .batch_write_item()
                .request_items(&self.table, requests)
                .set_return_consumed_capacity(round_trip.capacity())
                .send()
                .await;
            let consumed = result.as_ref().map(|o| o.consumed_capacity()).unwrap_or_default();
            round_trip.finish("BatchWriteItem", count, consumed, outcome(&result));
            let output = result.map_err(describe)?;
            requests = output
                .unprocessed_items()
                .and_then(|m| m.get(&self.table))
                .cloned()
                .unwrap_or_default();
            if !requests.is_empty() {
                attempt += 1;
                if attempt > UNPROCESSED_RETRIES {
                    return Err(StoreError::Unavailable("batch write kept being throttled".into()));
                }
                tokio::time::sleep(Duration::from_millis(50 << attempt.min(5))).await;
            }
        }
        Ok(())
    }

    fn transact_item(&self, write: &Write) -> Result<TransactWriteItem, StoreError> {
        let mut expr = Expression::default();
        let condition = write.cond.as_ref().map(|c| expr.condition(c));
        let key = Some(key_map(&write.key));
        let built = match &write.action {
            Action::Put(item) => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item_map(&write.key, item)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            ),
            Action::Update(changes) => {
                let update = expr.update(changes);
                TransactWriteItem::builder().update(
                    Update::builder()
                        .table_name(&self.table)
                        .set_key(key)
                        .update_expression(update)
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .build()
                        .map_err(|e| StoreError::Unavailable(e.to_string()))?,
                )
            }
            Action::Delete => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(key)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            ),
            Action::Check => TransactWriteItem::builder().condition_check(
                ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(key)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            ),
        };
        Ok(built.build())
    }
}

#[async_trait]
impl ItemStore for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.get_item(key, true).await
    }

    async fn get_eventually_consistent(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.get_item(key, false).await
    }

    async fn update(&self, key: &Key, changes: &[Change], cond: Option<&Cond>) -> Result<Item, StoreError> {
        let mut expr = Expression::default();
        let condition = cond.map(|c| expr.condition(c));
        let update = expr.update(changes);
        let round_trip = RoundTrip::start();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .return_values(ReturnValue::AllNew)
            .set_return_consumed_capacity(round_trip.capacity())
            .send()
            .await;
        let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
        round_trip.finish("UpdateItem", 1, consumed, outcome(&result));
        Ok(result.map_err(describe)?.attributes().map(to_item).unwrap_or_default())
    }

    async fn transact(&self, mut writes: Vec<Write>) -> Result<(), StoreError> {
        check_group(&writes)?;
        if writes.len() == 1 && !matches!(writes[0].action, Action::Check) {
            return self.single(writes.remove(0)).await;
        }
        let items = writes
            .iter()
            .map(|w| self.transact_item(w))
            .collect::<Result<Vec<_>, _>>()?;
        let mut attempt = 0;
        loop {
            let round_trip = RoundTrip::start();
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .set_return_consumed_capacity(round_trip.capacity())
                .send()
                .await;
            let consumed = result.as_ref().map(|o| o.consumed_capacity()).unwrap_or_default();
            round_trip.finish("TransactWriteItems", items.len(), consumed, outcome(&result));
            let Err(error) = result else { return Ok(()) };
            let reasons: Vec<Option<String>> = match &error {
                SdkError::ServiceError(service) => match service.err() {
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e) => {
                        e.cancellation_reasons().iter().map(|r| r.code().map(str::to_string)).collect()
                    }
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            // The reasons are in the order of the writes.
            if let Some(index) = reasons
                .iter()
                .position(|r| r.as_deref() == Some("ConditionalCheckFailed"))
            {
                return Err(StoreError::ConditionFailed {
                    failed: writes.get(index).and_then(Write::tag),
                });
            }
            // Concurrent transactions on one item cancel each other; retrying lets the
            // conditions, not the timing, decide who wins.
            let conflict = reasons.iter().any(|r| r.as_deref() == Some("TransactionConflict"));
            if conflict && attempt < TRANSACTION_CONFLICT_RETRIES {
                attempt += 1;
                let jitter = rand::random_range(0..20u64);
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt) + jitter)).await;
                continue;
            }
            return Err(describe(error));
        }
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let (read, next) = self.query_once(pk, SortKeys::Prefix(sk_prefix), start, None).await?;
            items.extend(read);
            match next {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }

    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        check_page(limit)?;
        // DynamoDB refuses a start key outside the key condition: one before the prefix starts
        // the page at the prefix's beginning, one past it leaves nothing to read.
        let mut start = match after {
            Some(after) if after.starts_with(sk_prefix) => Some(key_map(&Key::new(pk, after))),
            Some(after) if after > sk_prefix => return Ok(Page::default()),
            _ => None,
        };
        let mut items = Vec::new();
        loop {
            let remaining = i32::try_from(limit - items.len()).unwrap_or(i32::MAX);
            let (read, next) = self
                .query_once(pk, SortKeys::Prefix(sk_prefix), start, Some(remaining))
                .await?;
            items.extend(read);
            match next {
                // DynamoDB stops at the page's limit or after 1 MB; only the limit ends a page.
                Some(key) if items.len() < limit => start = Some(key),
                Some(key) => {
                    let last = key.get("sk").and_then(|sk| sk.as_s().ok()).cloned();
                    return Ok(Page { items, last });
                }
                None => return Ok(Page { items, last: None }),
            }
        }
    }

    async fn query_page_newest_first(&self, pk: &str, before: Option<&str>, limit: usize) -> Result<Page, StoreError> {
        check_page(limit)?;
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let remaining = i32::try_from(limit - items.len()).unwrap_or(i32::MAX);
            let (read, next) = self
                .query_once(pk, SortKeys::Before(before), start, Some(remaining))
                .await?;
            items.extend(read);
            match next {
                // DynamoDB stops at the page's limit or after 1 MB; only the limit ends a page.
                Some(key) if items.len() < limit => start = Some(key),
                Some(key) => {
                    let last = key.get("sk").and_then(|sk| sk.as_s().ok()).cloned();
                    return Ok(Page { items, last });
                }
                None => return Ok(Page { items, last: None }),
            }
        }
    }

    async fn query_through(&self, pk: &str, through: &str, limit: usize) -> Result<Vec<Item>, StoreError> {
        check_page(limit)?;
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let remaining = i32::try_from(limit - items.len()).unwrap_or(i32::MAX);
            let (page, next) = self
                .query_once(pk, SortKeys::Through(through), start, Some(remaining))
                .await?;
            items.extend(page);
            // DynamoDB stops at the limit or after 1 MB; only the limit or the end stops here.
            match next {
                Some(key) if items.len() < limit => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    async fn index_page(
        &self,
        index: Index,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
        newest_first: bool,
    ) -> Result<Page, StoreError> {
        check_page(limit)?;
        // An index's start key is the item's index key and table key.
        let mut start = after
            .map(|after| IndexCursor::decode(after, pk, sk_prefix))
            .transpose()?
            .map(|cursor| {
                let mut key = key_map(&Key::new(cursor.pk, cursor.sk));
                key.insert(
                    index.partition_attr().name().into(),
                    AttributeValue::S(cursor.partition),
                );
                key.insert(index.sort_attr().name().into(), AttributeValue::S(cursor.sort));
                key
            });
        let mut items = Vec::new();
        loop {
            let remaining = i32::try_from(limit - items.len()).unwrap_or(i32::MAX);
            let (read, next) = self
                .index_query_once(index, pk, sk_prefix, start, remaining, newest_first)
                .await?;
            items.extend(read);
            match next {
                // DynamoDB stops at the page's limit or after 1 MB; only the limit ends a page.
                Some(key) if items.len() < limit => start = Some(key),
                _ => return Ok(index_page_of(index, items, limit)),
            }
        }
    }

    async fn index_count(&self, index: Index, pk: &str) -> Result<u64, StoreError> {
        let mut count = 0u64;
        let mut start = None;
        loop {
            let round_trip = RoundTrip::start();
            let result = self
                .index_query(index, pk, "")
                .select(Select::Count)
                .set_exclusive_start_key(start)
                .set_return_consumed_capacity(round_trip.capacity())
                .send()
                .await;
            let consumed = result.as_ref().ok().and_then(|o| o.consumed_capacity());
            round_trip.finish("Query", 1, consumed, outcome(&result));
            let output = result.map_err(describe)?;
            count += u64::try_from(output.count()).unwrap_or_default();
            // A count reads at most 1 MB of items per round trip, and says where it stopped.
            match output.last_evaluated_key().filter(|key| !key.is_empty()) {
                Some(key) => start = Some(key.clone()),
                None => return Ok(count),
            }
        }
    }

    async fn put_many(&self, items: Vec<(Key, Item)>) -> Result<(), StoreError> {
        stream::iter(items.chunks(BATCH_WRITE_ITEMS).map(Ok))
            .try_for_each_concurrent(PUT_MANY_CONCURRENCY, |batch| self.write_batch(batch))
            .await
    }

    async fn warm_up(&self) -> Result<(), StoreError> {
        self.get(&Key::new("WARMUP", "WARMUP")).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn built(cond: &Cond) -> (String, Expression) {
        let mut expr = Expression::default();
        (expr.condition(cond), expr)
    }

    fn names(expr: &Expression) -> Vec<(&str, &str)> {
        let mut names: Vec<_> = expr.names.iter().map(|(p, n)| (p.as_str(), n.as_str())).collect();
        names.sort();
        names
    }

    fn values(expr: &Expression) -> Vec<(&str, &AttributeValue)> {
        let mut values: Vec<_> = expr.values.iter().map(|(p, v)| (p.as_str(), v)).collect();
        values.sort_by_key(|(p, _)| *p);
        values
    }

    fn n(value: i64) -> AttributeValue {
        AttributeValue::N(value.to_string())
    }

    #[test]
    fn every_name_and_value_is_a_placeholder() {
        let (text, expr) = built(&Cond::Eq("name", json!("健保")));
        assert_eq!(text, "#n0 = :v0");
        assert_eq!(names(&expr), [("#n0", "name")]);
        assert_eq!(values(&expr), [(":v0", &AttributeValue::S("健保".into()))]);

        let (text, expr) = built(&Cond::Exists);
        assert_eq!(text, "attribute_exists(#n0)");
        assert_eq!(names(&expr), [("#n0", "pk")]);
        assert!(expr.values().is_none());
        assert_eq!(built(&Cond::NotExists).0, "attribute_not_exists(#n0)");
        assert_eq!(built(&Cond::AttrExists("year")).0, "attribute_exists(#n0)");
        assert_eq!(built(&Cond::AttrMissing("year")).0, "attribute_not_exists(#n0)");
    }

    #[test]
    fn a_name_used_twice_has_one_placeholder() {
        let (text, expr) = built(&Cond::Or(vec![
            Cond::AttrMissing("lockedUntil"),
            Cond::Le("lockedUntil", 5),
        ]));
        assert_eq!(text, "(attribute_not_exists(#n0) OR #n0 <= :v0)");
        assert_eq!(names(&expr), [("#n0", "lockedUntil")]);
        assert_eq!(values(&expr), [(":v0", &n(5))]);
    }

    #[test]
    fn nested_groups_keep_their_parentheses_and_no_redundant_ones() {
        let (text, expr) = built(&Cond::And(vec![
            Cond::Exists,
            Cond::Or(vec![
                Cond::Eq("kind", json!("reservation")),
                Cond::And(vec![Cond::Lt("codeTries", 5), Cond::AttrMissing("claimedBy")]),
            ]),
        ]));
        assert_eq!(
            text,
            "(attribute_exists(#n0) AND (#n1 = :v0 OR (#n2 < :v1 AND attribute_not_exists(#n3))))"
        );
        assert_eq!(
            names(&expr),
            [
                ("#n0", "pk"),
                ("#n1", "kind"),
                ("#n2", "codeTries"),
                ("#n3", "claimedBy")
            ]
        );
        assert_eq!(
            values(&expr),
            [(":v0", &AttributeValue::S("reservation".into())), (":v1", &n(5))]
        );

        // A group inside a group of the same kind joins it; a group of one is its part.
        let same = Cond::And(vec![
            Cond::And(vec![Cond::Exists, Cond::Eq("v", json!(1))]),
            Cond::Lt("v", 3),
        ]);
        assert_eq!(built(&same).0, "(attribute_exists(#n0) AND #n1 = :v0 AND #n1 < :v1)");
        let single = Cond::Or(vec![Cond::And(vec![Cond::Eq("v", json!(true))])]);
        let (text, expr) = built(&single);
        assert_eq!(text, "#n0 = :v0");
        assert_eq!(values(&expr), [(":v0", &AttributeValue::Bool(true))]);
    }

    #[test]
    fn empty_groups_are_a_tautology_and_a_contradiction() {
        let (text, expr) = built(&Cond::And(vec![]));
        assert_eq!(text, "(attribute_exists(#n0) OR attribute_not_exists(#n0))");
        assert_eq!(names(&expr), [("#n0", "pk")]);
        let (text, _) = built(&Cond::Or(vec![]));
        assert_eq!(text, "(attribute_exists(#n0) AND attribute_not_exists(#n0))");
        let (text, _) = built(&Cond::And(vec![Cond::Or(vec![]), Cond::Eq("v", json!(1))]));
        assert_eq!(
            text,
            "((attribute_exists(#n0) AND attribute_not_exists(#n0)) AND #n1 = :v0)"
        );
    }

    #[test]
    fn an_update_groups_its_clauses_and_shares_placeholders_with_its_condition() {
        let mut expr = Expression::default();
        let condition = expr.condition(&Cond::Eq("sessionEpoch", json!(2)));
        let update = expr.update(&[
            Change::Set("passwordHash", json!("h")),
            Change::Add("sessionEpoch", 1),
            Change::Remove("codeHash"),
            Change::Set("contact", json!({ "phone": "090" })),
        ]);
        assert_eq!(condition, "#n0 = :v0");
        assert_eq!(update, "SET #n1 = :v1, #n3 = :v3 ADD #n0 :v2 REMOVE #n2");
        assert_eq!(
            names(&expr),
            [
                ("#n0", "sessionEpoch"),
                ("#n1", "passwordHash"),
                ("#n2", "codeHash"),
                ("#n3", "contact")
            ]
        );
        assert_eq!(
            values(&expr),
            [
                (":v0", &n(2)),
                (":v1", &AttributeValue::S("h".into())),
                (":v2", &n(1)),
                (
                    ":v3",
                    &AttributeValue::M(HashMap::from([("phone".into(), AttributeValue::S("090".into()))]))
                ),
            ]
        );
    }
}
