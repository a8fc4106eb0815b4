//! Storage: one small item interface, two engines.
//!
//! The engines only know items (JSON objects addressed by `pk`/`sk`), conditions and atomic
//! multi-item writes — the DynamoDB single-table model. Everything kennin stores is written
//! through `records`, once, on top of it; so the DynamoDB engine and the embedded SQLite engine
//! cannot drift apart in behaviour, and one conformance suite covers both.

pub mod dynamodb;
pub mod records;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use async_trait::async_trait;
use serde_json::{Map, Value};
use std::sync::Arc;

pub type Item = Map<String, Value>;

/// The TTL attribute: epoch seconds after which DynamoDB may delete the item (late, sometimes
/// days late; code checks expiry itself on every read).
pub const TTL_ATTRIBUTE: &str = "ttl";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// A condition on the item a write addresses (as it is before the write).
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Exists,
    NotExists,
    AttrExists(String),
    AttrMissing(String),
    Eq(String, Value),
    /// The numeric attribute exists and is less than the value.
    Lt(String, i64),
    /// The numeric attribute exists and is at most the value.
    Le(String, i64),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    pub fn eq(name: &str, value: impl Into<Value>) -> Self {
        Self::Eq(name.to_string(), value.into())
    }
    pub fn lt(name: &str, value: i64) -> Self {
        Self::Lt(name.to_string(), value)
    }
    pub fn le(name: &str, value: i64) -> Self {
        Self::Le(name.to_string(), value)
    }
    pub fn missing(name: &str) -> Self {
        Self::AttrMissing(name.to_string())
    }

    /// Evaluates the condition against the current item, the way DynamoDB would.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let attr = |name: &str| item.and_then(|i| i.get(name));
        match self {
            Cond::Exists => item.is_some(),
            Cond::NotExists => item.is_none(),
            Cond::AttrExists(name) => attr(name).is_some(),
            Cond::AttrMissing(name) => attr(name).is_none(),
            Cond::Eq(name, value) => attr(name) == Some(value),
            Cond::Lt(name, value) => attr(name).and_then(Value::as_i64).is_some_and(|v| v < *value),
            Cond::Le(name, value) => attr(name).and_then(Value::as_i64).is_some_and(|v| v <= *value),
            Cond::And(all) => all.iter().all(|c| c.holds(item)),
            Cond::Or(any) => any.iter().any(|c| c.holds(item)),
        }
    }
}

/// One change to an attribute of an updated item.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Set(String, Value),
    /// Adds to a number, starting from 0 when the attribute is missing.
    Add(String, i64),
    Remove(String),
}

impl Change {
    pub fn set(name: &str, value: impl Into<Value>) -> Self {
        Self::Set(name.to_string(), value.into())
    }
    pub fn add(name: &str, by: i64) -> Self {
        Self::Add(name.to_string(), by)
    }
    pub fn remove(name: &str) -> Self {
        Self::Remove(name.to_string())
    }

    /// Applies the change to an item (or to a new one), the way DynamoDB would.
    pub fn apply(&self, item: &mut Item) {
        match self {
            Change::Set(name, value) => {
                item.insert(name.clone(), value.clone());
            }
            Change::Add(name, by) => {
                let now = item.get(name).and_then(Value::as_i64).unwrap_or(0);
                item.insert(name.clone(), Value::from(now + by));
            }
            Change::Remove(name) => {
                item.remove(name);
            }
        }
    }
}

/// One write of an atomic group.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        key: Key,
        item: Item,
        cond: Option<Cond>,
    },
    Update {
        key: Key,
        changes: Vec<Change>,
        cond: Option<Cond>,
    },
    Delete {
        key: Key,
        cond: Option<Cond>,
    },
    Check {
        key: Key,
        cond: Cond,
    },
}

impl Write {
    pub fn key(&self) -> &Key {
        match self {
            Write::Put { key, .. }
            | Write::Update { key, .. }
            | Write::Delete { key, .. }
            | Write::Check { key, .. } => key,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition did not hold; for a group, `index` tells which write's did.
    #[error("condition failed (write {index:?})")]
    ConditionFailed { index: Option<usize> },
    /// The engine cannot be reached or refused the request: the caller answers 503.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// The storage engine. Reads are strongly consistent unless named otherwise.
#[async_trait]
pub trait ItemStore: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Like `get`, but it may miss a write of about the last second, for half of `get`'s price
    /// on DynamoDB. For rarely changed items whose brief staleness does no harm.
    async fn get_eventually_consistent(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.get(key).await
    }

    /// Applies the changes (creating the item if missing) when `cond` holds, and returns the
    /// item as it is after the update.
    async fn update(&self, key: &Key, changes: &[Change], cond: Option<&Cond>) -> Result<Item, StoreError>;

    /// All of the writes or none of them. At most 100 writes, each on a different item.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// Items under one partition whose sort key starts with `sk_prefix`, in sort key order.
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError>;

    /// Unconditional puts of many items, for bulk loads; not atomic as a whole.
    async fn put_many(&self, items: Vec<(Key, Item)>) -> Result<(), StoreError>;

    /// A cheap call that touches the engine, so that connection set-up happens at cold start.
    async fn warm_up(&self) -> Result<(), StoreError>;
}

/// The table of a function whose role has no access to it (the portal, the postal lookup). Its
/// package links no DynamoDB client, and a call, which none of its routes makes, is refused as
/// DynamoDB would refuse it.
pub fn not_granted(_: &aws_config::SdkConfig) -> Result<Arc<dyn ItemStore>, String> {
    Ok(Arc::new(NotGranted))
}

struct NotGranted;

impl NotGranted {
    fn refused() -> StoreError {
        StoreError::Unavailable("this function has no access to the table".into())
    }
}

#[async_trait]
impl ItemStore for NotGranted {
    async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
        Err(Self::refused())
    }

    async fn update(&self, _: &Key, _: &[Change], _: Option<&Cond>) -> Result<Item, StoreError> {
        Err(Self::refused())
    }

    async fn transact(&self, _: Vec<Write>) -> Result<(), StoreError> {
        Err(Self::refused())
    }

    async fn query(&self, _: &str, _: &str) -> Result<Vec<Item>, StoreError> {
        Err(Self::refused())
    }

    async fn put_many(&self, _: Vec<(Key, Item)>) -> Result<(), StoreError> {
        Err(Self::refused())
    }

    /// No connection to open.
    async fn warm_up(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

impl StoreError {
    pub fn is_condition_failed(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_function_without_the_table_is_refused_as_unavailable_and_warms_nothing() {
        let sdk = aws_config::SdkConfig::builder().build();
        let store = not_granted(&sdk).unwrap();
        let key = Key::new("ACCOUNT#a", "ACCOUNT");
        assert!(matches!(store.get(&key).await, Err(StoreError::Unavailable(_))));
        assert!(matches!(
            store.get_eventually_consistent(&key).await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            store.update(&key, &[], None).await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(store.transact(vec![]).await, Err(StoreError::Unavailable(_))));
        assert!(matches!(
            store.query("ACCOUNT#a", "").await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(store.put_many(vec![]).await, Err(StoreError::Unavailable(_))));
        assert!(store.warm_up().await.is_ok());
    }
}
