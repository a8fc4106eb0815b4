//! One conformance suite for both storage engines: every behaviour `records` and the flows rely
//! on, checked against the embedded SQLite engine and against DynamoDB Local.

use kennin::store::{Change, Cond, Item, Key, StoreError, Write};
use kennin_tests::{Engine, fresh_store, on_both_engines};
use serde_json::{Value, json};

fn item(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn put(key: &Key, value: Value, cond: Option<Cond>) -> Write {
    Write::Put {
        key: key.clone(),
        item: item(value),
        cond,
    }
}

async fn get_missing_then_put_and_read_back(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#1", "A");
    assert!(store.get(&key).await.unwrap().is_none());
    assert!(store.get_eventually_consistent(&key).await.unwrap().is_none());
    let value = json!({ "s": "ケンポ", "n": 42, "neg": -7, "b": true, "list": [1, "x"], "map": { "k": "v" } });
    store.transact(vec![put(&key, value.clone(), None)]).await.unwrap();
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
        .transact(vec![put(&key, json!({ "v": 1, "kind": "x" }), Some(Cond::NotExists))])
        .await
        .unwrap();
    let again = store
        .transact(vec![put(&key, json!({ "v": 2 }), Some(Cond::NotExists))])
        .await;
    assert!(
        matches!(again, Err(StoreError::ConditionFailed { index: Some(0) })),
        "{again:?}"
    );
    assert_eq!(store.get(&key).await.unwrap().unwrap()["v"], 1);

    let wrong = Cond::And(vec![Cond::eq("kind", "x"), Cond::lt("v", 1)]);
    assert!(
        store
            .transact(vec![put(&key, json!({ "v": 3 }), Some(wrong))])
            .await
            .is_err()
    );
    let right = Cond::Or(vec![
        Cond::eq("kind", "y"),
        Cond::And(vec![Cond::le("v", 1), Cond::missing("other")]),
    ]);
    store
        .transact(vec![put(&key, json!({ "v": 4 }), Some(right))])
        .await
        .unwrap();
    assert_eq!(store.get(&key).await.unwrap().unwrap()["v"], 4);

    let gone = Write::Delete {
        key: key.clone(),
        cond: Some(Cond::eq("v", 5)),
    };
    assert!(store.transact(vec![gone]).await.is_err());
    store
        .transact(vec![Write::Delete {
            key: key.clone(),
            cond: Some(Cond::Exists),
        }])
        .await
        .unwrap();
    assert!(store.get(&key).await.unwrap().is_none());
}

async fn update_creates_adds_sets_removes_and_returns_new(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#3", "A");
    let created = store
        .update(&key, &[Change::add("count", 1), Change::set("name", "a")], None)
        .await
        .unwrap();
    assert_eq!(created["count"], 1);
    let updated = store
        .update(
            &key,
            &[Change::add("count", 2), Change::remove("name"), Change::set("ttl", 99)],
            Some(&Cond::Exists),
        )
        .await
        .unwrap();
    assert_eq!(updated["count"], 3);
    assert!(updated.get("name").is_none());
    assert_eq!(updated["ttl"], 99);
    let refused = store
        .update(&key, &[Change::add("count", 1)], Some(&Cond::lt("count", 3)))
        .await;
    assert!(matches!(refused, Err(StoreError::ConditionFailed { .. })));
    assert_eq!(store.get(&key).await.unwrap().unwrap()["count"], 3);
    let missing = store
        .update(&Key::new("T#3", "B"), &[Change::set("x", 1)], Some(&Cond::Exists))
        .await;
    assert!(matches!(missing, Err(StoreError::ConditionFailed { .. })));
    assert!(store.get(&Key::new("T#3", "B")).await.unwrap().is_none());
}

async fn a_group_is_all_or_nothing_and_names_the_failing_write(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let (a, b, c) = (Key::new("T#4", "A"), Key::new("T#4", "B"), Key::new("T#4", "C"));
    store
        .transact(vec![put(&c, json!({ "claimed": "someone" }), None)])
        .await
        .unwrap();
    let group = vec![
        put(&a, json!({ "v": 1 }), Some(Cond::NotExists)),
        Write::Update {
            key: b.clone(),
            changes: vec![Change::set("v", 2)],
            cond: None,
        },
        Write::Update {
            key: c.clone(),
            changes: vec![Change::set("claimed", "me")],
            cond: Some(Cond::missing("claimed")),
        },
    ];
    let result = store.transact(group).await;
    assert!(
        matches!(result, Err(StoreError::ConditionFailed { index: Some(2) })),
        "{result:?}"
    );
    assert!(store.get(&a).await.unwrap().is_none(), "nothing half-made");
    assert!(store.get(&b).await.unwrap().is_none(), "nothing half-made");
    assert_eq!(store.get(&c).await.unwrap().unwrap()["claimed"], "someone");

    let check_fails = vec![
        put(&a, json!({ "v": 1 }), None),
        Write::Check {
            key: b.clone(),
            cond: Cond::Exists,
        },
    ];
    assert!(matches!(
        store.transact(check_fails).await,
        Err(StoreError::ConditionFailed { index: Some(1) })
    ));
    assert!(store.get(&a).await.unwrap().is_none());

    let group = vec![
        put(&a, json!({ "v": 1 }), Some(Cond::NotExists)),
        Write::Check {
            key: c.clone(),
            cond: Cond::eq("claimed", "someone"),
        },
    ];
    store.transact(group).await.unwrap();
    assert!(store.get(&a).await.unwrap().is_some());
}

async fn concurrent_increments_are_atomic(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let key = Key::new("T#5", "A");
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                store
                    .update(&key, &[Change::add("n", 1)], None)
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
                        put(&guard, json!({ "owner": i }), Some(Cond::NotExists)),
                        put(&own, json!({ "won": true }), None),
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

async fn warm_up_reaches_the_engine(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    store.warm_up().await.unwrap();
}

on_both_engines!(
    get_missing_then_put_and_read_back,
    conditions_decide_single_writes,
    update_creates_adds_sets_removes_and_returns_new,
    a_group_is_all_or_nothing_and_names_the_failing_write,
    concurrent_increments_are_atomic,
    concurrent_conditional_creates_have_one_winner,
    query_reads_one_partition_by_prefix_in_order,
    warm_up_reaches_the_engine,
);
