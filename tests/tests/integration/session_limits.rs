//! The session lifetimes to the second: idle 30 minutes, absolute 12 hours (moved clock).

use kennin::http::SESSION_COOKIE;
use kennin_tests::{Engine, PASSWORD, TARO, TestApp, on_both_engines, spawn_app};

const IDLE: i64 = 30 * 60;
const ABSOLUTE: i64 = 12 * 60 * 60;

async fn fresh_session(app: &TestApp) -> String {
    app.login("kenpo_taro", PASSWORD)
        .await
        .cookie(SESSION_COOKIE)
        .expect("a session cookie")
}

async fn me_status(app: &TestApp, session: &str) -> (u16, String) {
    let reply = app.get("/api/me", Some(session)).await;
    (reply.status, reply.code().to_string())
}

async fn idle_for_thirty_minutes_and_one_second_ends_the_session(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;

    let session = fresh_session(&app).await;
    app.clock.advance(IDLE - 1);
    assert_eq!(
        me_status(&app, &session).await.0,
        200,
        "one second short of the idle limit"
    );

    let session = fresh_session(&app).await;
    app.clock.advance(IDLE + 1);
    assert_eq!(me_status(&app, &session).await, (401, "session_expired".into()));
    assert_eq!(
        me_status(&app, &session).await,
        (401, "not_authenticated".into()),
        "the expired session was deleted on the server"
    );
}

async fn twelve_hours_and_one_second_end_even_an_active_session(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;

    let session = fresh_session(&app).await;
    let mut elapsed = 0;
    while elapsed + 20 * 60 < ABSOLUTE - 1 {
        app.clock.advance(20 * 60);
        elapsed += 20 * 60;
        assert_eq!(me_status(&app, &session).await.0, 200, "active after {elapsed} s");
    }
    app.clock.advance(ABSOLUTE - 1 - elapsed);
    assert_eq!(me_status(&app, &session).await.0, 200, "one second short of 12 hours");
    app.clock.advance(2);
    assert_eq!(me_status(&app, &session).await, (401, "session_expired".into()));
}

async fn logout_ends_the_token_on_the_server_and_clears_the_cookie(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;

    let session = fresh_session(&app).await;
    let logout = app.send("DELETE", "/api/session", None, Some(&session)).await;
    assert!(logout.status < 300, "logout answered {}", logout.status);
    assert!(
        logout
            .set_cookies()
            .iter()
            .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=;")) && c.contains("Max-Age=0")),
        "the browser is told to drop the cookie: {:?}",
        logout.set_cookies()
    );
    // A copy of the token kept elsewhere (another tab, a stolen cookie) is dead as well.
    assert_eq!(me_status(&app, &session).await, (401, "not_authenticated".into()));
}

on_both_engines!(
    idle_for_thirty_minutes_and_one_second_ends_the_session,
    twelve_hours_and_one_second_end_even_an_active_session,
    logout_ends_the_token_on_the_server_and_clears_the_cookie,
);
