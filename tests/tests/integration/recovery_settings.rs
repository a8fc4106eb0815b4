//! The login page's recovery links and the account settings, on both engines.

use kennin::http::SESSION_COOKIE;
use kennin_tests::{
    Engine, HANAKO, PASSWORD, RECOVERY_FLOOR_MS, TARO, TestApp, code_in, mails_to, on_both_engines, spawn_app,
    without_request_id,
};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const NEW_PASSWORD: &str = "Nagoya#2031x";

async fn timed_post(app: &TestApp, path: &str, body: Value) -> (kennin_tests::Reply, Duration) {
    let started = Instant::now();
    let reply = app.post(path, body, None).await;
    (reply, started.elapsed())
}

async fn forgot_password_answers_the_same_and_mails_only_on_a_match(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let before = app.mails().await.len();

    let (matched, matched_time) = timed_post(
        &app,
        "/api/password/forgot",
        json!({ "userId": "KENPO_TARO", "email": "Taro@Example.com" }),
    )
    .await;
    let (wrong_email, wrong_time) = timed_post(
        &app,
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "other@example.com" }),
    )
    .await;
    let (no_account, none_time) = timed_post(
        &app,
        "/api/password/forgot",
        json!({ "userId": "nobody_here", "email": "taro@example.com" }),
    )
    .await;
    for reply in [&matched, &wrong_email, &no_account] {
        assert_eq!(reply.status, 202);
        assert_eq!(without_request_id(&reply.body), without_request_id(&matched.body));
    }
    for elapsed in [matched_time, wrong_time, none_time] {
        assert!(
            elapsed >= Duration::from_millis(RECOVERY_FLOOR_MS),
            "answered before the floor: {elapsed:?}"
        );
    }
    let mails = app.mails().await;
    assert_eq!(mails.len(), before + 1, "one mail, for the match only");
    assert_eq!(mails[0].to, "taro@example.com");
    assert_eq!(mails[0].subject, "【パスワード再設定用認証番号のお知らせ】");

    let bad = app
        .post("/api/password/forgot", json!({ "userId": "", "email": "x" }), None)
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["fields"]["userId"].is_string() && bad.body["fields"]["email"].is_string());
}

async fn a_reset_sets_the_password_ends_sessions_and_unlocks(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    for _ in 0..5 {
        app.login("kenpo_taro", "Wrong#pass1").await;
    }
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.code(), "login_locked");

    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro@example.com" }),
        None,
    )
    .await;
    let code = code_in(&mails_to(&app, "taro@example.com").await[0].text);

    let weak = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": "P@ssw0rd1" }),
            None,
        )
        .await;
    assert!(
        weak.body["fields"]["password"]
            .as_str()
            .unwrap()
            .contains("推測されやすい")
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let reply = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": wrong, "password": NEW_PASSWORD }),
            None,
        )
        .await;
    assert_eq!((reply.status, reply.code()), (400, "code_mismatch"));
    let reply = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": NEW_PASSWORD }),
            None,
        )
        .await;
    assert_eq!((reply.status, reply.body["next"].as_str()), (200, Some("login")));
    assert!(reply.cookie(SESSION_COOKIE).is_none(), "no automatic login");

    let old_session = app.get("/api/me", Some(&session)).await;
    assert_eq!((old_session.status, old_session.code()), (401, "session_expired"));
    assert_eq!(
        app.login("kenpo_taro", PASSWORD).await.status,
        401,
        "the old password is gone"
    );
    assert_eq!(
        app.login("kenpo_taro", NEW_PASSWORD).await.status,
        200,
        "unlocked with the new password"
    );
    let notices = mails_to(&app, "taro@example.com").await;
    assert_eq!(notices[0].subject, "【パスワードが変更されました】");

    let again = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": "Kyoto#2032yz" }),
            None,
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (400, "reset_code_invalid"),
        "a code works once"
    );
    let unknown = app
        .post(
            "/api/password/reset",
            json!({ "userId": "nobody_here", "code": code, "password": NEW_PASSWORD }),
            None,
        )
        .await;
    assert_eq!(without_request_id(&unknown.body), without_request_id(&again.body));
}

async fn a_reset_code_expires_and_is_resent_no_more_than_once_a_minute(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let forgot = json!({ "userId": "kenpo_taro", "email": "taro@example.com" });
    app.post("/api/password/forgot", forgot.clone(), None).await;
    app.post("/api/password/forgot", forgot.clone(), None).await;
    assert_eq!(
        mails_to(&app, "taro@example.com").await.len(),
        2,
        "signup code + one reset code"
    );
    let code = code_in(&mails_to(&app, "taro@example.com").await[0].text);
    app.clock.advance(600);
    let reply = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": code, "password": NEW_PASSWORD }),
            None,
        )
        .await;
    assert_eq!((reply.status, reply.code()), (410, "code_expired"));
    app.post("/api/password/forgot", forgot, None).await;
    let fresh = code_in(&mails_to(&app, "taro@example.com").await[0].text);
    let reply = app
        .post(
            "/api/password/reset",
            json!({ "userId": "kenpo_taro", "code": fresh, "password": NEW_PASSWORD }),
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
}

async fn recovery_is_throttled_per_target_and_per_address(engine: Engine) {
    let app = spawn_app(engine).await;
    let forgot = json!({ "userId": "someone_x", "email": "x@example.com" });
    for _ in 0..5 {
        assert_eq!(app.post("/api/password/forgot", forgot.clone(), None).await.status, 202);
    }
    let reply = app.post("/api/password/forgot", forgot, None).await;
    assert_eq!((reply.status, reply.code()), (429, "too_many_requests"));
    assert!(reply.header("retry-after").is_some());

    let card = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": "1990/01/01", "email": "x@example.com" });
    for _ in 0..5 {
        assert_eq!(app.post("/api/user-id/forgot", card.clone(), None).await.status, 202);
    }
    assert_eq!(app.post("/api/user-id/forgot", card, None).await.status, 429);
}

async fn forgot_user_id_mails_the_id_only_on_a_full_match(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "Kenpo_Taro", "taro@example.com").await;
    let before = app.mails().await.len();
    let mut bodies = Vec::new();
    for (birth_date, email, number) in [
        ("1990/01/01", "taro@example.com", "1"),
        ("1990/01/02", "taro@example.com", "1"),
        ("1990/01/01", "other@example.com", "1"),
        ("1990/01/01", "taro@example.com", "999"),
    ] {
        let body = json!({ "insurerCode": "0904", "symbol": "1001", "number": number, "birthDate": birth_date, "email": email });
        let reply = app.post("/api/user-id/forgot", body, None).await;
        assert_eq!(reply.status, 202);
        assert!(
            !reply.body.to_string().contains("Kenpo_Taro"),
            "nothing revealed on the screen"
        );
        bodies.push(without_request_id(&reply.body));
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
    let mails = app.mails().await;
    assert_eq!(mails.len(), before + 1);
    assert_eq!(mails[0].subject, "【ユーザーIDのお知らせ】");
    assert!(mails[0].text.contains("ユーザーID：Kenpo_Taro"));

    let bad = app
        .post(
            "/api/user-id/forgot",
            json!({ "insurerCode": "9", "email": "x@example.com" }),
            None,
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["fields"]["insurerCode"].is_string() && bad.body["fields"]["birthDate"].is_string());
}

async fn a_password_change_needs_the_current_one_and_ends_other_sessions(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let other_device = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();

    let wrong = app
        .put(
            "/api/me/password",
            json!({ "currentPassword": "Wrong#pass1", "password": NEW_PASSWORD }),
            Some(&session),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.body["fields"]["currentPassword"]
            .as_str()
            .unwrap()
            .contains("現在のパスワード")
    );
    let weak = app
        .put(
            "/api/me/password",
            json!({ "currentPassword": PASSWORD, "password": "kenpo_taro#1" }),
            Some(&session),
        )
        .await;
    assert!(weak.body["fields"]["password"].is_string());

    let changed = app
        .put(
            "/api/me/password",
            json!({ "currentPassword": PASSWORD, "password": NEW_PASSWORD }),
            Some(&session),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let renewed = changed.cookie(SESSION_COOKIE).expect("a fresh session for this device");
    assert_eq!(app.get("/api/me", Some(&renewed)).await.status, 200);
    assert_eq!(app.get("/api/me", Some(&other_device)).await.code(), "session_expired");
    assert_eq!(app.get("/api/me", Some(&session)).await.code(), "session_expired");
    assert_eq!(app.login("kenpo_taro", NEW_PASSWORD).await.status, 200);
    assert_eq!(
        mails_to(&app, "taro@example.com").await[0].subject,
        "【パスワードが変更されました】"
    );
}

async fn an_email_change_needs_the_code_from_the_new_address(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;

    let same = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": "TARO@example.com" }),
            Some(&session),
        )
        .await;
    assert_eq!(same.status, 400);
    // The session alone is not enough (V7.5.1): the current password comes with the new address,
    // and a wrong one counts toward the login lock.
    let missing = app
        .put(
            "/api/me/email",
            json!({ "email": "taro.new@example.com" }),
            Some(&session),
        )
        .await;
    assert_eq!(
        (missing.status, missing.body["fields"]["currentPassword"].as_str()),
        (400, Some("現在のパスワードを入力してください。"))
    );
    for tries_left in (1..=4).rev() {
        let wrong = app
            .put(
                "/api/me/email",
                json!({ "currentPassword": "Wrong#pass1", "email": "taro.new@example.com" }),
                Some(&session),
            )
            .await;
        assert_eq!(
            (wrong.status, wrong.body["fields"]["currentPassword"].as_str()),
            (400, Some("現在のパスワードが正しくありません。")),
            "{tries_left} tries before the lock"
        );
    }
    assert!(
        mails_to(&app, "taro.new@example.com").await.is_empty(),
        "no code without the password"
    );
    let requested = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": "taro.new@example.com" }),
            Some(&session),
        )
        .await;
    assert_eq!(
        (requested.status, requested.body["maskedEmail"].as_str()),
        (200, Some("t***@example.com"))
    );
    let code = code_in(&mails_to(&app, "taro.new@example.com").await[0].text);
    // The right password cleared the four failures: one more wrong one does not lock.
    let wrong = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": "Wrong#pass1", "email": "taro.new@example.com" }),
            Some(&session),
        )
        .await;
    assert_eq!(wrong.status, 400, "{:?}", wrong.body);
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.status, 200);
    let too_soon = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": "taro.new@example.com" }),
            Some(&session),
        )
        .await;
    assert_eq!(too_soon.status, 429);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let reply = app
        .post("/api/me/email/verify", json!({ "code": wrong }), Some(&session))
        .await;
    assert_eq!(reply.code(), "code_mismatch");
    // Until the code comes back, mail still goes to the old address.
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro.new@example.com" }),
        None,
    )
    .await;
    assert!(
        mails_to(&app, "taro.new@example.com")
            .await
            .iter()
            .all(|m| !m.subject.contains("パスワード再設定"))
    );

    let reply = app
        .post("/api/me/email/verify", json!({ "code": code }), Some(&session))
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let old = mails_to(&app, "taro@example.com").await;
    assert_eq!(old[0].subject, "【メールアドレスが変更されました】");
    assert!(
        !old[0].text.contains("taro.new@example.com"),
        "the notice masks the new address"
    );
    let again = app
        .post("/api/me/email/verify", json!({ "code": code }), Some(&session))
        .await;
    assert_eq!(again.code(), "no_email_change");
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro.new@example.com" }),
        None,
    )
    .await;
    assert_eq!(
        mails_to(&app, "taro.new@example.com").await[0].subject,
        "【パスワード再設定用認証番号のお知らせ】"
    );
}

async fn an_email_change_code_expires_after_ten_minutes(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let request = |email: &'static str| {
        app.put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": email }),
            Some(&session),
        )
    };

    assert_eq!(request("taro.late@example.com").await.status, 200);
    let code = code_in(&mails_to(&app, "taro.late@example.com").await[0].text);
    app.clock.advance(601);
    let late = app
        .post("/api/me/email/verify", json!({ "code": code }), Some(&session))
        .await;
    assert_eq!(late.code(), "code_expired", "{:?}", late.body);
    // Recovery mail still goes to the old address: the change did not happen.
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro@example.com" }),
        None,
    )
    .await;
    assert!(
        mails_to(&app, "taro@example.com")
            .await
            .iter()
            .any(|m| m.subject.contains("パスワード再設定")),
        "the address did not change"
    );

    assert_eq!(request("taro.quick@example.com").await.status, 200);
    let code = code_in(&mails_to(&app, "taro.quick@example.com").await[0].text);
    app.clock.advance(599);
    let in_time = app
        .post("/api/me/email/verify", json!({ "code": code }), Some(&session))
        .await;
    assert_eq!(in_time.status, 200, "{:?}", in_time.body);
}

async fn a_failing_mail_loses_nothing_in_recovery(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&HANAKO, "sakura_hanako", "hanako@example.com").await;
    app.mailer.down.store(true, Ordering::SeqCst);
    let forgot = json!({ "userId": "sakura_hanako", "email": "hanako@example.com" });
    assert_eq!(
        app.post("/api/password/forgot", forgot.clone(), None).await.status,
        202,
        "the answer reveals nothing"
    );
    app.mailer.down.store(false, Ordering::SeqCst);
    assert_eq!(app.post("/api/password/forgot", forgot, None).await.status, 202);
    let code = code_in(&mails_to(&app, "hanako@example.com").await[0].text);
    let reply = app
        .post(
            "/api/password/reset",
            json!({ "userId": "sakura_hanako", "code": code, "password": NEW_PASSWORD }),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "the retry at once sent a working code");
}

on_both_engines!(
    forgot_password_answers_the_same_and_mails_only_on_a_match,
    a_reset_sets_the_password_ends_sessions_and_unlocks,
    a_reset_code_expires_and_is_resent_no_more_than_once_a_minute,
    recovery_is_throttled_per_target_and_per_address,
    forgot_user_id_mails_the_id_only_on_a_full_match,
    a_password_change_needs_the_current_one_and_ends_other_sessions,
    an_email_change_needs_the_code_from_the_new_address,
    an_email_change_code_expires_after_ten_minutes,
    a_failing_mail_loses_nothing_in_recovery,
);
