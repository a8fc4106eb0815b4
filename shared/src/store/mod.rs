//! Storage: one small item interface, two engines.
//!
//! The engines only know items (JSON objects addressed by `pk`/`sk`), conditions and atomic
//! multi-item writes — the DynamoDB single-table model. Everything kennin stores is written
//! through `records`, once, on top of it; so the DynamoDB engine and the embedded SQLite engine
//! cannot drift apart in behaviour, and one conformance suite covers both.
//!
//! Conditions and changes name attributes through typed handles (`Attr`) that `records`
//! declares next to each record, never by a string of their own.

// Built with neither engine (the fuzz targets' build), the rules the engines share have no caller.
#![cfg_attr(not(any(feature = "aws", feature = "sqlite")), allow(dead_code))]

#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod records;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Borrow;
use std::collections::HashSet;
use std::marker::PhantomData;
use std::sync::Arc;

pub type Item = Map<String, Value>;

/// A stored attribute whose values are of type `V` (`str` for text, so that `&str` and
/// `String` both fit). Declared once per record by `records::attributes!`; a condition or a
/// change with a value of another type does not compile.
pub struct Attr<V: ?Sized> {
    name: &'static str,
    value: PhantomData<fn() -> Box<V>>,
}

impl<V: ?Sized> Attr<V> {
    /// Declared in `records` (and by engine tests): everywhere else, attributes are named
    /// through the record types.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            value: PhantomData,
        }
    }

    /// The stored name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<V: ?Sized> Clone for Attr<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: ?Sized> Copy for Attr<V> {}

impl<V: ?Sized> std::fmt::Debug for Attr<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn stored<V: Serialize + ?Sized>(value: &V) -> Value {
    serde_json::to_value(value).expect("attribute values are scalars or string-keyed maps")
}

/// The TTL attribute: epoch seconds after which DynamoDB may delete the item (late, sometimes
/// days late; code checks expiry itself on every read).
pub const TTL: Attr<i64> = Attr::new("ttl");

/// The table's sparse global secondary indexes: an item appears in one only while it has both
/// of the index's key attributes (docs/data-model.md, "The staff console's lists").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    ByStatus,
    ByOffice,
    ByKana,
}

impl Index {
    pub const ALL: [Index; 3] = [Index::ByStatus, Index::ByOffice, Index::ByKana];

    /// The index's name on DynamoDB.
    pub const fn name(self) -> &'static str {
        match self {
            Index::ByStatus => "byStatus",
            Index::ByOffice => "byOffice",
            Index::ByKana => "byKana",
        }
    }

    pub const fn partition_attr(self) -> Attr<str> {
        match self {
            Index::ByStatus => Attr::new("gsi1pk"),
            Index::ByOffice => Attr::new("gsi2pk"),
            Index::ByKana => Attr::new("gsi3pk"),
        }
    }

    pub const fn sort_attr(self) -> Attr<str> {
        match self {
            Index::ByStatus => Attr::new("gsi1sk"),
            Index::ByOffice => Attr::new("gsi2sk"),
            Index::ByKana => Attr::new("gsi3sk"),
        }
    }
}

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

/// A condition on the item a write addresses (as it is before the write). An empty `And`
/// holds and an empty `Or` does not, as in logic.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Exists,
    NotExists,
    AttrExists(&'static str),
    AttrMissing(&'static str),
    Eq(&'static str, Value),
    /// The numeric attribute exists and is less than the value.
    Lt(&'static str, i64),
    /// The numeric attribute exists and is at most the value.
    Le(&'static str, i64),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    pub fn eq<V: Serialize + ?Sized>(attr: Attr<V>, value: impl Borrow<V>) -> Self {
        Self::Eq(attr.name, stored(value.borrow()))
    }
    pub fn lt(attr: Attr<i64>, value: i64) -> Self {
        Self::Lt(attr.name, value)
    }
    pub fn le(attr: Attr<i64>, value: i64) -> Self {
        Self::Le(attr.name, value)
    }
    pub fn present<V: ?Sized>(attr: Attr<V>) -> Self {
        Self::AttrExists(attr.name)
    }
    pub fn missing<V: ?Sized>(attr: Attr<V>) -> Self {
        Self::AttrMissing(attr.name)
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
    Set(&'static str, Value),
    /// Adds to a number, starting from 0 when the attribute is missing.
    Add(&'static str, i64),
    Remove(&'static str),
}

impl Change {
    pub fn set<V: Serialize + ?Sized>(attr: Attr<V>, value: impl Borrow<V>) -> Self {
        Self::Set(attr.name, stored(value.borrow()))
    }
    pub fn add(attr: Attr<i64>, by: i64) -> Self {
        Self::Add(attr.name, by)
    }
    pub fn remove<V: ?Sized>(attr: Attr<V>) -> Self {
        Self::Remove(attr.name)
    }

    /// Applies the change to an item (or to a new one), the way DynamoDB would.
    pub fn apply(&self, item: &mut Item) {
        match self {
            Change::Set(name, value) => {
                item.insert((*name).to_string(), value.clone());
            }
            Change::Add(name, by) => {
                let now = item.get(*name).and_then(Value::as_i64).unwrap_or(0);
                item.insert((*name).to_string(), Value::from(now + by));
            }
            Change::Remove(name) => {
                item.remove(*name);
            }
        }
    }
}

/// Names a write of a group, so that a cancelled group tells which write's condition failed
/// (`StoreError::ConditionFailed`) without the caller counting positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(pub &'static str);

/// What a write does to its item.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Put(Item),
    Update(Vec<Change>),
    Delete,
    /// Nothing: the write only requires its condition.
    Check,
}

/// One write of an atomic group: `Write::put(key, item).when(cond).tagged(TAG)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    key: Key,
    action: Action,
    cond: Option<Cond>,
    tag: Option<Tag>,
}

impl Write {
    fn new(key: Key, action: Action, cond: Option<Cond>) -> Self {
        Self {
            key,
            action,
            cond,
            tag: None,
        }
    }

    /// Puts the whole item, replacing any item at the key.
    pub fn put(key: Key, item: Item) -> Self {
        Self::new(key, Action::Put(item), None)
    }

    /// Applies the changes, creating the item if missing.
    pub fn update(key: Key, changes: Vec<Change>) -> Self {
        Self::new(key, Action::Update(changes), None)
    }

    pub fn delete(key: Key) -> Self {
        Self::new(key, Action::Delete, None)
    }

    /// Writes nothing, but the group happens only while `cond` holds of the item.
    pub fn check(key: Key, cond: Cond) -> Self {
        Self::new(key, Action::Check, Some(cond))
    }

    /// The write happens only while `cond` holds of its item.
    pub fn when(self, cond: Cond) -> Self {
        Self {
            cond: Some(cond),
            ..self
        }
    }

    pub fn tagged(self, tag: Tag) -> Self {
        Self { tag: Some(tag), ..self }
    }

    pub fn tag(&self) -> Option<Tag> {
        self.tag
    }
}

/// At most this many writes in one group, DynamoDB's limit.
pub const MAX_GROUP_WRITES: usize = 100;

/// The rules every engine enforces on a group before trying it, so that both refuse the same
/// groups the same way (DynamoDB itself answers ValidationException to these).
fn check_group(writes: &[Write]) -> Result<(), StoreError> {
    if writes.len() > MAX_GROUP_WRITES {
        return Err(StoreError::Refused("more writes than one group may hold"));
    }
    let mut keys = HashSet::new();
    if writes.iter().all(|w| keys.insert(&w.key)) {
        Ok(())
    } else {
        Err(StoreError::Refused("the same item twice in one group"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition did not hold; for a group, `failed` is the tag of the write whose did
    /// (the first in the group's order, when several did).
    #[error("condition failed (write {failed:?})")]
    ConditionFailed { failed: Option<Tag> },
    /// The engine cannot be reached or refused the request: the caller answers 503.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A stored item is not the record it should be (corrupt or foreign data): retrying will
    /// not help. Names the record type, never a value.
    #[error("unreadable {record} item")]
    Unreadable { record: &'static str },
    /// The request breaks a rule of the engines (a bug in the caller, not an outage).
    #[error("request refused: {0}")]
    Refused(&'static str),
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

    /// All of the writes or none of them. At most 100 writes, each on a different item (else
    /// `StoreError::Refused`, and nothing is written). A failed condition is
    /// `ConditionFailed` with the failing write's tag.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// Items under one partition whose sort key starts with `sk_prefix`, in sort key order.
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError>;

    /// One page of `query`: up to `limit` items whose sort key comes after `after` (the page
    /// starts at the beginning when `None`), and the sort key to continue after when more may
    /// follow. A page holds exactly `limit` items unless it is the last one. For streaming a
    /// partition too large to hold (a union's whole roster). A `limit` of 0 is `Refused`.
    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError>;

    /// One page of a whole partition, newest first: up to `limit` items whose sort key comes
    /// before `before` (from the partition's end when `None`), in descending sort key order, and
    /// the sort key to continue before when more may follow. For a partition whose sort keys
    /// start with a fixed width time (a month of the audit log), read from the latest entry. A
    /// `limit` of 0 is `Refused`.
    async fn query_page_newest_first(&self, pk: &str, before: Option<&str>, limit: usize) -> Result<Page, StoreError>;

    /// The first `limit` items under one partition whose sort key is at most `through`, in sort
    /// key order: for a partition kept as a queue by date (sort keys that start with a fixed
    /// width time), the entries that are due, each removed once handled. A `limit` of 0 is
    /// `Refused`.
    async fn query_through(&self, pk: &str, through: &str, limit: usize) -> Result<Vec<Item>, StoreError>;

    /// One page of the items `index` holds under `pk` whose index sort key starts with
    /// `sk_prefix`, in index sort key order (reversed when `newest_first`): up to `limit` items
    /// after `after`, and what to pass as `after` for the next page when more may follow. Items
    /// of equal index sort keys come in an order of the engine's (DynamoDB's is its own, not the
    /// table key's) that paging keeps, each read once; the records make their index sort keys
    /// unique (they end with the item's id) wherever the order matters. `after` is opaque: the
    /// `last` of a previous page of the same list (index, `pk`, prefix and direction); one that
    /// no page of this partition and prefix returned is `Refused`. A page holds exactly `limit`
    /// items unless it is the last one; a `limit` of 0 is `Refused`. Eventually consistent on
    /// DynamoDB: a write of about the last second may be missing or still in its old place.
    async fn index_page(
        &self,
        index: Index,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
        newest_first: bool,
    ) -> Result<Page, StoreError>;

    /// How many items `index` holds under `pk`. Eventually consistent on DynamoDB, where it
    /// reads (and pays for) every item it counts.
    async fn index_count(&self, index: Index, pk: &str) -> Result<u64, StoreError>;

    /// Unconditional puts of many items, for bulk loads; not atomic as a whole (DynamoDB writes
    /// them in concurrent batches): after a failure, the first one returned, any of the items
    /// may have been written. Putting them all again is harmless.
    async fn put_many(&self, items: Vec<(Key, Item)>) -> Result<(), StoreError>;

    /// A cheap call that touches the engine, so that connection set-up happens at cold start.
    async fn warm_up(&self) -> Result<(), StoreError>;
}

/// A page of a partition, in sort key order, or of an index.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Where to continue after: the last sort key read (for an index, an opaque cursor);
    /// `None` when the partition is exhausted.
    pub last: Option<String>,
}

/// Where a page of an index stopped: its last item's index key and table key, which DynamoDB
/// takes back as the Query's start key and SQLite orders the items of equal index sort keys by.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IndexCursor {
    partition: String,
    sort: String,
    pk: String,
    sk: String,
}

impl IndexCursor {
    /// The cursor after an item the index returned (so one that has the index's attributes).
    fn after(index: Index, item: &Item) -> Self {
        let text = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        Self {
            partition: text(index.partition_attr().name()),
            sort: text(index.sort_attr().name()),
            pk: text("pk"),
            sk: text("sk"),
        }
    }

    /// Hex of a JSON array: any strings survive, and it travels in a URL as it is.
    fn encode(&self) -> String {
        let fields = [&self.partition, &self.sort, &self.pk, &self.sk];
        hex::encode(serde_json::to_vec(&fields).expect("strings serialise"))
    }

    /// The cursor an index page of `pk` under `sk_prefix` continues after, refusing one that
    /// no such page returned.
    fn decode(encoded: &str, pk: &str, sk_prefix: &str) -> Result<Self, StoreError> {
        let refused = || StoreError::Refused("a cursor of another list");
        let bytes = hex::decode(encoded).map_err(|_| refused())?;
        let [partition, sort, table_pk, sk]: [String; 4] = serde_json::from_slice(&bytes).map_err(|_| refused())?;
        if partition != pk || !sort.starts_with(sk_prefix) {
            return Err(refused());
        }
        Ok(Self {
            partition,
            sort,
            pk: table_pk,
            sk,
        })
    }
}

/// The page of an index that ends with `items`, as every engine answers it: a full page may
/// have more after it (as DynamoDB's would), a shorter one is the last.
fn index_page_of(index: Index, items: Vec<Item>, limit: usize) -> Page {
    let last = match items.last() {
        Some(item) if items.len() == limit => Some(IndexCursor::after(index, item).encode()),
        _ => None,
    };
    Page { items, last }
}

/// The rule every engine enforces on a page's size before reading.
fn check_page(limit: usize) -> Result<(), StoreError> {
    if limit == 0 {
        Err(StoreError::Refused("a page of no items"))
    } else {
        Ok(())
    }
}

/// The sort key an engine stores in every item it returns.
pub fn sort_key(item: &Item) -> &str {
    item.get("sk").and_then(Value::as_str).unwrap_or_default()
}

/// The table of a function whose role has no access to it (the portal, the postal lookup). Its
/// package links no DynamoDB client, and a call, which none of its routes makes, is refused as
/// DynamoDB would refuse it.
pub fn not_granted() -> Arc<dyn ItemStore> {
    Arc::new(NotGranted)
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

    async fn query_page(&self, _: &str, _: &str, _: Option<&str>, _: usize) -> Result<Page, StoreError> {
        Err(Self::refused())
    }

    async fn query_page_newest_first(&self, _: &str, _: Option<&str>, _: usize) -> Result<Page, StoreError> {
        Err(Self::refused())
    }

    async fn query_through(&self, _: &str, _: &str, _: usize) -> Result<Vec<Item>, StoreError> {
        Err(Self::refused())
    }

    async fn index_page(
        &self,
        _: Index,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: usize,
        _: bool,
    ) -> Result<Page, StoreError> {
        Err(Self::refused())
    }

    async fn index_count(&self, _: Index, _: &str) -> Result<u64, StoreError> {
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

    #[test]
    fn a_group_over_dynamodbs_limit_is_refused_before_any_engine_sees_it() {
        let writes = |count: usize| -> Vec<Write> {
            (0..count)
                .map(|i| Write::delete(Key::new("T", format!("{i}"))))
                .collect()
        };
        assert!(check_group(&writes(MAX_GROUP_WRITES)).is_ok());
        assert!(matches!(
            check_group(&writes(MAX_GROUP_WRITES + 1)),
            Err(StoreError::Refused(_))
        ));
    }

    #[test]
    fn typed_changes_and_conditions_store_what_the_value_serialises_to() {
        const STAGE: Attr<str> = Attr::new("stage");
        const TRIES: Attr<i64> = Attr::new("tries");
        let mut item = Item::new();
        Change::set(STAGE, "code").apply(&mut item);
        Change::add(TRIES, 2).apply(&mut item);
        assert!(Cond::eq(STAGE, String::from("code")).holds(Some(&item)));
        assert!(Cond::And(vec![Cond::lt(TRIES, 3), Cond::present(TRIES)]).holds(Some(&item)));
        Change::remove(TRIES).apply(&mut item);
        assert!(Cond::missing(TRIES).holds(Some(&item)));
        assert!(Cond::And(vec![]).holds(None) && !Cond::Or(vec![]).holds(Some(&item)));
    }

    #[tokio::test]
    async fn a_function_without_the_table_is_refused_as_unavailable_and_warms_nothing() {
        let store = not_granted();
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
        assert!(matches!(
            store.query_page("ACCOUNT#a", "", None, 1).await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            store.query_through("PURGES", "9", 1).await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            store
                .index_page(Index::ByStatus, "C#0904#2036#S#submitted", "", None, 1, true)
                .await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(
            store.index_count(Index::ByKana, "C#0904#2036#K").await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(store.put_many(vec![]).await, Err(StoreError::Unavailable(_))));
        assert!(store.warm_up().await.is_ok());
    }

    #[test]
    fn each_index_has_its_own_name_and_key_attributes() {
        let names: HashSet<&str> = Index::ALL
            .iter()
            .flat_map(|i| [i.name(), i.partition_attr().name(), i.sort_attr().name()])
            .collect();
        assert_eq!(names.len(), 3 * Index::ALL.len());
    }

    #[test]
    fn an_index_cursor_comes_back_only_for_its_own_list() {
        let mut item = Item::new();
        for (name, value) in [
            ("gsi3pk", "C#0904#2036#K"),
            ("gsi3sk", "ｹﾝﾎﾟ \"#\u{10FFFF}"),
            ("pk", "TARGETS#0904"),
            ("sk", "TARGET#1"),
        ] {
            item.insert(name.into(), value.into());
        }
        let cursor = IndexCursor::after(Index::ByKana, &item);
        let encoded = cursor.encode();
        assert!(encoded.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(IndexCursor::decode(&encoded, "C#0904#2036#K", "ｹﾝ").unwrap(), cursor);
        for (pk, prefix) in [("C#0904#2036#S#submitted", ""), ("C#0904#2036#K", "ｻ")] {
            assert!(matches!(
                IndexCursor::decode(&encoded, pk, prefix),
                Err(StoreError::Refused(_))
            ));
        }
        for garbage in ["", "zz", &hex::encode("[\"a\"]")] {
            assert!(matches!(
                IndexCursor::decode(garbage, "C#0904#2036#K", ""),
                Err(StoreError::Refused(_))
            ));
        }
    }
}
