//! Races and abuse beyond the happy path, on both engines.

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
    assert!(
        app.get("/api/signup", None)
            .await
            .cookie("__Host-kennin_signup")
            .is_none()
    );
}

on_both_engines!(
    a_hundred_flows_racing_for_one_user_id_have_one_winner,
    one_person_registering_twice_in_parallel_gets_one_account,
    a_code_from_another_purpose_is_refused,
    state_never_changes_on_get,
);
