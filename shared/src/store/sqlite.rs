//! The embedded engine: one SQLite file, so a laptop run needs nothing but cargo and keeps its
//! data across restarts. SQLite serialises writers; one connection behind a mutex makes every
//! group of writes atomic and every condition see the latest state, as DynamoDB's do.

use super::{
    Action, Change, Cond, Index, IndexCursor, Item, ItemStore, Key, Page, StoreError, Write, check_group, check_page,
    index_page_of, sort_key,
};
use async_trait::async_trait;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn parse(body: &str) -> Result<Item, StoreError> {
    serde_json::from_str(body).map_err(|_| StoreError::Unreadable { record: "item" })
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(unavailable)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS items (
                 pk TEXT NOT NULL,
                 sk TEXT NOT NULL,
                 body TEXT NOT NULL,
                 PRIMARY KEY (pk, sk)
             ) WITHOUT ROWID;",
        )
        .map_err(unavailable)?;
        // A file made before the indexes existed gets them here; building them reads the file once.
        for index in Index::ALL {
            let (partition, sort) = index_columns(index);
            conn.execute_batch(&format!(
                "CREATE INDEX IF NOT EXISTS items_{name} ON items ({partition}, {sort}, pk, sk)
                 WHERE {partition} IS NOT NULL AND {sort} IS NOT NULL;",
                name = index.name(),
            ))
            .map_err(unavailable)?;
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| unavailable("sqlite connection poisoned"))?;
            work(&mut guard)
        })
        .await
        .map_err(unavailable)?
    }
}

/// A transaction that takes the write lock at its start. Another process may write the same
/// file (kennin-admin beside a running kennin-local): a deferred transaction that reads first
/// and then writes cannot wait for that writer (SQLite answers "database is locked" at once, as
/// its snapshot is stale), where this one waits its turn under the busy timeout.
fn write_transaction(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, StoreError> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(unavailable)
}

fn read(conn: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM items WHERE pk = ?1 AND sk = ?2",
            params![key.pk, key.sk],
            |row| row.get(0),
        )
        .optional()
        .map_err(unavailable)?;
    body.as_deref().map(parse).transpose()
}

fn store(conn: &Connection, key: &Key, item: &Item) -> Result<(), StoreError> {
    let body = serde_json::to_string(item).map_err(unavailable)?;
    conn.execute(
        "INSERT INTO items (pk, sk, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (pk, sk) DO UPDATE SET body = excluded.body",
        params![key.pk, key.sk, body],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn remove(conn: &Connection, key: &Key) -> Result<(), StoreError> {
    conn.execute("DELETE FROM items WHERE pk = ?1 AND sk = ?2", params![key.pk, key.sk])
        .map_err(unavailable)?;
    Ok(())
}

fn with_key(mut item: Item, key: &Key) -> Item {
    item.insert("pk".into(), key.pk.clone().into());
    item.insert("sk".into(), key.sk.clone().into());
    item
}

fn apply_update(current: Option<Item>, key: &Key, changes: &[Change]) -> Item {
    let mut item = with_key(current.unwrap_or_default(), key);
    for change in changes {
        change.apply(&mut item);
    }
    item
}

/// The items of `pk` whose sort key starts with `prefix` and comes after `after`, in sort key
/// order, at most `limit` of them.
fn read_partition(
    conn: &Connection,
    pk: &str,
    prefix: &str,
    after: Option<&str>,
    limit: Option<usize>,
) -> Result<Vec<Item>, StoreError> {
    // One lower bound, the tighter of the two, so that SQLite seeks to it in the key's index
    // instead of reading from the prefix's start up to `after`.
    let (sql, from) = match after {
        Some(after) if after >= prefix => (
            "SELECT sk, body FROM items WHERE pk = ?1 AND sk > ?2 ORDER BY sk LIMIT ?3",
            after,
        ),
        _ => (
            "SELECT sk, body FROM items WHERE pk = ?1 AND sk >= ?2 ORDER BY sk LIMIT ?3",
            prefix,
        ),
    };
    // A negative LIMIT is none.
    let limit = limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
    let mut statement = conn.prepare_cached(sql).map_err(unavailable)?;
    let rows = statement
        .query_map(params![pk, from, limit], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(unavailable)?;
    let mut items = Vec::new();
    for row in rows {
        let (sk, body) = row.map_err(unavailable)?;
        // The rows run on past the prefix in sort key order: the first outside ends it.
        if !sk.starts_with(prefix) {
            break;
        }
        items.push(parse(&body)?);
    }
    Ok(items)
}

/// The expressions a table index's partition and sort keys are read by: the SQLite index of
/// the same name holds them, then the table key, and only for the items that have both (as a
/// sparse DynamoDB index does). A query must name them exactly so to use it.
fn index_columns(index: Index) -> (String, String) {
    let column = |name: &str| format!("json_extract(body, '$.{name}')");
    (column(index.partition_attr().name()), column(index.sort_attr().name()))
}

/// The least string above every string that starts with `prefix` (in UTF-8 byte order, which is
/// SQLite's and DynamoDB's), or `None` when no string is.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '\u{D7FF}' => Some('\u{E000}'),
            _ => char::from_u32(u32::from(last) + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The statement and parameters of one page of an index: a range of the index sort key that
/// SQLite seeks to in its index, then the rows past the cursor in (index sort key, table key)
/// order. SQLite seeks by no row value in an index of expressions, so the range itself starts at
/// the cursor's sort key, and only the cursor's ties are read and passed over.
fn index_page_query(
    index: Index,
    pk: &str,
    prefix: &str,
    after: Option<&IndexCursor>,
    limit: usize,
    newest_first: bool,
) -> (String, Vec<SqlValue>) {
    let (partition, sort) = index_columns(index);
    let prefix_end = prefix_end(prefix).map(|end| ("<", end));
    let ((from_op, from), to) = match after {
        Some(cursor) if !newest_first => ((">=", cursor.sort.clone()), prefix_end),
        Some(cursor) => ((">=", prefix.to_string()), Some(("<=", cursor.sort.clone()))),
        None => ((">=", prefix.to_string()), prefix_end),
    };
    let mut sql = format!("SELECT body FROM items WHERE {partition} = ? AND {sort} {from_op} ?");
    let mut values: Vec<SqlValue> = vec![pk.to_string().into(), from.into()];
    if let Some((to_op, to)) = to {
        sql.push_str(&format!(" AND {sort} {to_op} ?"));
        values.push(to.into());
    }
    let (direction, beyond) = if newest_first { ("DESC", "<") } else { ("ASC", ">") };
    if let Some(cursor) = after {
        sql.push_str(&format!(" AND ({sort}, pk, sk) {beyond} (?, ?, ?)"));
        values.extend([&cursor.sort, &cursor.pk, &cursor.sk].map(|key| SqlValue::from(key.clone())));
    }
    sql.push_str(&format!(
        " ORDER BY {sort} {direction}, pk {direction}, sk {direction} LIMIT ?"
    ));
    values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    (sql, values)
}

fn read_index(
    conn: &Connection,
    index: Index,
    pk: &str,
    prefix: &str,
    after: Option<&IndexCursor>,
    limit: usize,
    newest_first: bool,
) -> Result<Vec<Item>, StoreError> {
    let (sql, values) = index_page_query(index, pk, prefix, after, limit, newest_first);
    let mut statement = conn.prepare_cached(&sql).map_err(unavailable)?;
    let rows = statement
        .query_map(params_from_iter(values), |row| row.get::<_, String>(0))
        .map_err(unavailable)?;
    rows.map(|body| parse(&body.map_err(unavailable)?)).collect()
}

fn count_index_sql(index: Index) -> String {
    let (partition, sort) = index_columns(index);
    format!("SELECT count(*) FROM items WHERE {partition} = ?1 AND {sort} IS NOT NULL")
}

fn count_index(conn: &Connection, index: Index, pk: &str) -> Result<u64, StoreError> {
    let count: i64 = conn
        .prepare_cached(&count_index_sql(index))
        .and_then(|mut statement| statement.query_row(params![pk], |row| row.get(0)))
        .map_err(unavailable)?;
    Ok(u64::try_from(count).unwrap_or_default())
}

#[async_trait]
impl ItemStore for SqliteStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.with_conn(move |conn| read(conn, &key)).await
    }

    async fn update(&self, key: &Key, changes: &[Change], cond: Option<&Cond>) -> Result<Item, StoreError> {
        let (key, changes, cond) = (key.clone(), changes.to_vec(), cond.cloned());
        self.with_conn(move |conn| {
            let tx = write_transaction(conn)?;
            let current = read(&tx, &key)?;
            if let Some(cond) = &cond
                && !cond.holds(current.as_ref())
            {
                return Err(StoreError::ConditionFailed { failed: None });
            }
            let updated = apply_update(current, &key, &changes);
            store(&tx, &key, &updated)?;
            tx.commit().map_err(unavailable)?;
            Ok(updated)
        })
        .await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        check_group(&writes)?;
        self.with_conn(move |conn| {
            let tx = write_transaction(conn)?;
            for write in &writes {
                let key = &write.key;
                let current = read(&tx, key)?;
                if write.cond.as_ref().is_some_and(|c| !c.holds(current.as_ref())) {
                    // Dropping the transaction rolls back what the earlier writes did.
                    return Err(StoreError::ConditionFailed { failed: write.tag });
                }
                match &write.action {
                    Action::Put(item) => store(&tx, key, &with_key(item.clone(), key))?,
                    Action::Update(changes) => store(&tx, key, &apply_update(current, key, changes))?,
                    Action::Delete => remove(&tx, key)?,
                    Action::Check => {}
                }
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        let (pk, prefix) = (pk.to_string(), sk_prefix.to_string());
        self.with_conn(move |conn| read_partition(conn, &pk, &prefix, None, None))
            .await
    }

    async fn query_page(
        &self,
        pk: &str,
        sk_prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        check_page(limit)?;
        let (pk, prefix, after) = (pk.to_string(), sk_prefix.to_string(), after.map(str::to_string));
        let items = self
            .with_conn(move |conn| read_partition(conn, &pk, &prefix, after.as_deref(), Some(limit)))
            .await?;
        // A full page may have more after it, as DynamoDB's would.
        let last = match items.last() {
            Some(item) if items.len() == limit => Some(sort_key(item).to_string()),
            _ => None,
        };
        Ok(Page { items, last })
    }

    async fn query_page_newest_first(&self, pk: &str, before: Option<&str>, limit: usize) -> Result<Page, StoreError> {
        check_page(limit)?;
        let (pk, before) = (pk.to_string(), before.map(str::to_string));
        let wanted = i64::try_from(limit).unwrap_or(i64::MAX);
        let items: Vec<Item> = self
            .with_conn(move |conn| {
                let mut statement = conn
                    .prepare_cached(
                        "SELECT body FROM items WHERE pk = ?1 AND (?2 IS NULL OR sk < ?2) ORDER BY sk DESC LIMIT ?3",
                    )
                    .map_err(unavailable)?;
                let rows = statement
                    .query_map(params![pk, before, wanted], |row| row.get::<_, String>(0))
                    .map_err(unavailable)?;
                rows.map(|body| parse(&body.map_err(unavailable)?)).collect()
            })
            .await?;
        // A full page may have more after it, as DynamoDB's would.
        let last = match items.last() {
            Some(item) if items.len() == limit => Some(sort_key(item).to_string()),
            _ => None,
        };
        Ok(Page { items, last })
    }

    async fn query_through(&self, pk: &str, through: &str, limit: usize) -> Result<Vec<Item>, StoreError> {
        check_page(limit)?;
        let (pk, through) = (pk.to_string(), through.to_string());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_conn(move |conn| {
            let mut statement = conn
                .prepare_cached("SELECT body FROM items WHERE pk = ?1 AND sk <= ?2 ORDER BY sk LIMIT ?3")
                .map_err(unavailable)?;
            let rows = statement
                .query_map(params![pk, through, limit], |row| row.get::<_, String>(0))
                .map_err(unavailable)?;
            rows.map(|body| parse(&body.map_err(unavailable)?)).collect()
        })
        .await
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
        let after = after.map(|a| IndexCursor::decode(a, pk, sk_prefix)).transpose()?;
        let (pk, prefix) = (pk.to_string(), sk_prefix.to_string());
        let items = self
            .with_conn(move |conn| read_index(conn, index, &pk, &prefix, after.as_ref(), limit, newest_first))
            .await?;
        Ok(index_page_of(index, items, limit))
    }

    async fn index_count(&self, index: Index, pk: &str) -> Result<u64, StoreError> {
        let pk = pk.to_string();
        self.with_conn(move |conn| count_index(conn, index, &pk)).await
    }

    async fn put_many(&self, items: Vec<(Key, Item)>) -> Result<(), StoreError> {
        self.with_conn(move |conn| {
            let tx = write_transaction(conn)?;
            for (key, item) in &items {
                store(&tx, key, &with_key(item.clone(), key))?;
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn warm_up(&self) -> Result<(), StoreError> {
        self.with_conn(|conn| conn.execute_batch("SELECT 1").map_err(unavailable))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_at_the_next_string_in_byte_order() {
        assert_eq!(prefix_end("C#1#S#").as_deref(), Some("C#1#S$"));
        assert_eq!(prefix_end("ｹﾝ").as_deref(), Some("ｹﾞ"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        assert_eq!(prefix_end(""), None);
    }

    /// Two processes' stores on one file (kennin-local and kennin-admin) adding to the same item
    /// at once: every conditional update lands, none fails as "database is locked".
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_stores_on_one_file_wait_for_each_other() {
        use crate::store::{Attr, Change};
        const COUNT: Attr<i64> = Attr::new("n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kennin.sqlite3");
        let stores = [SqliteStore::open(&path).unwrap(), SqliteStore::open(&path).unwrap()];
        let key = Key::new("COUNTER", "C");
        let mut runs = Vec::new();
        for store in stores {
            let key = key.clone();
            runs.push(tokio::spawn(async move {
                for _ in 0..200 {
                    store
                        .update(&key, &[Change::add(COUNT, 1)], None)
                        .await
                        .expect("no lock error");
                }
            }));
        }
        for run in runs {
            run.await.unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let item = store.get(&key).await.unwrap().unwrap();
        assert_eq!(item.get(COUNT.name()).and_then(|v| v.as_i64()), Some(400));
    }

    fn plan(conn: &Connection, sql: &str, values: Vec<SqlValue>) -> String {
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let details = statement
            .query_map(params_from_iter(values), |row| row.get::<_, String>(3))
            .unwrap();
        details.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }

    /// Every page and count statement seeks in its own SQLite index, to the cursor when there is
    /// one, and reads it in order: no scan of the table, no sort of the rows.
    #[test]
    fn index_pages_and_counts_are_served_by_their_sqlite_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("kennin.sqlite3")).unwrap();
        let conn = store.conn.lock().unwrap();
        let cursor = IndexCursor {
            partition: "P".into(),
            sort: "S#2".into(),
            pk: "T".into(),
            sk: "A".into(),
        };
        for index in Index::ALL {
            let seek = format!("SEARCH items USING INDEX items_{} (<expr>=? AND <expr>>?", index.name());
            for (prefix, after) in [("", None), ("S#", None), ("", Some(&cursor)), ("S#", Some(&cursor))] {
                for newest_first in [false, true] {
                    let (sql, values) = index_page_query(index, "P", prefix, after, 50, newest_first);
                    let plan = plan(&conn, &sql, values.clone());
                    assert!(
                        plan.starts_with(&seek) && !plan.contains("TEMP B-TREE"),
                        "{sql} {values:?}: {plan}"
                    );
                }
            }
            let plan = plan(&conn, &count_index_sql(index), vec!["P".to_string().into()]);
            assert!(
                plan.contains(&format!("INDEX items_{} (<expr>=?", index.name())),
                "{plan}"
            );
        }
    }

    /// A file written before the indexes existed gets them when opened, and they hold its items.
    #[test]
    fn an_older_file_gets_the_indexes_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kennin.sqlite3");
        let older = Connection::open(&path).unwrap();
        older
            .execute_batch(
                r#"CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, body TEXT NOT NULL,
                       PRIMARY KEY (pk, sk)) WITHOUT ROWID;
                   INSERT INTO items VALUES ('T#1', 'A',
                       '{"pk":"T#1","sk":"A","gsi3pk":"K","gsi3sk":"ｱ#1"}');"#,
            )
            .unwrap();
        drop(older);
        let store = SqliteStore::open(&path).unwrap();
        let conn = store.conn.lock().unwrap();
        let indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'items_by%'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 3);
        assert_eq!(count_index(&conn, Index::ByKana, "K").unwrap(), 1);
        let read = read_index(&conn, Index::ByKana, "K", "ｱ", None, 10, false).unwrap();
        assert_eq!(read.len(), 1);
    }
}
