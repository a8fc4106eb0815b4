//! Races and abuse beyond the happy path, on both engines.

use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use kennin_tests::{Engine, HANAKO, PASSWORD, TARO, code_in, on_both_engines, spawn_app};
use serde_json::json;
use std::sync::Arc;

async fn a_hundred_flows_racing_for_one_user_id_have_one_winner(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    let mut flows = Vec::new();
    for person in [&TARO, &HANAKO] {
        for _ in 0..50 {
            flows.push(app.identity(person).await);
        }
    }
    let tasks: Vec<_> = flows
        .into_iter()
        .map(|flow| {
            let app = app.clone();
            tokio::spawn(async move { app.account(&flow, "the_one_id", "someone@example.com").await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
}

async fn one_person_registering_twice_in_parallel_gets_one_account(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    let (first, second) = (app.identity(&TARO).await, app.identity(&TARO).await);
    assert_eq!(app.account(&first, "taro_phone", "phone@example.com").await.status, 200);
    assert_eq!(
        app.account(&second, "taro_laptop", "laptop@example.com").await.status,
        200
    );
    let (phone_code, laptop_code) = (
        app.latest_code("phone@example.com").await,
        app.latest_code("laptop@example.com").await,
    );
    let (a, b) = tokio::join!(app.code(&first, &phone_code), app.code(&second, &laptop_code));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{:?} {:?}", a.body, b.body);
    let loser = if a.status == 409 { &a } else { &b };
    assert_eq!(loser.code(), "already_registered");
    let logins = [
        app.login("taro_phone", PASSWORD).await.status,
        app.login("taro_laptop", PASSWORD).await.status,
    ];
    assert_eq!(
        logins.iter().filter(|s| **s == 200).count(),
        1,
        "exactly one account: {logins:?}"
    );
    // The loser's reserved ID is not left taken for good: it lapses with its flow.
    app.clock.advance(3_601);
    let loser_id = if logins[0] == 200 { "taro_laptop" } else { "taro_phone" };
    let flow = app.identity(&HANAKO).await;
    assert_eq!(app.account(&flow, loser_id, "hanako@example.com").await.status, 200);
}

async fn a_code_from_another_purpose_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let signup_code = code_in(&app.mails().await[0].text);
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro@example.com" }),
        None,
    )
    .await;
    let reset_code = code_in(&app.mails().await[0].text);
    if signup_code != reset_code {
        let reply = app
            .post(
                "/api/password/reset",
                json!({ "userId": "kenpo_taro", "code": signup_code, "password": "Nagoya#2031x" }),
                None,
            )
            .await;
        assert_eq!(reply.code(), "code_mismatch");
    }
    let reply = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": reset_code, "password": "Nagoya#2031x" }),
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
}

async fn state_never_changes_on_get(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in [
        "/api/signup/identity",
        "/api/signup/account",
        "/api/signup/code",
        "/api/password/forgot",
        "/api/me/terms",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, 404, "{path}: only POST changes anything");
    }
    assert_eq!(app.get("/api/signup", None).await.body["step"], "identity");
    assert!(app.get("/api/signup", None).await.cookie(SIGNUP_COOKIE).is_none());
}

on_both_engines!(
    a_hundred_flows_racing_for_one_user_id_have_one_winner,
    one_person_registering_twice_in_parallel_gets_one_account,
    a_code_from_another_purpose_is_refused,
    state_never_changes_on_get,
);

async fn a_burst_of_wrong_passwords_evaluates_at_most_five(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.login("kenpo_taro", "Wrong#pass1").await.code().to_string() })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    let evaluated = codes.iter().filter(|c| *c == "invalid_credentials").count();
    assert!(evaluated <= 4, "at most 4 plain failures before the lock: {codes:?}");
    assert!(
        codes.iter().all(|c| c == "invalid_credentials" || c == "login_locked"),
        "{codes:?}"
    );
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.code(), "login_locked");
}

async fn a_burst_of_identity_guesses_evaluates_at_most_five(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    let tasks: Vec<_> = (0..30)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                let guess = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": format!("1990/01/{:02}", n % 28 + 2), "nameKana": "ケンポ タロウ" });
                app.post("/api/signup/identity", guess, None).await.code().to_string()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    assert!(
        codes.iter().filter(|c| *c == "identity_mismatch").count() <= 5,
        "{codes:?}"
    );
    assert_eq!(
        app.post("/api/signup/identity", TARO.identity(), None).await.code(),
        "too_many_attempts"
    );
}

async fn identity_guesses_from_two_hundred_addresses_evaluate_at_most_five(engine: Engine) {
    let app = Arc::new(spawn_app(engine).await);
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                let guess = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": format!("19{:02}/01/01", n % 60 + 30), "nameKana": "ケンポ タロウ" });
                let request = app
                    .raw("POST", "/api/signup/identity")
                    .header("content-type", "application/json")
                    .header("x-forwarded-for", format!("198.18.{}.{}", n / 250, n % 250 + 1))
                    .body(guess.to_string());
                let reply = app.finish(request).await;
                (reply.status, reply.code().to_string())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert!(
        answers
            .iter()
            .all(|answer| matches!(answer, (401, c) if c == "identity_mismatch")
                || matches!(answer, (429, c) if c == "too_many_attempts")),
        "{answers:?}"
    );
    assert!(
        answers.iter().filter(|(status, _)| *status == 401).count() <= 5,
        "{answers:?}"
    );
    assert_eq!(
        app.post("/api/signup/identity", TARO.identity(), None).await.code(),
        "too_many_attempts",
        "the card stays held whatever the address"
    );
}

async fn guessing_the_current_password_in_settings_counts_toward_the_lock(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    for _ in 0..4 {
        let reply = app
            .put(
                "/api/me/password",
                json!({ "currentPassword": "Wrong#pass1", "password": "Nagoya#2031x" }),
                Some(&session),
            )
            .await;
        assert_eq!(reply.status, 400);
    }
    let fifth = app
        .put(
            "/api/me/password",
            json!({ "currentPassword": "Wrong#pass1", "password": "Nagoya#2031x" }),
            Some(&session),
        )
        .await;
    assert_eq!(fifth.code(), "login_locked");
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.code(), "login_locked");
}

async fn logging_in_ends_the_session_the_browser_brought(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let first = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let request = app
        .raw("POST", "/api/session")
        .header("content-type", "application/json")
        .header("cookie", first.clone())
        .body(json!({ "userId": "kenpo_taro", "password": PASSWORD }).to_string());
    let second = app.finish(request).await.cookie(SESSION_COOKIE).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.get("/api/me", Some(&first)).await.status,
        401,
        "the old session ended"
    );
    assert_eq!(app.get("/api/me", Some(&second)).await.status, 200);
}

mod bursts {
    use super::*;
    on_both_engines!(
        a_burst_of_wrong_passwords_evaluates_at_most_five,
        a_burst_of_identity_guesses_evaluates_at_most_five,
        identity_guesses_from_two_hundred_addresses_evaluate_at_most_five,
        guessing_the_current_password_in_settings_counts_toward_the_lock,
        logging_in_ends_the_session_the_browser_brought,
    );
}
