//! The embedded engine: one SQLite file, so a laptop run needs nothing but cargo and keeps its
//! data across restarts. SQLite serialises writers; one connection behind a mutex makes every
//! group of writes atomic and every condition see the latest state, as DynamoDB's do.

use super::{Action, Change, Cond, Item, ItemStore, Key, Page, StoreError, Write, check_group, check_page, sort_key};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
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

#[async_trait]
impl ItemStore for SqliteStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.with_conn(move |conn| read(conn, &key)).await
    }

    async fn update(&self, key: &Key, changes: &[Change], cond: Option<&Cond>) -> Result<Item, StoreError> {
        let (key, changes, cond) = (key.clone(), changes.to_vec(), cond.cloned());
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
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
            let tx = conn.transaction().map_err(unavailable)?;
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

    async fn put_many(&self, items: Vec<(Key, Item)>) -> Result<(), StoreError> {
        self.with_conn(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
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
