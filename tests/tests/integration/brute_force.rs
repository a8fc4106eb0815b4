//! Login brute force over HTTP, on both engines: one ID guessed from many addresses, many IDs
//! guessed from one address (password spraying), and the absolute cap on consecutive failures.
//! The timing comparison is in `login_timing.rs`.

use futures::StreamExt;
use kennin::clock::Clock;
use kennin::http::SESSION_COOKIE;
use kennin::lockout::{LOCK_SECONDS, MAX_CONSECUTIVE_FAILURES, MAX_LOGIN_FAILURES};
use kennin::store::ItemStore;
use kennin::store::records::{LoginFailures, from_item};
use kennin::throttle::LOGIN_FAILURES_PER_IP;
use kennin_tests::{Engine, HANAKO, PASSWORD, Reply, TARO, TestApp, on_both_engines, spawn_app};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::Ordering;

const WRONG: &str = "Wrong#pass1";
const GUESSES: usize = 200;

async fn login_from(app: &TestApp, address: &str, user_id: &str, password: &str) -> Reply {
    let request = app
        .raw("POST", "/api/session")
        .header("x-forwarded-for", address)
        .header("content-type", "application/json")
        .body(json!({ "userId": user_id, "password": password }).to_string());
    app.finish(request).await
}

/// The `n`th of many client addresses (documentation ranges, RFC 5737).
fn address(n: usize) -> String {
    format!("203.0.{}.{}", 113 + n / 250, n % 250 + 1)
}

/// Everything an answer shows except what differs on every request (its ID, its date).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shown {
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
}

fn shown(reply: &Reply) -> Shown {
    let mut body = reply.body.clone();
    if let Some(object) = body.as_object_mut() {
        object.remove("requestId");
    }
    let mut headers: Vec<(String, String)> = reply
        .headers
        .iter()
        .filter(|(name, _)| *name != "date" && *name != "x-request-id")
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    Shown {
        status: reply.status,
        body: body.to_string(),
        headers,
    }
}

/// The two answers a wrong password may get while the ID is guessed: the mismatch, and the
/// lock with its time left.
fn assert_generic(reply: &Reply) {
    let keys: Vec<&String> = reply.body.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["code", "message", "requestId"], "{:?}", reply.body);
    match (reply.status, reply.code()) {
        (401, "invalid_credentials") => assert_eq!(reply.header("retry-after"), None),
        (429, "login_locked") => {
            let left: i64 = reply.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=LOCK_SECONDS).contains(&left), "{left}");
        }
        other => panic!("not one of the two generic answers: {other:?} {:?}", reply.body),
    }
    assert!(reply.cookie(SESSION_COOKIE).is_none());
}

/// The failures counted for the typed ID: each one is a password that was evaluated.
async fn evaluated(app: &TestApp, user_id: &str) -> LoginFailures {
    let item = app.store.get(&LoginFailures::key(user_id)).await.unwrap();
    item.map(|item| from_item(item).unwrap()).unwrap_or_default()
}

/// `GUESSES` wrong passwords on the ID, each from its own address, `at_once` in flight at a time.
async fn guess_from_many_addresses(app: &Arc<TestApp>, user_id: &str, at_once: usize) -> Vec<Reply> {
    futures::stream::iter(0..GUESSES)
        .map(|n| {
            let (app, user_id) = (app.clone(), user_id.to_string());
            async move { login_from(&app, &address(n), &user_id, WRONG).await }
        })
        .buffered(at_once)
        .collect()
        .await
}

async fn two_hundred_concurrent_guesses_from_two_hundred_addresses_evaluate_at_most_five(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let mut answers = Vec::new();
    for user_id in ["kenpo_taro", "nobody_here"] {
        let replies = guess_from_many_addresses(&app, user_id, 100).await;
        replies.iter().for_each(assert_generic);
        let mismatches = replies.iter().filter(|r| r.status == 401).count();
        assert!(
            mismatches < MAX_LOGIN_FAILURES as usize,
            "{user_id}: {mismatches} plain failures"
        );
        assert_eq!(
            evaluated(&app, user_id).await.consecutive_failures,
            MAX_LOGIN_FAILURES,
            "{user_id}: exactly five of {GUESSES} were evaluated"
        );
        let mut distinct: Vec<Shown> = replies.iter().map(shown).collect();
        distinct.sort();
        distinct.dedup();
        answers.push(distinct);
    }
    assert_eq!(answers[0], answers[1], "a known and an unknown ID answer alike");
    let right = login_from(&app, &address(GUESSES), "kenpo_taro", PASSWORD).await;
    assert_eq!(
        (right.status, right.code()),
        (429, "login_locked"),
        "the right password too"
    );
}

async fn two_hundred_sequential_guesses_from_two_hundred_addresses_evaluate_at_most_five(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let known = guess_from_many_addresses(&app, "kenpo_taro", 1).await;
    let unknown = guess_from_many_addresses(&app, "nobody_here", 1).await;
    known.iter().chain(&unknown).for_each(assert_generic);
    let statuses: Vec<u16> = known.iter().map(|r| r.status).collect();
    assert_eq!(statuses[..4], [401; 4]);
    assert!(statuses[4..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(known[4].header("retry-after"), Some("1800"));
    assert_eq!(
        known.iter().map(shown).collect::<Vec<_>>(),
        unknown.iter().map(shown).collect::<Vec<_>>(),
        "the same sequence of answers for a known and an unknown ID"
    );
    for user_id in ["kenpo_taro", "nobody_here"] {
        assert_eq!(evaluated(&app, user_id).await.consecutive_failures, MAX_LOGIN_FAILURES);
    }
    let right = login_from(&app, &address(GUESSES), "kenpo_taro", PASSWORD).await;
    assert_eq!(
        (right.status, right.code()),
        (429, "login_locked"),
        "the right password too"
    );
}

async fn one_address_spraying_many_ids_is_stopped_and_other_addresses_are_not(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let (sprayer, neighbour) = ("192.0.2.66", "192.0.2.77");
    let limit = LOGIN_FAILURES_PER_IP.max as usize;

    // Failures count once each, whichever answer they get: four mismatches and the lock.
    for attempt in 1..=MAX_LOGIN_FAILURES {
        let reply = login_from(&app, sprayer, "locked_one", WRONG).await;
        assert_eq!(reply.status, if attempt < MAX_LOGIN_FAILURES { 401 } else { 429 });
    }
    // Refusals of a locked ID and successes evaluate nothing the address could learn from.
    for _ in 0..10 {
        assert_eq!(
            login_from(&app, sprayer, "locked_one", WRONG).await.code(),
            "login_locked"
        );
        assert_eq!(login_from(&app, sprayer, "kenpo_taro", PASSWORD).await.status, 200);
    }
    let sprayed: Vec<u16> = futures::stream::iter(MAX_LOGIN_FAILURES as usize..limit)
        .map(|n| {
            let app = app.clone();
            async move { login_from(&app, sprayer, &format!("sprayed_{n}"), WRONG).await.status }
        })
        .buffer_unordered(20)
        .collect()
        .await;
    assert!(
        sprayed.iter().all(|s| *s == 401),
        "within the limit every guess is evaluated"
    );

    let stopped = login_from(&app, sprayer, "one_more_id", WRONG).await;
    assert_eq!((stopped.status, stopped.code()), (429, "too_many_attempts"));
    assert!(
        stopped.body["message"]
            .as_str()
            .unwrap()
            .starts_with("ログインに続けて失敗したため")
    );
    let now = app.clock.unix();
    let window_end = now - now.rem_euclid(3_600) + 3_600;
    assert_eq!(
        stopped.header("retry-after"),
        Some((window_end - now).to_string().as_str())
    );
    assert_eq!(
        login_from(&app, sprayer, "kenpo_taro", PASSWORD).await.code(),
        "too_many_attempts",
        "nothing more is evaluated from the address this hour"
    );
    assert_eq!(
        evaluated(&app, "one_more_id").await.consecutive_failures,
        0,
        "a refused guess does not count against the ID"
    );

    assert_eq!(login_from(&app, neighbour, "one_more_id", WRONG).await.status, 401);
    assert_eq!(login_from(&app, neighbour, "kenpo_taro", PASSWORD).await.status, 200);

    app.clock.advance(window_end - now);
    assert_eq!(login_from(&app, sprayer, "kenpo_taro", PASSWORD).await.status, 200);
}

async fn a_store_failure_during_login_answers_503(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    app.store.down.store(true, Ordering::SeqCst);
    for (user_id, password) in [("kenpo_taro", PASSWORD), ("kenpo_taro", WRONG), ("nobody_here", WRONG)] {
        let reply = app.login(user_id, password).await;
        assert_eq!((reply.status, reply.code()), (503, "service_unavailable"), "{user_id}");
    }
    app.store.down.store(false, Ordering::SeqCst);
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.status, 200);
}

/// Wrong passwords on each ID in rounds of five, the clock moved past each 30-minute lock, until
/// `tries` have been made; the answers, ID by ID.
async fn fail_in_rounds(app: &TestApp, user_ids: &[&str], tries: i64) -> Vec<Vec<Reply>> {
    let mut answers: Vec<Vec<Reply>> = user_ids.iter().map(|_| Vec::new()).collect();
    for made in 0..tries {
        for (user_id, answers) in user_ids.iter().zip(&mut answers) {
            answers.push(app.login(user_id, WRONG).await);
        }
        if (made + 1) % MAX_LOGIN_FAILURES == 0 {
            app.clock.advance(LOCK_SECONDS);
        }
    }
    answers
}

async fn a_hundred_consecutive_failures_lock_the_id_until_a_password_reset(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let mut answers = fail_in_rounds(&app, &["kenpo_taro", "nobody_here"], MAX_CONSECUTIVE_FAILURES).await;
    for (n, reply) in answers[0][..MAX_CONSECUTIVE_FAILURES as usize - 1].iter().enumerate() {
        let expected = if (n as i64 + 1) % MAX_LOGIN_FAILURES == 0 {
            "login_locked"
        } else {
            "invalid_credentials"
        };
        assert_eq!(reply.code(), expected, "try {}", n + 1);
    }
    let capped = answers[0].last().unwrap();
    assert_eq!((capped.status, capped.code()), (429, "login_locked_until_reset"));
    assert!(
        capped.body["message"]
            .as_str()
            .unwrap()
            .contains("パスワードを忘れた方はこちら")
    );
    assert_eq!(capped.header("retry-after"), None, "waiting does not open it");

    // No wait opens it, and nothing more is evaluated.
    app.clock.advance(7 * 24 * 3_600);
    for (user_id, answers) in ["kenpo_taro", "nobody_here"].iter().zip(&mut answers) {
        answers.push(app.login(user_id, PASSWORD).await);
        assert_eq!(
            evaluated(&app, user_id).await.consecutive_failures,
            MAX_CONSECUTIVE_FAILURES
        );
    }
    let [known, unknown] = &answers[..] else { unreachable!() };
    assert_eq!(known.last().unwrap().code(), "login_locked_until_reset");
    assert_eq!(
        known.iter().map(shown).collect::<Vec<_>>(),
        unknown.iter().map(shown).collect::<Vec<_>>(),
        "an unknown ID reaches the cap the same way and says the same"
    );

    // A password reset opens it, with a fresh count.
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro@example.com" }),
        None,
    )
    .await;
    let code = app.latest_code("taro@example.com").await;
    let reset = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": "Nagoya#2031x" }),
            None,
        )
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    assert_eq!(app.login("kenpo_taro", "Nagoya#2031x").await.status, 200);
    let after = fail_in_rounds(&app, &["kenpo_taro"], MAX_LOGIN_FAILURES).await;
    assert_eq!(
        after[0].last().unwrap().code(),
        "login_locked",
        "30 minutes again, not the cap"
    );
}

async fn a_success_before_the_hundredth_failure_clears_the_count(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&HANAKO, "sakura_hanako", "hanako@example.com").await;
    fail_in_rounds(&app, &["sakura_hanako"], MAX_CONSECUTIVE_FAILURES - 1).await;
    assert_eq!(
        app.login("sakura_hanako", PASSWORD).await.status,
        200,
        "the hundredth try is still evaluated"
    );
    let after = fail_in_rounds(&app, &["sakura_hanako"], MAX_LOGIN_FAILURES).await;
    assert_eq!(after[0].last().unwrap().code(), "login_locked");
    assert_eq!(
        evaluated(&app, "sakura_hanako").await.consecutive_failures,
        MAX_LOGIN_FAILURES
    );
}

async fn an_id_capped_before_anyone_had_it_opens_for_the_person_who_takes_it(engine: Engine) {
    let app = spawn_app(engine).await;
    let answers = fail_in_rounds(&app, &["future_id"], MAX_CONSECUTIVE_FAILURES).await;
    assert_eq!(answers[0].last().unwrap().code(), "login_locked_until_reset");
    app.sign_up(&TARO, "future_id", "taro@example.com").await;
    assert_eq!(
        app.login("future_id", PASSWORD).await.status,
        200,
        "guesses against an ID nobody had say nothing about the new account's password"
    );
}

on_both_engines!(
    an_id_capped_before_anyone_had_it_opens_for_the_person_who_takes_it,
    two_hundred_concurrent_guesses_from_two_hundred_addresses_evaluate_at_most_five,
    two_hundred_sequential_guesses_from_two_hundred_addresses_evaluate_at_most_five,
    one_address_spraying_many_ids_is_stopped_and_other_addresses_are_not,
    a_store_failure_during_login_answers_503,
    a_hundred_consecutive_failures_lock_the_id_until_a_password_reset,
    a_success_before_the_hundredth_failure_clears_the_count,
);

#[test]
fn shown_ignores_only_the_per_request_parts() {
    let reply = |id: &str, date: &str, message: &str| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", id.parse().unwrap());
        headers.insert("date", date.parse().unwrap());
        headers.insert("retry-after", "1800".parse().unwrap());
        Reply {
            status: 429,
            headers,
            body: json!({ "code": "login_locked", "message": message, "requestId": id }),
        }
    };
    let first = shown(&reply("a", "Mon", "m"));
    assert_eq!(first, shown(&reply("b", "Tue", "m")));
    assert_ne!(first, shown(&reply("a", "Mon", "other")));
}
