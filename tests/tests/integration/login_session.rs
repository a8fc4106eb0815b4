//! ④ Login and sessions: indistinguishable failures, the lock, timeouts, the yearly reset.

use kennin::domain::InsurerCode;
use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use kennin::roster;
use kennin::secrets::token_hash;
use kennin::store::records::{Session, from_item};
use kennin::store::{Change, Cond, ItemStore};
use kennin_tests::{Engine, PASSWORD, SURVEY_YEAR, TARO, TestApp, on_both_engines, spawn_app, without_request_id};
use serde_json::json;

async fn wrong_id_and_wrong_password_look_the_same(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let wrong_password = app.login("kenpo_taro", "Wrong#pass1").await;
    let unknown_id = app.login("nobody_here", "Wrong#pass1").await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(wrong_password.code(), "invalid_credentials");
    assert_eq!(unknown_id.status, wrong_password.status);
    assert_eq!(
        without_request_id(&unknown_id.body),
        without_request_id(&wrong_password.body)
    );
    let names = |r: &kennin_tests::Reply| {
        let mut names: Vec<String> = r
            .headers
            .keys()
            .map(|k| k.to_string())
            .filter(|k| k != "date" && k != "content-length")
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&unknown_id), names(&wrong_password));
    assert!(unknown_id.cookie(SESSION_COOKIE).is_none());

    let reply = app
        .post("/api/session", json!({ "userId": "", "password": "" }), None)
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["fields"]["userId"], "ユーザーIDを入力してください。");
    assert_eq!(reply.body["fields"]["password"], "パスワードを入力してください。");
}

async fn five_failures_lock_the_id_for_thirty_minutes(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    for attempt in 1..=4 {
        assert_eq!(
            app.login("kenpo_taro", "Wrong#pass1").await.status,
            401,
            "attempt {attempt}"
        );
    }
    let fifth = app.login("kenpo_taro", "Wrong#pass1").await;
    assert_eq!((fifth.status, fifth.code()), (429, "login_locked"));
    assert!(fifth.body["message"].as_str().unwrap().contains("パスワードを忘れた方"));
    assert_eq!(fifth.header("retry-after"), Some("1800"));

    // Locked: even the right password is refused, with the time left.
    let locked = app.login("kenpo_taro", PASSWORD).await;
    assert_eq!(locked.status, 429);
    app.clock.advance(29 * 60);
    assert_eq!(
        app.login("kenpo_taro", PASSWORD).await.header("retry-after"),
        Some("60")
    );
    app.clock.advance(60);
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.status, 200);

    // A success resets the count: four more failures do not lock.
    for _ in 0..4 {
        assert_eq!(app.login("kenpo_taro", "Wrong#pass1").await.status, 401);
    }
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.status, 200);

    // IDs that do not exist lock the same way, so the lock reveals nothing.
    for _ in 0..4 {
        assert_eq!(app.login("nobody_here", "Wrong#pass1").await.status, 401);
    }
    assert_eq!(app.login("nobody_here", "Wrong#pass1").await.status, 429);
}

async fn sessions_end_when_idle_or_too_old(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;

    let session = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    app.clock.advance(29 * 60);
    assert_eq!(
        app.get("/api/me", Some(&session)).await.status,
        200,
        "activity keeps it alive"
    );
    app.clock.advance(29 * 60);
    assert_eq!(app.get("/api/me", Some(&session)).await.status, 200);
    app.clock.advance(30 * 60);
    let idle = app.get("/api/me", Some(&session)).await;
    assert_eq!((idle.status, idle.code()), (401, "session_expired"));
    assert_eq!(
        app.get("/api/me", Some(&session)).await.code(),
        "not_authenticated",
        "the session is gone"
    );

    let session = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    for _ in 0..26 {
        app.clock.advance(29 * 60);
        let reply = app.get("/api/me", Some(&session)).await;
        if reply.status != 200 {
            assert_eq!(reply.code(), "session_expired");
            return;
        }
    }
    panic!("a session outlived its absolute lifetime of 12 hours");
}

/// The demo union's roster of the next survey year (健保 太郎 only): it resets this year's accounts.
async fn import_next_years_roster(app: &TestApp) {
    let code = InsurerCode::parse("0904").unwrap();
    let csv = "symbol,number,birth_date,name_kana,name\n1001,1,1990/01/01,ケンポ タロウ,健保 太郎\n";
    let people = roster::parse(csv, &code, SURVEY_YEAR + 1, time::macros::date!(2037 - 06 - 01)).unwrap();
    roster::import(app.store.as_ref(), &code, SURVEY_YEAR + 1, people, &mut |_| {})
        .await
        .unwrap();
}

async fn a_new_years_roster_resets_last_years_accounts(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let session = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();

    import_next_years_roster(&app).await;

    let reply = app.login("kenpo_taro", PASSWORD).await;
    assert_eq!((reply.status, reply.code()), (401, "account_reset"));
    assert!(reply.body["message"].as_str().unwrap().contains("初回ログイン"));
    assert_eq!(app.get("/api/me", Some(&session)).await.code(), "account_reset");
    // A wrong password does not learn that the account existed.
    assert_eq!(
        app.login("kenpo_taro", "Wrong#pass1").await.code(),
        "invalid_credentials"
    );

    // Everyone registers again; last year's ID is free for anyone.
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let reply = app.login("kenpo_taro", PASSWORD).await;
    assert_eq!(reply.status, 200);
    let me = app.get("/api/me", reply.cookie(SESSION_COOKIE).as_deref()).await;
    assert_eq!(me.body["surveyYear"], SURVEY_YEAR + 1);
}

/// Sessions carry their account's union and year, so that the union is read beside the account;
/// a session written before they did (by the previous version, alive up to 12 hours after a
/// deploy) still works, and the yearly reset still ends both kinds.
async fn sessions_with_and_without_their_union_work_until_the_reset(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let carrying = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let older = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let older_key = Session::key(&token_hash(older.split_once('=').unwrap().1));
    let stored: Session = from_item(app.store.get(&older_key).await.unwrap().unwrap()).unwrap();
    assert_eq!(
        (stored.insurer.map(|c| c.to_string()), stored.year),
        (Some("0904".into()), Some(SURVEY_YEAR))
    );
    app.store
        .update(
            &older_key,
            &[Change::remove(Session::INSURER), Change::remove(Session::YEAR)],
            Some(&Cond::Exists),
        )
        .await
        .unwrap();
    for session in [&carrying, &older] {
        let me = app.get("/api/me", Some(session)).await;
        assert_eq!((me.status, &me.body["surveyYear"]), (200, &json!(SURVEY_YEAR)));
    }

    import_next_years_roster(&app).await;
    for session in [&carrying, &older] {
        assert_eq!(app.get("/api/me", Some(session)).await.code(), "account_reset");
    }
}

async fn bad_requests_get_clear_answers_and_never_a_500(engine: Engine) {
    let app = spawn_app(engine).await;
    let post = |path: &str, content_type: &str, body: String| {
        app.raw("POST", path).header("content-type", content_type).body(body)
    };
    let cases = [
        (
            post("/api/signup/identity", "text/plain", "{}".into()),
            415,
            "unsupported_media_type",
        ),
        (
            post(
                "/api/signup/identity",
                "application/x-www-form-urlencoded",
                "a=b".into(),
            ),
            415,
            "unsupported_media_type",
        ),
        (
            post("/api/signup/identity", "application/json", "{".into()),
            400,
            "malformed_request",
        ),
        (
            post("/api/signup/identity", "application/json", "[1,2]".into()),
            400,
            "malformed_request",
        ),
        (
            post(
                "/api/signup/identity",
                "application/json",
                r#"{"insurerCode": 904}"#.into(),
            ),
            400,
            "malformed_request",
        ),
        (
            post(
                "/api/signup/identity",
                "application/json",
                format!(r#"{{"nameKana": "{}"}}"#, "ア".repeat(6000)),
            ),
            413,
            "payload_too_large",
        ),
        (
            post("/api/session", "application/json; charset=utf-8", "{}".into()),
            400,
            "invalid_input",
        ),
        (
            post("/api/signup/account", "application/json", "{}".into()),
            410,
            "flow_expired",
        ),
        (
            post("/api/signup/code", "application/json", r#"{"code":"123456"}"#.into()),
            410,
            "flow_expired",
        ),
        (
            post("/api/signup/code/resend", "application/json", "{}".into()),
            410,
            "flow_expired",
        ),
        (post("/api/nowhere", "application/json", "{}".into()), 404, "not_found"),
        (app.raw("PUT", "/api/session"), 404, "not_found"),
        (
            post(
                "/api/session",
                "application/json",
                r#"{"userId":"kenpo_taro","password":"x"}"#.into(),
            )
            .header("origin", "https://evil.example"),
            403,
            "cross_site_request",
        ),
        (
            post(
                "/api/session",
                "application/json",
                r#"{"userId":"kenpo_taro","password":"x"}"#.into(),
            )
            .header("sec-fetch-site", "cross-site"),
            403,
            "cross_site_request",
        ),
        (
            app.raw("DELETE", "/api/session").header("origin", "null"),
            403,
            "cross_site_request",
        ),
        (
            app.raw("GET", "/api/me")
                .header("cookie", format!("{SESSION_COOKIE}=not-a-real-token")),
            401,
            "not_authenticated",
        ),
        (
            app.raw("GET", "/api/signup")
                .header("cookie", format!("{SIGNUP_COOKIE}=%%%;;==; =x")),
            200,
            "",
        ),
    ];
    for (request, status, code) in cases {
        let reply = app.finish(request).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{:?}", reply.body);
        if !code.is_empty() {
            assert!(reply.body["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        }
    }
    // Same-origin requests from the browser pass the origin check.
    let base = app.base.trim_start_matches("http://").to_string();
    let reply = app
        .finish(
            post(
                "/api/session",
                "application/json",
                r#"{"userId":"kenpo_taro","password":"x"}"#.into(),
            )
            .header("origin", format!("http://{base}"))
            .header("sec-fetch-site", "same-origin"),
        )
        .await;
    assert_eq!(reply.status, 401);
}

on_both_engines!(
    wrong_id_and_wrong_password_look_the_same,
    five_failures_lock_the_id_for_thirty_minutes,
    sessions_end_when_idle_or_too_old,
    a_new_years_roster_resets_last_years_accounts,
    sessions_with_and_without_their_union_work_until_the_reset,
    bad_requests_get_clear_answers_and_never_a_500,
);
