//! Account-side controls on both engines: context words in passwords over HTTP, ending one's
//! other sessions, and the operator's commands (end sessions, disable, enable).

use kennin::domain::{InsurerCode, UserId};
use kennin::http::SESSION_COOKIE;
use kennin::operator;
use kennin_tests::{Engine, HANAKO, PASSWORD, TARO, TestApp, code_in, on_both_engines, spawn_app};
use serde_json::json;

const BIRTH_DATE_WORD: &str = "パスワードに生年月日を含めることはできません。";
/// 健保 太郎 was born 1990/01/01; this password is strong but for the date.
const WITH_BIRTH_DATE: &str = "Sakura#1990.01.01";

async fn account_id(app: &TestApp, user_id: &str) -> String {
    operator::find_account(app.store.as_ref(), &UserId::parse(user_id).unwrap())
        .await
        .expect("account")
        .id
}

async fn context_words_are_refused_wherever_a_password_is_set(engine: Engine) {
    let app = spawn_app(engine).await;

    // Signup ②: the person has just proven the card and birth date.
    let flow = app.identity(&TARO).await;
    for (password, message) in [
        (WITH_BIRTH_DATE, BIRTH_DATE_WORD),
        (
            "Kenpo#7391zq",
            "パスワードにサービス名や健康保険に関する語（kenpo、hoken、fuyo など）を含めることはできません。",
        ),
        (
            "Sakura#1001-1",
            "パスワードに被保険者証の記号・番号を含めることはできません。",
        ),
        (
            "Sakura#0904go",
            "パスワードに保険者指定コードや保険者名を含めることはできません。",
        ),
    ] {
        let reply = app
            .post(
                "/api/signup/account",
                json!({ "userId": "kenpo_taro", "password": password, "email": "taro@example.com" }),
                Some(&flow),
            )
            .await;
        assert_eq!(
            (reply.status, reply.body["fields"]["password"].as_str()),
            (400, Some(message)),
            "{password}"
        );
        assert!(
            !reply.body.to_string().contains(password),
            "the answer never repeats the password"
        );
    }
    assert!(app.mails().await.is_empty(), "nothing was reserved or mailed");
    let session = {
        let reply = app.account(&flow, "kenpo_taro", "taro@example.com").await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let code = app.latest_code("taro@example.com").await;
        assert_eq!(app.code(&flow, &code).await.status, 200);
        app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap()
    };
    let version = app.get("/api/terms", Some(&session)).await.body["version"].clone();
    app.post("/api/me/terms", json!({ "version": version }), Some(&session))
        .await;
    let contact = json!({ "postalCode": "1000001", "address": "東京都千代田区千代田1-1", "phone": "0312345678" });
    app.put("/api/me/contact", contact, Some(&session)).await;

    // Change: without the current password, the answer says nothing about the birth date.
    let guessed = app
        .put(
            "/api/me/password",
            json!({ "currentPassword": "Wrong#pass1", "password": WITH_BIRTH_DATE }),
            Some(&session),
        )
        .await;
    assert_eq!(guessed.status, 400);
    assert!(guessed.body["fields"]["password"].is_null(), "{:?}", guessed.body);
    // Refusals after the right current password do not add up to a lock.
    for _ in 0..6 {
        let refused = app
            .put(
                "/api/me/password",
                json!({ "currentPassword": PASSWORD, "password": WITH_BIRTH_DATE }),
                Some(&session),
            )
            .await;
        assert_eq!(refused.body["fields"]["password"].as_str(), Some(BIRTH_DATE_WORD));
    }
    assert_eq!(
        app.login("kenpo_taro", PASSWORD).await.status,
        200,
        "unchanged, not locked"
    );

    // Reset: only the right code lets the answer name the birth date, and the code survives it.
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro@example.com" }),
        None,
    )
    .await;
    let mails = app.mails().await;
    let code = code_in(
        &mails
            .iter()
            .find(|m| m.subject.contains("パスワード再設定"))
            .unwrap()
            .text,
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let stranger = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": wrong, "password": WITH_BIRTH_DATE }),
            None,
        )
        .await;
    assert_eq!(stranger.code(), "code_mismatch");
    assert!(stranger.body["fields"]["password"].is_null(), "{:?}", stranger.body);
    let refused = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": WITH_BIRTH_DATE }),
            None,
        )
        .await;
    assert_eq!(refused.body["fields"]["password"].as_str(), Some(BIRTH_DATE_WORD));
    let reset = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": "Kyoto#2032yz" }),
            None,
        )
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    assert_eq!(app.login("kenpo_taro", "Kyoto#2032yz").await.status, 200);
}

async fn a_person_ends_their_other_sessions(engine: Engine) {
    let app = spawn_app(engine).await;
    let this_device = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let phone = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let laptop = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();

    assert_eq!(app.send("DELETE", "/api/me/sessions", None, None).await.status, 401);
    let cross_site = app
        .finish(
            app.raw("DELETE", "/api/me/sessions")
                .header("cookie", this_device.as_str())
                .header("sec-fetch-site", "cross-site"),
        )
        .await;
    assert_eq!(cross_site.status, 403);
    assert_eq!(
        app.get("/api/me", Some(&phone)).await.status,
        200,
        "a refused request ends nothing"
    );

    let ended = app.send("DELETE", "/api/me/sessions", None, Some(&this_device)).await;
    assert_eq!((ended.status, &ended.body), (200, &json!({ "ended": true })));
    let renewed = ended.cookie(SESSION_COOKIE).expect("this device goes on");
    assert_eq!(app.get("/api/me", Some(&renewed)).await.status, 200);
    for other in [&phone, &laptop] {
        let reply = app.get("/api/me", Some(other)).await;
        assert_eq!((reply.status, reply.code()), (401, "session_expired"));
    }
    assert_eq!(
        app.get("/api/me", Some(&this_device)).await.code(),
        "not_authenticated",
        "this device's old token is gone"
    );
    // Other people's sessions are untouched.
    let hanako = app.at_home(&HANAKO, "sakura_hanako", "hanako@example.com").await;
    app.send("DELETE", "/api/me/sessions", None, Some(&renewed)).await;
    assert_eq!(app.get("/api/me", Some(&hanako)).await.status, 200);
}

async fn a_person_sees_where_they_are_logged_in(engine: Engine) {
    let app = spawn_app(engine).await;
    let this_device = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let listed = |session: String| {
        let app = &app;
        async move {
            let reply = app.get("/api/me/sessions", Some(&session)).await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
            reply.body["sessions"].as_array().expect("a list").clone()
        }
    };
    assert_eq!(app.get("/api/me/sessions", None).await.status, 401);

    app.clock.advance(60);
    let phone = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    app.clock.advance(60);
    let laptop = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let logged_out = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    app.send("DELETE", "/api/session", None, Some(&logged_out)).await;

    let sessions = listed(this_device.clone()).await;
    assert_eq!(
        sessions.len(),
        3,
        "this device, the phone and the laptop, not the logged-out one: {sessions:?}"
    );
    assert_eq!(sessions[0]["current"], true, "this device first");
    assert!(sessions[1..].iter().all(|s| s["current"] == false));
    assert!(
        sessions[1]["lastActiveAt"].as_str() >= sessions[2]["lastActiveAt"].as_str(),
        "the most recently active first: {sessions:?}"
    );
    let from_phone = listed(phone.clone()).await;
    assert_eq!(from_phone.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(
        listed(app.at_home(&HANAKO, "sakura_hanako", "hanako@example.com").await)
            .await
            .len(),
        1,
        "only one's own sessions"
    );

    // Idle sessions drop out of the list; ending the others leaves this device alone.
    app.clock.advance(20 * 60);
    app.get("/api/me", Some(&laptop)).await;
    app.clock.advance(15 * 60);
    assert_eq!(listed(laptop.clone()).await.len(), 1, "only the laptop stayed active");
    let renewed = app
        .send("DELETE", "/api/me/sessions", None, Some(&laptop))
        .await
        .cookie(SESSION_COOKIE)
        .unwrap();
    let after = listed(renewed).await;
    assert_eq!((after.len(), &after[0]["current"]), (1, &json!(true)));
}

async fn an_operator_ends_sessions_of_one_person_or_a_whole_union(engine: Engine) {
    let app = spawn_app(engine).await;
    let taro = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let hanako = app.at_home(&HANAKO, "sakura_hanako", "hanako@example.com").await;

    operator::end_sessions(app.store.as_ref(), &account_id(&app, "kenpo_taro").await)
        .await
        .unwrap();
    assert_eq!(app.get("/api/me", Some(&taro)).await.code(), "session_expired");
    assert_eq!(app.get("/api/me", Some(&hanako)).await.status, 200);

    let taro = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let union = InsurerCode::parse("0904").unwrap();
    assert_eq!(
        operator::end_union_sessions(app.store.as_ref(), &union).await.unwrap(),
        2
    );
    for session in [&taro, &hanako] {
        assert_eq!(app.get("/api/me", Some(session)).await.code(), "session_expired");
    }
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.status, 200, "they log in again");
    let unknown = InsurerCode::parse("0999").unwrap();
    assert!(matches!(
        operator::end_union_sessions(app.store.as_ref(), &unknown).await,
        Err(kennin::Error::NotFound)
    ));
}

async fn a_disabled_account_cannot_log_in_and_its_sessions_end(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let id = account_id(&app, "kenpo_taro").await;

    operator::set_disabled(app.store.as_ref(), &id, true).await.unwrap();
    let ended = app.get("/api/me", Some(&session)).await;
    assert_eq!((ended.status, ended.code()), (401, "account_disabled"));
    // Only the right password learns that the account is disabled; a wrong one gets the answer
    // any wrong password gets.
    let wrong = app.login("kenpo_taro", "Wrong#pass1").await;
    assert_eq!((wrong.status, wrong.code()), (401, "invalid_credentials"));
    let right = app.login("kenpo_taro", PASSWORD).await;
    assert_eq!((right.status, right.code()), (401, "account_disabled"));
    assert!(right.cookie(SESSION_COOKIE).is_none());

    operator::set_disabled(app.store.as_ref(), &id, false).await.unwrap();
    assert_eq!(
        app.get("/api/me", Some(&session)).await.status,
        401,
        "enabling brings no session back"
    );
    let again = app.login("kenpo_taro", PASSWORD).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert!(matches!(
        operator::set_disabled(app.store.as_ref(), "no-such-account", true).await,
        Err(kennin::Error::NotFound)
    ));
}

on_both_engines!(
    context_words_are_refused_wherever_a_password_is_set,
    a_person_ends_their_other_sessions,
    a_person_sees_where_they_are_logged_in,
    an_operator_ends_sessions_of_one_person_or_a_whole_union,
    a_disabled_account_cannot_log_in_and_its_sessions_end,
);
