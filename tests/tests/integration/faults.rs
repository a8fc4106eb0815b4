//! DynamoDB failing for real: the line to DynamoDB Local is cut before each write step of the
//! flow. Every step answers 503 with a request ID, nobody is let in, nothing half-made stays,
//! and the same step succeeds once DynamoDB is back. Stored data that cannot be read is not an
//! outage: it answers 500.

use kennin::domain::UserId;
use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use kennin::store::records::{Account, UserIdGuard};
use kennin::store::{ItemStore, Write};
use kennin_tests::{Engine, FaultProxy, PASSWORD, TARO, code_in, on_both_engines, spawn_app, spawn_app_behind};
use serde_json::json;

fn assert_unavailable(reply: &kennin_tests::Reply, step: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (503, "service_unavailable"),
        "{step}: {:?}",
        reply.body
    );
    assert!(
        reply.body["requestId"].as_str().is_some_and(|id| !id.is_empty()),
        "{step}"
    );
    assert!(reply.header("retry-after").is_some(), "{step}");
    assert!(reply.cookie(SESSION_COOKIE).is_none(), "{step}: nobody is let in");
}

/// Cuts the line, runs the step and checks it failed cleanly; restores the line and runs it again.
async fn through_an_outage<F, Fut>(proxy: &FaultProxy, step: &str, run: F) -> kennin_tests::Reply
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = kennin_tests::Reply>,
{
    proxy.cut();
    assert_unavailable(&run().await, step);
    proxy.restore();
    run().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_survives_dynamodb_going_away() {
    let proxy = FaultProxy::start().await;
    let app = spawn_app_behind(&proxy).await;

    let reply = through_an_outage(&proxy, "identity", || {
        app.post("/api/signup/identity", TARO.identity(), None)
    })
    .await;
    assert_eq!(reply.status, 200);
    let flow = reply.cookie(SIGNUP_COOKIE).unwrap();

    let account = json!({ "userId": "kenpo_taro", "password": PASSWORD, "email": "taro@example.com" });
    let reply = through_an_outage(&proxy, "account", || {
        app.post("/api/signup/account", account.clone(), Some(&flow))
    })
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(app.mails().await.len(), 1, "no code went out during the outage");
    let code = code_in(&app.mails().await[0].text);

    let reply = through_an_outage(&proxy, "code", || app.code(&flow, &code)).await;
    assert_eq!(
        reply.status, 200,
        "the same code works after recovery: {:?}",
        reply.body
    );

    let reply = through_an_outage(&proxy, "login", || app.login("kenpo_taro", PASSWORD)).await;
    assert_eq!(reply.status, 200);
    let session = reply.cookie(SESSION_COOKIE).unwrap();

    proxy.cut();
    let me = app.get("/api/me", Some(&session)).await;
    assert_eq!(
        me.status, 503,
        "an outage never lets a request through unauthenticated checks"
    );
    proxy.restore();
    assert_eq!(app.get("/api/me", Some(&session)).await.status, 200);

    let forgot = json!({ "userId": "kenpo_taro", "email": "taro@example.com" });
    let reply = through_an_outage(&proxy, "forgot", || {
        app.post("/api/password/forgot", forgot.clone(), None)
    })
    .await;
    assert_eq!(reply.status, 202);
    let reset_code = code_in(&app.mails().await[0].text);
    let reset = json!({ "userId": "kenpo_taro", "code": reset_code, "password": "Nagoya#2031x" });
    let reply = through_an_outage(&proxy, "reset", || app.post("/api/password/reset", reset.clone(), None)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(app.login("kenpo_taro", "Nagoya#2031x").await.status, 200);
    assert_eq!(
        app.get("/api/me", Some(&session)).await.code(),
        "session_expired",
        "the reset ended the old session"
    );
}

/// An account item that no longer reads as an account (corrupt data): retrying cannot help, so
/// the answer is an internal error with the request ID, not a 503 that asks to retry.
async fn a_corrupt_record_is_an_internal_error_not_an_outage(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.logged_in(&TARO, "kenpo_taro", "taro@example.com").await;
    let store: &dyn ItemStore = app.store.as_ref();
    let guard = store
        .get(&UserIdGuard::key(&UserId::parse("kenpo_taro").unwrap()))
        .await
        .unwrap()
        .unwrap();
    let account_id = guard[UserIdGuard::ACCOUNT_ID.name()].as_str().unwrap().to_string();
    let key = Account::key(&account_id);
    let mut item = store.get(&key).await.unwrap().unwrap();
    item.insert(Account::SESSION_EPOCH.name().into(), json!("not a number"));
    store.transact(vec![Write::put(key, item)]).await.unwrap();

    // Sent as is: the helper's requests treat any 500 as a failed test.
    let response = app
        .raw("GET", "/api/me")
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    assert!(
        response.headers().get("retry-after").is_none(),
        "retrying does not help"
    );
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], "internal_error", "{body}");
    assert!(body["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_ascii()),
        "a Japanese message"
    );
}

on_both_engines!(a_corrupt_record_is_an_internal_error_not_an_outage);
