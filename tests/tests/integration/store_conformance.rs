//! One conformance suite for both storage engines: every behaviour `records` and the flows rely
//! on, checked against the embedded SQLite engine and against DynamoDB Local.

use kennin::store::{Attr, Change, Cond, Index, Item, ItemStore, Key, Page, StoreError, TTL, Tag, Write, sort_key};
use kennin_tests::{Engine, fresh_store, on_both_engines};
use serde_json::{Value, json};

/// The attributes of the suite's own items (the records of `records` declare theirs there).
const V: Attr<i64> = Attr::new("v");
const KIND: Attr<str> = Attr::new("kind");
const OTHER: Attr<str> = Attr::new("other");
const COUNT: Attr<i64> = Attr::new("count");
const NAME: Attr<str> = Attr::new("name");
const CLAIMED: Attr<str> = Attr::new("claimed");
const N: Attr<i64> = Attr::new("n");
const X: Attr<i64> = Attr::new("x");

const FIRST: Tag = Tag("first");
const SECOND: Tag = Tag("second");
const THIRD: Tag = Tag("third");

fn item(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn put(key: &Key, value: Value) -> Write {
    Write::put(key.clone(), item(value))
}

async fn get_missing_then_put_and_read_back(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#1", "A");
    assert!(store.get(&key).await.unwrap().is_none());
    assert!(store.get_eventually_consistent(&key).await.unwrap().is_none());
    let value = json!({ "s": "ケンポ", "n": 42, "neg": -7, "b": true, "list": [1, "x"], "map": { "k": "v" } });
    store.transact(vec![put(&key, value.clone())]).await.unwrap();
    let read = store.get(&key).await.unwrap().unwrap();
    for (name, expected) in item(value) {
        assert_eq!(read.get(&name), Some(&expected), "{name}");
    }
    assert_eq!(read["pk"], "T#1");
    assert_eq!(read["sk"], "A");
    // DynamoDB Local answers eventually consistent reads from the latest write too.
    assert_eq!(store.get_eventually_consistent(&key).await.unwrap(), Some(read));
}

async fn conditions_decide_single_writes(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#2", "A");
    store
        .transact(vec![put(&key, json!({ "v": 1, "kind": "x" })).when(Cond::NotExists)])
        .await
        .unwrap();
    let again = store
        .transact(vec![put(&key, json!({ "v": 2 })).when(Cond::NotExists).tagged(FIRST)])
        .await;
    assert!(
        matches!(again, Err(StoreError::ConditionFailed { failed: Some(FIRST) })),
        "{again:?}"
    );
    assert_eq!(store.get(&key).await.unwrap().unwrap()["v"], 1);

    let wrong = Cond::And(vec![Cond::eq(KIND, "x"), Cond::lt(V, 1)]);
    assert!(
        store
            .transact(vec![put(&key, json!({ "v": 3 })).when(wrong)])
            .await
            .is_err()
    );
    let right = Cond::Or(vec![
        Cond::eq(KIND, "y"),
        Cond::And(vec![Cond::le(V, 1), Cond::missing(OTHER)]),
    ]);
    store
        .transact(vec![put(&key, json!({ "v": 4 })).when(right)])
        .await
        .unwrap();
    assert_eq!(store.get(&key).await.unwrap().unwrap()["v"], 4);

    let gone = Write::delete(key.clone()).when(Cond::eq(V, 5));
    assert!(store.transact(vec![gone]).await.is_err());
    store
        .transact(vec![Write::delete(key.clone()).when(Cond::Exists)])
        .await
        .unwrap();
    assert!(store.get(&key).await.unwrap().is_none());
}

async fn update_creates_adds_sets_removes_and_returns_new(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#3", "A");
    let created = store
        .update(&key, &[Change::add(COUNT, 1), Change::set(NAME, "a")], None)
        .await
        .unwrap();
    assert_eq!(created["count"], 1);
    let updated = store
        .update(
            &key,
            &[Change::add(COUNT, 2), Change::remove(NAME), Change::set(TTL, 99)],
            Some(&Cond::Exists),
        )
        .await
        .unwrap();
    assert_eq!(updated["count"], 3);
    assert!(updated.get("name").is_none());
    assert_eq!(updated["ttl"], 99);
    let refused = store
        .update(&key, &[Change::add(COUNT, 1)], Some(&Cond::lt(COUNT, 3)))
        .await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed { failed: None })));
    assert_eq!(store.get(&key).await.unwrap().unwrap()["count"], 3);
    let missing = store
        .update(&Key::new("T#3", "B"), &[Change::set(X, 1)], Some(&Cond::Exists))
        .await;
    assert!(matches!(missing, Err(StoreError::ConditionFailed { .. })));
    assert!(store.get(&Key::new("T#3", "B")).await.unwrap().is_none());
}

async fn a_group_is_all_or_nothing_and_names_the_failing_write(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let (a, b, c) = (Key::new("T#4", "A"), Key::new("T#4", "B"), Key::new("T#4", "C"));
    store
        .transact(vec![put(&c, json!({ "claimed": "someone" }))])
        .await
        .unwrap();
    let group = vec![
        put(&a, json!({ "v": 1 })).when(Cond::NotExists).tagged(FIRST),
        Write::update(b.clone(), vec![Change::set(V, 2)]).tagged(SECOND),
        Write::update(c.clone(), vec![Change::set(CLAIMED, "me")])
            .when(Cond::missing(CLAIMED))
            .tagged(THIRD),
    ];
    let result = store.transact(group).await;
    assert!(
        matches!(result, Err(StoreError::ConditionFailed { failed: Some(THIRD) })),
        "{result:?}"
    );
    assert!(store.get(&a).await.unwrap().is_none(), "nothing half-made");
    assert!(store.get(&b).await.unwrap().is_none(), "nothing half-made");
    assert_eq!(store.get(&c).await.unwrap().unwrap()["claimed"], "someone");

    let check_fails = vec![
        put(&a, json!({ "v": 1 })).tagged(FIRST),
        Write::check(b.clone(), Cond::Exists).tagged(SECOND),
    ];
    assert!(matches!(
        store.transact(check_fails).await,
        Err(StoreError::ConditionFailed { failed: Some(SECOND) })
    ));
    assert!(store.get(&a).await.unwrap().is_none());

    // A failing write without a tag is reported as such.
    let untagged = vec![
        put(&a, json!({ "v": 1 })).tagged(FIRST),
        Write::check(b.clone(), Cond::Exists),
    ];
    assert!(matches!(
        store.transact(untagged).await,
        Err(StoreError::ConditionFailed { failed: None })
    ));

    let group = vec![
        put(&a, json!({ "v": 1 })).when(Cond::NotExists),
        Write::check(c.clone(), Cond::eq(CLAIMED, "someone")),
    ];
    store.transact(group).await.unwrap();
    assert!(store.get(&a).await.unwrap().is_some());
}

/// DynamoDB refuses a group that names one item twice (ValidationException); both engines
/// refuse it before writing anything, as a bug of the caller.
async fn the_same_item_twice_in_a_group_is_refused(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let (a, b) = (Key::new("T#10", "A"), Key::new("T#10", "B"));
    let twice = vec![
        put(&b, json!({ "v": 1 })),
        put(&a, json!({ "v": 1 })),
        Write::update(a.clone(), vec![Change::add(V, 1)]),
    ];
    let result = store.transact(twice).await;
    assert!(matches!(result, Err(StoreError::Refused(_))), "{result:?}");
    assert!(store.get(&a).await.unwrap().is_none());
    assert!(store.get(&b).await.unwrap().is_none());
    let check_and_write = vec![Write::check(a.clone(), Cond::NotExists), put(&a, json!({ "v": 1 }))];
    assert!(matches!(
        store.transact(check_and_write).await,
        Err(StoreError::Refused(_))
    ));
    assert!(store.get(&a).await.unwrap().is_none());
}

/// A group of one check is evaluated by the engine as a condition check: it writes nothing and
/// fails with the check's tag.
async fn a_lone_check_is_a_condition_check(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#11", "A");
    let missing = store
        .transact(vec![Write::check(key.clone(), Cond::Exists).tagged(FIRST)])
        .await;
    assert!(
        matches!(missing, Err(StoreError::ConditionFailed { failed: Some(FIRST) })),
        "{missing:?}"
    );
    store
        .transact(vec![Write::check(key.clone(), Cond::NotExists)])
        .await
        .unwrap();
    assert!(store.get(&key).await.unwrap().is_none(), "a check writes nothing");

    store.transact(vec![put(&key, json!({ "v": 3 }))]).await.unwrap();
    store
        .transact(vec![Write::check(key.clone(), Cond::eq(V, 3))])
        .await
        .unwrap();
    let wrong = store
        .transact(vec![Write::check(key.clone(), Cond::lt(V, 3)).tagged(SECOND)])
        .await;
    assert!(matches!(
        wrong,
        Err(StoreError::ConditionFailed { failed: Some(SECOND) })
    ));
    assert_eq!(store.get(&key).await.unwrap().unwrap(), {
        let mut expected = item(json!({ "v": 3 }));
        expected.insert("pk".into(), "T#11".into());
        expected.insert("sk".into(), "A".into());
        expected
    });
}

async fn attribute_presence_decides(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#12", "A");
    store.transact(vec![put(&key, json!({ "v": 1 }))]).await.unwrap();
    store
        .update(&key, &[Change::add(V, 1)], Some(&Cond::present(V)))
        .await
        .unwrap();
    let absent = store
        .update(&key, &[Change::add(V, 1)], Some(&Cond::present(OTHER)))
        .await;
    assert!(matches!(absent, Err(StoreError::ConditionFailed { .. })));
    let in_group = vec![
        Write::check(key.clone(), Cond::present(V)),
        put(&Key::new("T#12", "B"), json!({}))
            .when(Cond::present(V))
            .tagged(SECOND),
    ];
    assert!(matches!(
        store.transact(in_group).await,
        Err(StoreError::ConditionFailed { failed: Some(SECOND) })
    ));
    assert_eq!(store.get(&key).await.unwrap().unwrap()["v"], 2);
}

/// An empty `And` holds and an empty `Or` does not, alone or nested, on items that exist and on
/// items that do not; groups of one and groups in groups are accepted too (DynamoDB refuses
/// redundant parentheses in an expression).
async fn empty_and_nested_groups_follow_logic(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let (there, absent) = (Key::new("T#13", "A"), Key::new("T#13", "B"));
    store
        .transact(vec![put(&there, json!({ "v": 1, "kind": "x" }))])
        .await
        .unwrap();
    let holds = [
        Cond::And(vec![]),
        Cond::Or(vec![Cond::And(vec![]), Cond::eq(KIND, "no")]),
        Cond::Or(vec![Cond::Or(vec![]), Cond::And(vec![])]),
        Cond::And(vec![Cond::And(vec![])]),
    ];
    let fails = [
        Cond::Or(vec![]),
        Cond::And(vec![Cond::Or(vec![]), Cond::And(vec![])]),
        Cond::Or(vec![Cond::Or(vec![])]),
    ];
    for key in [&there, &absent] {
        for cond in &holds {
            store
                .transact(vec![Write::check(key.clone(), cond.clone())])
                .await
                .unwrap_or_else(|e| panic!("{cond:?} on {key:?}: {e}"));
        }
        for cond in &fails {
            let result = store.transact(vec![Write::check(key.clone(), cond.clone())]).await;
            assert!(
                matches!(result, Err(StoreError::ConditionFailed { .. })),
                "{cond:?} on {key:?}: {result:?}"
            );
        }
    }
    let nested = [
        Cond::And(vec![Cond::eq(V, 1)]),
        Cond::Or(vec![Cond::Or(vec![Cond::eq(KIND, "x")])]),
        Cond::And(vec![
            Cond::And(vec![Cond::Exists, Cond::eq(V, 1)]),
            Cond::Or(vec![Cond::eq(KIND, "y"), Cond::And(vec![Cond::eq(KIND, "x")])]),
        ]),
    ];
    for cond in nested {
        store
            .update(&there, &[Change::set(X, 1)], Some(&cond))
            .await
            .unwrap_or_else(|e| panic!("{cond:?}: {e}"));
    }
}

async fn concurrent_increments_are_atomic(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#5", "A");
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                store
                    .update(&key, &[Change::add(N, 1)], None)
                    .await
                    .map(|i| i["n"].as_i64())
            })
        })
        .collect();
    let mut seen: Vec<i64> = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap().unwrap().unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=40).collect::<Vec<_>>(),
        "every increment saw a distinct count"
    );
}

async fn concurrent_conditional_creates_have_one_winner(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let guard = Key::new("T#6", "GUARD");
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (store, guard) = (store.clone(), guard.clone());
            tokio::spawn(async move {
                let own = Key::new("T#6", format!("FLOW#{i}"));
                store
                    .transact(vec![
                        put(&guard, json!({ "owner": i })).when(Cond::NotExists),
                        put(&own, json!({ "won": true })),
                    ])
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => winners += 1,
            Err(StoreError::ConditionFailed { .. }) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(store.query("T#6", "FLOW#").await.unwrap().len(), 1);
}

async fn query_reads_one_partition_by_prefix_in_order(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let items: Vec<(Key, Item)> = (0..60)
        .map(|i| (Key::new("T#7", format!("CARD#{i:03}")), item(json!({ "i": i }))))
        .chain([
            (Key::new("T#7", "OTHER#1".to_string()), item(json!({}))),
            (Key::new("T#8", "CARD#001".to_string()), item(json!({}))),
        ])
        .collect();
    store.put_many(items).await.unwrap();
    let cards = store.query("T#7", "CARD#").await.unwrap();
    assert_eq!(cards.len(), 60);
    let order: Vec<i64> = cards.iter().map(|c| c["i"].as_i64().unwrap()).collect();
    assert_eq!(order, (0..60).collect::<Vec<_>>());
    assert!(store.query("T#9", "CARD#").await.unwrap().is_empty());
}

/// DynamoDB answers a query one page of at most 1 MB at a time: a partition of about 1.5 MB
/// comes back whole, in order, only if the engine follows the pages.
async fn query_reads_past_one_page(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let filler = "x".repeat(50_000);
    let items: Vec<(Key, Item)> = (0..30)
        .map(|i| {
            let key = Key::new("T#14", format!("PAGE#{i:03}"));
            (key, item(json!({ "i": i, "filler": filler })))
        })
        .collect();
    store.put_many(items).await.unwrap();
    let read = store.query("T#14", "PAGE#").await.unwrap();
    let order: Vec<i64> = read.iter().map(|c| c["i"].as_i64().unwrap()).collect();
    assert_eq!(order, (0..30).collect::<Vec<_>>());
    assert!(read.iter().all(|c| c["filler"] == filler.as_str()));
}

/// Every page of a partition under a prefix, from its beginning until `last` is `None`.
async fn all_pages(store: &dyn ItemStore, pk: &str, sk_prefix: &str, limit: usize) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    loop {
        let after = pages.last().and_then(|page| page.last.as_deref());
        let page = store.query_page(pk, sk_prefix, after, limit).await.unwrap();
        let done = page.last.is_none();
        pages.push(page);
        if done {
            return pages;
        }
    }
}

fn numbers(items: &[Item]) -> Vec<i64> {
    items.iter().map(|c| c["i"].as_i64().unwrap()).collect()
}

/// Pages of `limit` items in sort key order; `last` names each full page's last item and is
/// `None` only on the final page. Items of the neighbouring prefixes (just before and just
/// after in sort key order) and of another partition never appear.
async fn query_page_streams_a_partition_in_order(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let items: Vec<(Key, Item)> = (0..130)
        .map(|i| (Key::new("T#15", format!("CARD#{i:03}")), item(json!({ "i": i }))))
        .chain(
            [
                ("T#15", "CARC#999"),
                ("T#15", "CARD"),
                ("T#15", "CARD$000"),
                ("T#16", "CARD#000"),
            ]
            .map(|(pk, sk)| (Key::new(pk, sk), item(json!({ "i": -1 })))),
        )
        .collect();
    store.put_many(items).await.unwrap();
    let pages = all_pages(store.as_ref(), "T#15", "CARD#", 50).await;
    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    assert_eq!(sizes, [50, 50, 30]);
    for page in &pages[..2] {
        assert_eq!(page.last.as_deref(), page.items.last().map(sort_key));
    }
    let read: Vec<Item> = pages.into_iter().flat_map(|page| page.items).collect();
    assert_eq!(numbers(&read), (0..130).collect::<Vec<_>>());
}

/// `after` is exclusive, may name a key no item has, and bounds nothing when it lies before the
/// prefix; past the prefix there is nothing left. A full page may be followed by an empty one.
async fn query_page_starts_after_the_given_key(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let items: Vec<(Key, Item)> = (0..10)
        .map(|i| (Key::new("T#17", format!("CARD#{i:03}")), item(json!({ "i": i }))))
        .chain([(Key::new("T#17", "CARE#000"), item(json!({ "i": -1 })))])
        .collect();
    store.put_many(items).await.unwrap();
    let page = async |after: Option<&str>, limit: usize| store.query_page("T#17", "CARD#", after, limit).await.unwrap();

    let next = page(Some("CARD#003"), 3).await;
    assert_eq!(numbers(&next.items), [4, 5, 6]);
    assert_eq!(next.last.as_deref(), Some("CARD#006"));
    let between = page(Some("CARD#0035"), 2).await;
    assert_eq!(numbers(&between.items), [4, 5]);
    let before = page(Some("CARC#999"), 2).await;
    assert_eq!(numbers(&before.items), [0, 1]);
    let past = page(Some("CARD$"), 2).await;
    assert!(past.items.is_empty() && past.last.is_none(), "{past:?}");

    let full = page(Some("CARD#007"), 2).await;
    assert_eq!(numbers(&full.items), [8, 9]);
    assert_eq!(full.last.as_deref(), Some("CARD#009"));
    let end = page(full.last.as_deref(), 2).await;
    assert!(end.items.is_empty() && end.last.is_none(), "{end:?}");
}

async fn query_page_of_an_empty_partition_is_empty_and_final(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let empty = store.query_page("T#18", "CARD#", None, 25).await.unwrap();
    assert!(empty.items.is_empty() && empty.last.is_none(), "{empty:?}");
    let none = store.query_page("T#18", "CARD#", None, 0).await;
    assert!(matches!(none, Err(StoreError::Refused(_))), "{none:?}");
}

/// DynamoDB cuts a Query at 1 MB whatever its limit: a page of 25 items of 50 KB still holds
/// all 25 only if the engine reads on until the limit.
async fn query_page_reads_past_one_dynamodb_page(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let filler = "x".repeat(50_000);
    let items: Vec<(Key, Item)> = (0..30)
        .map(|i| {
            let key = Key::new("T#19", format!("PAGE#{i:03}"));
            (key, item(json!({ "i": i, "filler": filler })))
        })
        .collect();
    store.put_many(items).await.unwrap();
    let pages = all_pages(store.as_ref(), "T#19", "PAGE#", 25).await;
    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    assert_eq!(sizes, [25, 5]);
    let read: Vec<Item> = pages.into_iter().flat_map(|page| page.items).collect();
    assert_eq!(numbers(&read), (0..30).collect::<Vec<_>>());
}

/// A partition read backwards, as the audit log's months are: pages of `limit` from the last
/// sort key, each page's `last` its last (oldest) item, `before` exclusive; nothing of another
/// partition; past one DynamoDB page of 1 MB; a limit of 0 refused.
async fn query_page_newest_first_reads_a_partition_backwards(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let filler = "x".repeat(50_000);
    let items: Vec<(Key, Item)> = (0..30)
        .map(|i| {
            let key = Key::new("T#20", format!("{i:012}#r"));
            (key, item(json!({ "i": i, "filler": filler })))
        })
        .chain([(Key::new("T#21", "000000000099#r"), item(json!({ "i": -1 })))])
        .collect();
    store.put_many(items).await.unwrap();
    let mut pages: Vec<Page> = Vec::new();
    loop {
        let before = pages.last().and_then(|page| page.last.as_deref());
        let page = store.query_page_newest_first("T#20", before, 25).await.unwrap();
        let done = page.last.is_none();
        pages.push(page);
        if done {
            break;
        }
    }
    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    assert_eq!(sizes, [25, 5]);
    assert_eq!(pages[0].last.as_deref(), pages[0].items.last().map(sort_key));
    let read: Vec<Item> = pages.into_iter().flat_map(|page| page.items).collect();
    assert_eq!(numbers(&read), (0..30).rev().collect::<Vec<_>>());

    let between = store
        .query_page_newest_first("T#20", Some("000000000005"), 3)
        .await
        .unwrap();
    assert_eq!(numbers(&between.items), [4, 3, 2]);
    let empty = store.query_page_newest_first("T#22", None, 3).await.unwrap();
    assert!(empty.items.is_empty() && empty.last.is_none(), "{empty:?}");
    let none = store.query_page_newest_first("T#20", None, 0).await;
    assert!(matches!(none, Err(StoreError::Refused(_))), "{none:?}");
}

/// A queue by date: the items whose sort key is at most the bound (equal included), first to
/// last, no more than the limit, none of another partition; past one DynamoDB page of 1 MB.
async fn query_through_reads_the_due_items_in_order(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let filler = "x".repeat(50_000);
    let items: Vec<(Key, Item)> = (0..30)
        .map(|i| {
            let key = Key::new("T#21", format!("{:012}#{i}", 1_000 + i));
            (key, item(json!({ "i": i, "filler": filler })))
        })
        .chain([(Key::new("T#22", "000000000000#x"), item(json!({ "i": -1 })))])
        .collect();
    store.put_many(items).await.unwrap();
    let due = async |through: &str, limit: usize| numbers(&store.query_through("T#21", through, limit).await.unwrap());
    assert_eq!(due(&format!("{:012}#3", 1_003), 10).await, [0, 1, 2, 3]);
    assert_eq!(
        due(&format!("{:012}", 1_003), 10).await,
        [0, 1, 2],
        "a prefix sorts first"
    );
    assert_eq!(due(&format!("{:012}", 1_003), 2).await, [0, 1]);
    assert_eq!(due("9", 100).await, (0..30).collect::<Vec<_>>());
    assert_eq!(due("9", 25).await, (0..25).collect::<Vec<_>>());
    assert!(due("0", 10).await.is_empty());
    let none = store.query_through("T#21", "9", 0).await;
    assert!(matches!(none, Err(StoreError::Refused(_))), "{none:?}");
}

/// Many more items than one batch (25 on DynamoDB), sent concurrently, all land.
async fn put_many_lands_every_item(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let items: Vec<(Key, Item)> = (0..260)
        .map(|i| (Key::new("T#20", format!("ROW#{i:03}")), item(json!({ "i": i }))))
        .collect();
    store.put_many(items).await.unwrap();
    let read = store.query("T#20", "ROW#").await.unwrap();
    assert_eq!(numbers(&read), (0..260).collect::<Vec<_>>());
}

/// What `read` answers once `settled` holds of it: at once on SQLite, whose indexes are written
/// with the item; on DynamoDB, whose indexes follow the table within about a second, after
/// reading again for up to 2 s. The caller asserts on what comes back, the last read if none
/// settled.
async fn once_settled<T>(engine: Engine, mut read: impl AsyncFnMut() -> T, settled: impl Fn(&T) -> bool) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let value = read().await;
        if matches!(engine, Engine::Sqlite) || settled(&value) || std::time::Instant::now() >= deadline {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Every page of an index list, from its beginning until `last` is `None`.
async fn all_index_pages(
    store: &dyn ItemStore,
    index: Index,
    pk: &str,
    sk_prefix: &str,
    limit: usize,
    newest_first: bool,
) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    loop {
        let after = pages.last().and_then(|page| page.last.as_deref());
        let page = store
            .index_page(index, pk, sk_prefix, after, limit, newest_first)
            .await
            .unwrap();
        let done = page.last.is_none();
        pages.push(page);
        if done {
            return pages;
        }
    }
}

/// The table keys of a whole index list, read `limit` items at a time, as `pk/sk`.
async fn index_list(
    store: &dyn ItemStore,
    index: Index,
    pk: &str,
    sk_prefix: &str,
    limit: usize,
    newest_first: bool,
) -> Vec<String> {
    let pages = all_index_pages(store, index, pk, sk_prefix, limit, newest_first).await;
    pages.iter().flat_map(|page| &page.items).map(table_key).collect()
}

fn table_key(item: &Item) -> String {
    format!("{}/{}", item["pk"].as_str().unwrap(), sort_key(item))
}

/// An item at `pk/sk` (as `table_key` writes it) with the given attributes.
fn at(key: &str, value: Value) -> (Key, Item) {
    let (pk, sk) = key.split_once('/').unwrap();
    (Key::new(pk, sk), item(value))
}

/// An item is in an index only while it has both of the index's key attributes, and only in
/// the indexes whose attributes it has: the same value in another index's attribute is another
/// index's entry.
async fn an_index_holds_only_items_with_both_its_attributes(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    store
        .put_many(vec![
            at("I#1/A", json!({ "gsi1pk": "P", "gsi1sk": "S#2" })),
            at("I#1/B", json!({ "gsi1pk": "P" })),
            at("I#1/C", json!({ "gsi1sk": "S#0" })),
            at("I#1/D", json!({ "v": 1 })),
            at(
                "I#1/E",
                json!({ "gsi1pk": "P", "gsi1sk": "S#1", "gsi2pk": "O", "gsi2sk": "x" }),
            ),
            at("I#1/F", json!({ "gsi2pk": "P", "gsi2sk": "S#0", "gsi3pk": "P" })),
        ])
        .await
        .unwrap();
    let expected = [
        (Index::ByStatus, "P", vec!["I#1/E", "I#1/A"]),
        (Index::ByOffice, "O", vec!["I#1/E"]),
        (Index::ByOffice, "P", vec!["I#1/F"]),
        (Index::ByKana, "P", vec![]),
    ];
    for (index, pk, keys) in expected {
        let read = once_settled(
            engine,
            async || index_list(store.as_ref(), index, pk, "", 10, false).await,
            |read| read == &keys,
        )
        .await;
        assert_eq!(read, keys, "{index:?} {pk}");
        assert_eq!(
            store.index_count(index, pk).await.unwrap(),
            keys.len() as u64,
            "{index:?} {pk}"
        );
        let page = store.index_page(index, pk, "", None, 10, false).await.unwrap();
        assert!(page.last.is_none(), "a short page is the last");
    }
    // The items an index returns are whole (the indexes project every attribute).
    let page = store
        .index_page(Index::ByOffice, "O", "", None, 1, false)
        .await
        .unwrap();
    assert_eq!(page.items[0]["gsi1sk"], "S#1");
}

/// An index is read in its sort key's order, reversed newest first; a prefix bounds the sort key
/// exactly, in byte order (kana too); pages of one item read the same list.
async fn an_index_reads_in_sort_key_order_within_a_prefix(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let ordered = ["R#9", "S", "S#", "S#0", "S#1", "S#1#a", "S#2", "S$0", "ｹ", "ｹﾝﾎﾟ", "ｹﾞﾝ"];
    // Table keys in another order than the index's, so that only the index sort key can order.
    let items = ordered
        .iter()
        .enumerate()
        .map(|(i, sort)| at(&format!("I#{}/T", 20 - i), json!({ "gsi3pk": "K", "gsi3sk": sort })))
        .collect();
    store.put_many(items).await.unwrap();
    let sort_keys = async |prefix: &str, limit: usize, newest_first: bool| {
        let pages = all_index_pages(store.as_ref(), Index::ByKana, "K", prefix, limit, newest_first).await;
        let items = pages.iter().flat_map(|page| &page.items);
        let mut read: Vec<String> = items.map(|item| item["gsi3sk"].as_str().unwrap().to_string()).collect();
        if newest_first {
            read.reverse();
        }
        read
    };
    let read = once_settled(
        engine,
        async || sort_keys("", 50, false).await,
        |read| read.len() == ordered.len(),
    )
    .await;
    assert_eq!(read, ordered);
    let bounded = [
        ("S#", &ordered[2..7]),
        ("S#1", &ordered[4..6]),
        ("S#1#", &ordered[5..6]),
        ("ｹ", &ordered[8..]),
        ("ｹﾝ", &ordered[9..10]),
        ("T", &[]),
        ("", &ordered[..]),
    ];
    for (prefix, expected) in bounded {
        for limit in [1, 50] {
            for newest_first in [false, true] {
                let read = sort_keys(prefix, limit, newest_first).await;
                assert_eq!(read, expected, "{prefix:?} by {limit}, newest first: {newest_first}");
            }
        }
    }
}

/// Items of equal index sort keys: pages of any size read each once, in one order per direction,
/// between the items sorted before and after them.
async fn paging_reads_each_of_equal_index_sort_keys_once(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let ties = ["I#2/A", "I#1/Z", "I#3/A", "I#1/A", "I#2/D", "I#0/B", "I#9/Z"];
    let items = ties
        .iter()
        .map(|key| at(key, json!({ "gsi1pk": "P", "gsi1sk": "S#1" })))
        .chain([
            at("I#5/BEFORE", json!({ "gsi1pk": "P", "gsi1sk": "S#0" })),
            at("I#5/AFTER", json!({ "gsi1pk": "P", "gsi1sk": "S#2" })),
        ])
        .collect();
    store.put_many(items).await.unwrap();
    let mut sorted_ties: Vec<String> = ties.iter().map(|key| key.to_string()).collect();
    sorted_ties.sort();
    for newest_first in [false, true] {
        let whole = once_settled(
            engine,
            async || index_list(store.as_ref(), Index::ByStatus, "P", "", 50, newest_first).await,
            |read| read.len() == ties.len() + 2,
        )
        .await;
        let (first, last) = if newest_first {
            ("I#5/AFTER", "I#5/BEFORE")
        } else {
            ("I#5/BEFORE", "I#5/AFTER")
        };
        assert_eq!((whole[0].as_str(), whole[whole.len() - 1].as_str()), (first, last));
        let mut read_ties = whole[1..whole.len() - 1].to_vec();
        read_ties.sort();
        assert_eq!(read_ties, sorted_ties, "each tie once");
        for limit in [1, 2, 3] {
            let paged = index_list(store.as_ref(), Index::ByStatus, "P", "", limit, newest_first).await;
            assert_eq!(paged, whole, "by {limit}, newest first: {newest_first}");
        }
    }
}

/// 130 items by 50: pages of 50, 50 and 30, `last` only on the full ones, in both directions;
/// the count is the items of the partition and no other.
async fn index_pages_stream_a_partition_and_count_it(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let status = Index::ByStatus;
    let items: Vec<(Key, Item)> = (0..130)
        .map(|i| {
            at(
                &format!("I#{i}/TARGET"),
                json!({ "gsi1pk": "P", "gsi1sk": format!("{i:03}"), "i": i }),
            )
        })
        .chain([at("I#0/OTHER", json!({ "gsi1pk": "Q", "gsi1sk": "000", "i": -1 }))])
        .collect();
    store.put_many(items).await.unwrap();
    let count = once_settled(
        engine,
        async || store.index_count(status, "P").await.unwrap(),
        |n| *n == 130,
    )
    .await;
    assert_eq!(count, 130);
    assert_eq!(store.index_count(status, "Q").await.unwrap(), 1);
    assert_eq!(store.index_count(status, "R").await.unwrap(), 0);
    for newest_first in [false, true] {
        let pages = all_index_pages(store.as_ref(), status, "P", "", 50, newest_first).await;
        let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
        assert_eq!(sizes, [50, 50, 30]);
        assert!(pages[..2].iter().all(|page| page.last.is_some()));
        let mut read = numbers(&pages.into_iter().flat_map(|page| page.items).collect::<Vec<_>>());
        if newest_first {
            read.reverse();
        }
        assert_eq!(read, (0..130).collect::<Vec<_>>(), "newest first: {newest_first}");
    }
}

/// An item whose index partition key changes moves from one list to the other; one that loses
/// an index attribute, or is deleted, leaves the index.
async fn an_item_moves_and_leaves_with_its_index_attributes(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let status = Index::ByStatus;
    let (waiting, submitted) = ("C#0904#2036#S#not_started", "C#0904#2036#S#submitted");
    let key = Key::new("I#1", "TARGET#1");
    let other = Key::new("I#1", "TARGET#2");
    for (key, sk) in [(&key, "2036-06-01#1"), (&other, "2036-06-02#2")] {
        store
            .update(
                key,
                &[
                    Change::set(status.partition_attr(), waiting),
                    Change::set(status.sort_attr(), sk),
                ],
                None,
            )
            .await
            .unwrap();
    }
    let lists = async || {
        let mut lists = Vec::new();
        for pk in [waiting, submitted] {
            lists.push(index_list(store.as_ref(), status, pk, "", 10, false).await);
            lists.push(vec![store.index_count(status, pk).await.unwrap().to_string()]);
        }
        lists
    };
    let expect = |waiting: &[&str], submitted: &[&str]| {
        vec![
            waiting.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            vec![waiting.len().to_string()],
            submitted.iter().map(|k| k.to_string()).collect(),
            vec![submitted.len().to_string()],
        ]
    };
    let both = expect(&["I#1/TARGET#1", "I#1/TARGET#2"], &[]);
    assert_eq!(once_settled(engine, lists, |read| read == &both).await, both);

    store
        .update(
            &key,
            &[
                Change::set(status.partition_attr(), submitted),
                Change::set(status.sort_attr(), "2036-06-03#1"),
            ],
            None,
        )
        .await
        .unwrap();
    let moved = expect(&["I#1/TARGET#2"], &["I#1/TARGET#1"]);
    assert_eq!(once_settled(engine, lists, |read| read == &moved).await, moved);

    store
        .update(&key, &[Change::remove(status.sort_attr())], None)
        .await
        .unwrap();
    let left = expect(&["I#1/TARGET#2"], &[]);
    assert_eq!(once_settled(engine, lists, |read| read == &left).await, left);

    store.transact(vec![Write::delete(other.clone())]).await.unwrap();
    let none = expect(&[], &[]);
    assert_eq!(once_settled(engine, lists, |read| read == &none).await, none);
}

/// A cursor continues only the list it came from: another partition, a prefix it lies outside
/// of, or text no page returned is refused, as is a page of no items.
async fn an_index_cursor_of_another_list_is_refused(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let items = (0..3)
        .map(|i| {
            at(
                &format!("I#{i}/T"),
                json!({ "gsi2pk": "O#1", "gsi2sk": format!("S#{i}") }),
            )
        })
        .collect();
    store.put_many(items).await.unwrap();
    let first = once_settled(
        engine,
        async || {
            store
                .index_page(Index::ByOffice, "O#1", "S#", None, 2, false)
                .await
                .unwrap()
        },
        |page| page.items.len() == 2,
    )
    .await;
    let last = first.last.as_deref().expect("a full page has a cursor");
    let next = store
        .index_page(Index::ByOffice, "O#1", "S#", Some(last), 2, false)
        .await
        .unwrap();
    assert_eq!(next.items.iter().map(table_key).collect::<Vec<_>>(), ["I#2/T"]);
    let refused = [
        (Index::ByOffice, "O#2", "S#", Some(last)),
        (Index::ByOffice, "O#1", "S#2", Some(last)),
        (Index::ByOffice, "O#1", "", Some("S#1")),
        (Index::ByOffice, "O#1", "", Some("")),
    ];
    for (index, pk, prefix, after) in refused {
        let result = store.index_page(index, pk, prefix, after, 2, false).await;
        assert!(
            matches!(result, Err(StoreError::Refused(_))),
            "{pk} {prefix} {after:?}: {result:?}"
        );
    }
    let none = store.index_page(Index::ByOffice, "O#1", "", None, 0, false).await;
    assert!(matches!(none, Err(StoreError::Refused(_))), "{none:?}");
}

/// DynamoDB cuts a Query at 1 MB, a count's too: a page of 25 items of 50 KB still holds all 25,
/// and a count of 30 counts them all, only if the engine reads on.
async fn index_reads_past_one_dynamodb_page(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let filler = "x".repeat(50_000);
    let items: Vec<(Key, Item)> = (0..30)
        .map(|i| {
            at(
                &format!("I#{i:03}/T"),
                json!({ "gsi3pk": "K", "gsi3sk": format!("ｱ#{i:03}"), "i": i, "filler": filler }),
            )
        })
        .collect();
    store.put_many(items).await.unwrap();
    let count = once_settled(
        engine,
        async || store.index_count(Index::ByKana, "K").await.unwrap(),
        |n| *n == 30,
    )
    .await;
    assert_eq!(count, 30);
    let pages = all_index_pages(store.as_ref(), Index::ByKana, "K", "ｱ", 25, false).await;
    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    assert_eq!(sizes, [25, 5]);
    let read: Vec<Item> = pages.into_iter().flat_map(|page| page.items).collect();
    assert_eq!(numbers(&read), (0..30).collect::<Vec<_>>());
}

async fn warm_up_reaches_the_engine(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    store.warm_up().await.unwrap();
}

on_both_engines!(
    get_missing_then_put_and_read_back,
    query_page_newest_first_reads_a_partition_backwards,
    conditions_decide_single_writes,
    update_creates_adds_sets_removes_and_returns_new,
    a_group_is_all_or_nothing_and_names_the_failing_write,
    the_same_item_twice_in_a_group_is_refused,
    a_lone_check_is_a_condition_check,
    attribute_presence_decides,
    empty_and_nested_groups_follow_logic,
    concurrent_increments_are_atomic,
    concurrent_conditional_creates_have_one_winner,
    query_reads_one_partition_by_prefix_in_order,
    query_reads_past_one_page,
    query_page_streams_a_partition_in_order,
    query_page_starts_after_the_given_key,
    query_page_of_an_empty_partition_is_empty_and_final,
    query_page_reads_past_one_dynamodb_page,
    query_through_reads_the_due_items_in_order,
    put_many_lands_every_item,
    an_index_holds_only_items_with_both_its_attributes,
    an_index_reads_in_sort_key_order_within_a_prefix,
    paging_reads_each_of_equal_index_sort_keys_once,
    index_pages_stream_a_partition_and_count_it,
    an_item_moves_and_leaves_with_its_index_attributes,
    an_index_cursor_of_another_list_is_refused,
    index_reads_past_one_dynamodb_page,
    warm_up_reaches_the_engine,
);
