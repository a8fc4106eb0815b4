//! First login ①–④ over HTTP, against the whole application on each storage engine.

use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use kennin::store::records::{Account, RosterPerson, SignupFlow, UserIdGuard};
use kennin::store::{Change, ItemStore, Key};
use kennin_tests::{
    HANAKO, PASSWORD, Person, SURVEY_YEAR, TARO, TestApp, code_in, on_both_engines, spawn_app, spawn_app_with,
    test_config,
};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

fn field<'a>(reply: &'a kennin_tests::Reply, name: &str) -> &'a str {
    reply.body["fields"][name].as_str().unwrap_or("")
}

async fn a_person_goes_from_identity_to_login(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;

    let state = app.get("/api/signup", None).await;
    assert_eq!(state.body["step"], "identity");

    // Half-width kana, full-width digits, the date without zeros: all as people type them.
    let identity = json!({
        "insurerCode": "０９０４", "symbol": "１００１", "number": " 1 ", "birthDate": "1990/1/1", "nameKana": "ｹﾝﾎﾟﾀﾛｳ"
    });
    let reply = app.post("/api/signup/identity", identity, None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["step"], "account");
    assert!(reply.body["expiresAt"].as_str().unwrap().ends_with('Z'));
    // The cookies' wire names are spelled out here only: their `__Host-` prefix is what makes
    // browsers refuse them without Secure and Path=/ or with a Domain.
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-kennin_signup="))
        .unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let flow = reply.cookie(SIGNUP_COOKIE).unwrap();
    assert_eq!(app.get("/api/signup", Some(&flow)).await.body["step"], "account");

    let reply = app.account(&flow, "Kenpo_Taro", "taro@example.com").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["step"], "code");
    assert_eq!(reply.body["maskedEmail"], "t***@example.com");
    let resumed = app.get("/api/signup", Some(&flow)).await;
    assert_eq!(resumed.body["step"], "code");
    assert_eq!(resumed.body["maskedEmail"], "t***@example.com");
    assert_eq!(resumed.body["codeExpiresAt"], reply.body["codeExpiresAt"]);

    let mails = app.mails().await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, "taro@example.com");
    assert_eq!(mail.subject, "【ユーザーID作成用認証番号のお知らせ】");
    for phrase in ["認証番号：", "発行より10分", "送信専用", "破棄"] {
        assert!(mail.text.contains(phrase), "mail lacks {phrase}: {}", mail.text);
    }
    let code = code_in(&mail.text);
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));

    let reply = app.code(&flow, &code).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body, json!({ "step": "done", "userId": "Kenpo_Taro" }));
    assert!(
        reply
            .set_cookies()
            .iter()
            .any(|c| c.starts_with(&format!("{SIGNUP_COOKIE}=;")) && c.contains("Max-Age=0"))
    );

    // The ID is case-insensitive and full-width input folds, at login as at signup.
    let reply = app.login("ｋｅｎｐｏ_ｔａｒｏ", PASSWORD).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["next"], "terms");
    let session_cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-kennin_session="))
        .unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(session_cookie.contains(attribute), "{session_cookie} lacks {attribute}");
    }
    let session = reply.cookie(SESSION_COOKIE).unwrap();
    assert!(
        session.len() >= format!("{SESSION_COOKIE}=").len() + 32,
        "a 128-bit+ token"
    );
    let me = app.get("/api/me", Some(&session)).await;
    assert_eq!(me.status, 200);
    let mut body = me.body.clone();
    let notices = body.as_object_mut().unwrap().remove("notices").unwrap();
    assert_eq!(
        body,
        json!({
            "userId": "Kenpo_Taro", "name": "健保 太郎", "insurer": { "code": "0904", "name": "けんにん健康保険組合（デモ）" },
            "surveyYear": SURVEY_YEAR, "next": "terms", "emailUndeliverable": null
        })
    );
    assert_eq!(notices[0]["title"], "被扶養者資格調査のご案内", "組合からのお知らせ");
    assert_eq!(me.header("cache-control"), Some("no-store"));

    let logout = app.send("DELETE", "/api/session", None, Some(&session)).await;
    assert_eq!(logout.status, 204);
    let me = app.get("/api/me", Some(&session)).await;
    assert_eq!(me.status, 401);
    assert_eq!(me.code(), "not_authenticated");
    assert_eq!(app.get("/api/me", None).await.status, 401);
}

async fn bad_identity_input_names_each_field_and_changes_nothing(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let reply = app
        .post(
            "/api/signup/identity",
            json!({ "insurerCode": "94", "symbol": "12-3", "number": "", "birthDate": "1990/02/30", "nameKana": "健保太郎" }),
            None,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "invalid_input");
    assert_eq!(
        field(&reply, "insurerCode"),
        "保険者指定コードは4桁の数字で入力してください。"
    );
    assert_eq!(field(&reply, "symbol"), "記号は数字（10桁以内）で入力してください。");
    assert_eq!(field(&reply, "number"), "番号を入力してください。");
    assert_eq!(
        field(&reply, "birthDate"),
        "生年月日に存在しない日付が入力されています。"
    );
    assert_eq!(field(&reply, "nameKana"), "氏名（カナ）はカタカナで入力してください。");
    assert!(reply.body["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(reply.cookie(SIGNUP_COOKIE).is_none());

    let future = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": "2040/01/01", "nameKana": "ケンポ タロウ" });
    let reply = app.post("/api/signup/identity", future, None).await;
    assert_eq!(field(&reply, "birthDate"), "生年月日に今日以降の日付は入力できません。");

    let unknown = json!({ "insurerCode": "9999", "symbol": "1001", "number": "1", "birthDate": "1990/01/01", "nameKana": "ケンポ タロウ" });
    let reply = app.post("/api/signup/identity", unknown, None).await;
    assert_eq!(reply.status, 400);
    assert!(field(&reply, "insurerCode").contains("見つかりません"));
}

async fn a_mismatch_never_says_which_field_was_wrong(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let wrong_birth = Person {
        birth_date: "1990/01/02",
        ..TARO
    };
    let wrong_name = Person {
        name_kana: "ケンポ ジロウ",
        ..TARO
    };
    let no_such_card = Person { number: "999", ..TARO };
    let mut bodies = Vec::new();
    for person in [&wrong_birth, &wrong_name, &no_such_card] {
        let reply = app.post("/api/signup/identity", person.identity(), None).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.code(), "identity_mismatch");
        assert!(reply.body.get("fields").is_none());
        let mut body = reply.body.clone();
        body.as_object_mut().unwrap().remove("requestId");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
}

async fn identity_failures_are_throttled_per_card_and_per_address(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let wrong = Person {
        birth_date: "1990/01/02",
        ..TARO
    };
    for _ in 0..5 {
        assert_eq!(
            app.post("/api/signup/identity", wrong.identity(), None).await.status,
            401
        );
    }
    // The card is now throttled, even for the right answer, from any address.
    let reply = app.post("/api/signup/identity", TARO.identity(), None).await;
    assert_eq!(reply.status, 429, "{:?}", reply.body);
    assert_eq!(reply.code(), "too_many_attempts");
    assert!(reply.header("retry-after").unwrap().parse::<i64>().unwrap() > 0);
    assert!(reply.body["message"].as_str().unwrap().contains("健康保険組合"));
    // Another person on the card's neighbour is not affected.
    assert_eq!(
        app.post("/api/signup/identity", HANAKO.identity(), None).await.status,
        200
    );
    // An hour later the card is free again.
    app.clock.advance(3_600);
    assert_eq!(
        app.post("/api/signup/identity", TARO.identity(), None).await.status,
        200
    );

    // 30 failures from one address on different cards: then the address is throttled.
    for n in 0..30 {
        let number = format!("{}", 5000 + n);
        let person = json!({ "insurerCode": "0904", "symbol": "1001", "number": number, "birthDate": "1990/01/01", "nameKana": "ケンポ タロウ" });
        let request = app
            .raw("POST", "/api/signup/identity")
            .header("content-type", "application/json")
            .header("x-forwarded-for", "203.0.113.9")
            .body(person.to_string());
        assert_eq!(app.finish(request).await.status, 401);
    }
    let request = app
        .raw("POST", "/api/signup/identity")
        .header("content-type", "application/json")
        .header("x-forwarded-for", "203.0.113.9")
        .body(HANAKO.identity().to_string());
    assert_eq!(app.finish(request).await.status, 429);
}

async fn a_person_with_an_account_this_year_is_sent_to_login(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let reply = app.post("/api/signup/identity", TARO.identity(), None).await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.code(), "already_registered");
    let message = reply.body["message"].as_str().unwrap();
    assert!(
        message.contains("ログイン") && message.contains("ユーザーIDを忘れた方"),
        "{message}"
    );
}

async fn account_rules_are_enforced_field_by_field(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&TARO).await;
    let cases = [
        (
            json!({ "userId": "abc", "password": PASSWORD, "email": "t@example.com" }),
            "userId",
            "6文字以上50文字以内",
        ),
        (
            json!({ "userId": "kenpo taro", "password": PASSWORD, "email": "t@example.com" }),
            "userId",
            "半角英字",
        ),
        (
            json!({ "userId": "kenpo_taro", "password": "short1!", "email": "t@example.com" }),
            "password",
            "8文字以上20文字以内",
        ),
        (
            json!({ "userId": "kenpo_taro", "password": "NoSymbol123", "email": "t@example.com" }),
            "password",
            "それぞれ1文字以上",
        ),
        (
            json!({ "userId": "kenpo_taro", "password": "P@ssw0rd1", "email": "t@example.com" }),
            "password",
            "推測されやすい",
        ),
        (
            json!({ "userId": "kenpo_taro", "password": "x9!kenpo_taro", "email": "t@example.com" }),
            "password",
            "ユーザーIDを含める",
        ),
        (
            json!({ "userId": "kenpo_taro", "password": PASSWORD, "email": "taro@example" }),
            "email",
            "形式",
        ),
    ];
    for (body, name, phrase) in cases {
        let reply = app.post("/api/signup/account", body.clone(), Some(&flow)).await;
        assert_eq!(reply.status, 400, "{body}");
        assert!(field(&reply, name).contains(phrase), "{body}: {:?}", reply.body);
    }
    assert!(app.mails().await.is_empty(), "no code is sent for refused input");
    assert_eq!(app.get("/api/signup", Some(&flow)).await.body["step"], "account");

    // Taken, case-insensitively, by someone else's account.
    app.sign_up(&HANAKO, "Sakura_Hanako", "hanako@example.com").await;
    let reply = app.account(&flow, "sakura_hanako", "taro@example.com").await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.code(), "user_id_taken");
    assert!(field(&reply, "userId").contains("既に使われています"));
}

async fn twenty_flows_racing_for_one_user_id_have_one_winner(engine: kennin_tests::Engine) {
    let app = std::sync::Arc::new(spawn_app(engine).await);
    let mut flows = Vec::new();
    for _ in 0..20 {
        flows.push(app.identity(&TARO).await);
    }
    let tasks: Vec<_> = flows
        .into_iter()
        .map(|flow| {
            let app = app.clone();
            tokio::spawn(async move { app.account(&flow, "popular_id", "taro@example.com").await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        statuses.push((reply.status, reply.code().to_string()));
    }
    let winners = statuses.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(winners, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|(s, c)| *s == 200 || (*s == 409 && c == "user_id_taken")),
        "{statuses:?}"
    );
    assert_eq!(app.mails().await.len(), 1);
}

async fn a_reservation_is_freed_when_its_flow_expires_or_moves_on(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let first = app.identity(&TARO).await;
    assert_eq!(app.account(&first, "wanted_id", "taro@example.com").await.status, 200);
    let second = app.identity(&HANAKO).await;
    assert_eq!(
        app.account(&second, "wanted_id", "hanako@example.com").await.status,
        409
    );

    // The first flow changes its mind after the resend interval: its old ID is free.
    app.clock.advance(61);
    assert_eq!(app.account(&first, "other_id", "taro@example.com").await.status, 200);
    assert_eq!(
        app.account(&second, "wanted_id", "hanako@example.com").await.status,
        200
    );

    // A flow that lapses lets go of its reservation.
    app.clock.advance(3_601);
    let third = app
        .identity(&Person {
            insurer: "0904",
            symbol: "1001",
            number: "3",
            birth_date: "1978/12/31",
            name_kana: "スズキ イチロウ",
        })
        .await;
    assert_eq!(app.account(&third, "other_id", "ichiro@example.com").await.status, 200);
    assert_eq!(
        app.account(&first, "other_id", "taro@example.com").await.code(),
        "flow_expired"
    );
}

async fn an_expired_code_is_refused_even_while_stored(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&TARO).await;
    app.account(&flow, "kenpo_taro", "taro@example.com").await;
    let code = app.latest_code("taro@example.com").await;
    app.clock.advance(600);
    let reply = app.code(&flow, &code).await;
    assert_eq!(reply.status, 410);
    assert_eq!(reply.code(), "code_expired");

    // One second before the end it works.
    let other = app.identity(&HANAKO).await;
    app.account(&other, "sakura_hanako", "hanako@example.com").await;
    let code = app.latest_code("hanako@example.com").await;
    app.clock.advance(599);
    assert_eq!(app.code(&other, &code).await.status, 200);
}

/// The code's lifetime is configured (KENNIN_CODE_TTL_SECONDS): the mail and the answer to a
/// late code both state the configured one, not a fixed ten minutes.
async fn the_mail_and_the_expiry_answer_state_the_configured_code_lifetime(engine: kennin_tests::Engine) {
    let mut config = test_config();
    config.code_ttl_seconds = 60;
    let app = spawn_app_with(engine, config).await;
    let flow = app.identity(&TARO).await;
    app.account(&flow, "kenpo_taro", "taro@example.com").await;
    let mail = app.mails().await.pop().expect("the code mail");
    assert!(
        mail.text
            .contains("有効期限は発行より1分となっておりますので、1分以内に入力"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("10分"), "{}", mail.text);
    app.clock.advance(60);
    let reply = app.code(&flow, &code_in(&mail.text)).await;
    assert_eq!((reply.status, reply.code()), (410, "code_expired"));
    let message = reply.body["message"].as_str().unwrap();
    assert!(message.contains("（発行から1分）"), "{message}");
}

async fn fifty_concurrent_wrong_codes_evaluate_at_most_five(engine: kennin_tests::Engine) {
    let app = std::sync::Arc::new(spawn_app(engine).await);
    let flow = app.identity(&TARO).await;
    app.account(&flow, "kenpo_taro", "taro@example.com").await;
    let code = app.latest_code("taro@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, flow) = (app.clone(), flow.clone());
            tokio::spawn(async move { app.code(&flow, wrong).await })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap().code().to_string());
    }
    let mismatches = codes.iter().filter(|c| *c == "code_mismatch").count();
    let void = codes.iter().filter(|c| *c == "code_void").count();
    assert_eq!((mismatches, void), (4, 46), "{codes:?}");
    let stored = app
        .store
        .get(&SignupFlow::key(&kennin::secrets::token_hash(
            flow.split('=').nth(1).unwrap(),
        )))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored["codeTries"], 5);
    // The right code no longer works either.
    let reply = app.code(&flow, &code).await;
    assert_eq!((reply.status, reply.code()), (410, "code_void"));
}

async fn a_wrong_code_says_how_many_tries_are_left(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&TARO).await;
    app.account(&flow, "kenpo_taro", "taro@example.com").await;
    let code = app.latest_code("taro@example.com").await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let reply = app.code(&flow, wrong).await;
    assert_eq!(reply.status, 400);
    assert!(field(&reply, "code").contains("あと4回"));
    let reply = app.code(&flow, "12345").await;
    assert_eq!(reply.status, 400);
    assert!(field(&reply, "code").contains("6桁"));
    assert_eq!(app.code(&flow, &code).await.status, 200);
}

async fn a_code_works_once_and_only_in_its_own_flow(engine: kennin_tests::Engine) {
    let app = std::sync::Arc::new(spawn_app(engine).await);
    let taro = app.identity(&TARO).await;
    app.account(&taro, "kenpo_taro", "taro@example.com").await;
    let taro_code = app.latest_code("taro@example.com").await;
    let hanako = app.identity(&HANAKO).await;
    app.account(&hanako, "sakura_hanako", "hanako@example.com").await;
    let hanako_code = app.latest_code("hanako@example.com").await;
    if taro_code != hanako_code {
        let reply = app.code(&hanako, &taro_code).await;
        assert_eq!(reply.code(), "code_mismatch");
    }

    // The same valid code, five times at once: one account.
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (app, flow, code) = (app.clone(), taro.clone(), taro_code.clone());
            tokio::spawn(async move { app.code(&flow, &code).await })
        })
        .collect();
    let mut successes = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        if reply.status == 200 {
            successes += 1;
        } else {
            assert_eq!(reply.status, 410, "{:?}", reply.body);
        }
    }
    assert_eq!(successes, 1);
    // And again, in sequence.
    assert_eq!(app.code(&taro, &taro_code).await.status, 410);
    assert_eq!(app.code(&hanako, &hanako_code).await.status, 200);
}

async fn resend_waits_a_minute_voids_the_old_code_and_stops_after_five(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&TARO).await;
    app.account(&flow, "kenpo_taro", "taro@example.com").await;
    let first = app.latest_code("taro@example.com").await;

    let reply = app.post("/api/signup/code/resend", json!({}), Some(&flow)).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.code(), "resend_too_soon");
    assert!(reply.header("retry-after").is_some());

    for sent in 2..=6 {
        app.clock.advance(60);
        let reply = app.post("/api/signup/code/resend", json!({}), Some(&flow)).await;
        assert_eq!(reply.status, 200, "send {sent}: {:?}", reply.body);
        assert!(reply.body["codeExpiresAt"].is_string());
        assert_eq!(app.mails().await.len(), sent);
    }
    app.clock.advance(60);
    let reply = app.post("/api/signup/code/resend", json!({}), Some(&flow)).await;
    assert_eq!((reply.status, reply.code()), (429, "resend_limit"));

    let latest = app.latest_code("taro@example.com").await;
    if first != latest {
        assert_eq!(app.code(&flow, &first).await.code(), "code_mismatch");
    }
    assert_eq!(app.code(&flow, &latest).await.status, 200);
}

async fn the_account_is_one_atomic_write(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&TARO).await;
    app.account(&flow, "kenpo_taro", "taro@example.com").await;
    let code = app.latest_code("taro@example.com").await;

    // The roster person gets claimed by someone else between ② and ③: the last of the four
    // writes fails, so none of them may stay.
    let person_key = roster_key(&TARO);
    app.store
        .update(
            &person_key,
            &[Change::set(RosterPerson::CLAIMED_BY, "someone-else")],
            None,
        )
        .await
        .unwrap();
    let reply = app.code(&flow, &code).await;
    assert_eq!((reply.status, reply.code()), (409, "already_registered"));
    let guard = app
        .store
        .get(&UserIdGuard::key(&kennin::domain::UserId::parse("kenpo_taro").unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(guard["kind"], "reservation");
    assert_eq!(accounts(&app).await, 0);
    assert_eq!(app.get("/api/signup", Some(&flow)).await.body["step"], "code");

    // The store failing at ③ answers 503 and loses nothing: the same code works afterwards.
    app.store
        .update(&person_key, &[Change::remove(RosterPerson::CLAIMED_BY)], None)
        .await
        .unwrap();
    app.store.down.store(true, Ordering::SeqCst);
    let reply = app.code(&flow, &code).await;
    assert_eq!((reply.status, reply.code()), (503, "service_unavailable"));
    assert!(reply.header("retry-after").is_some());
    app.store.down.store(false, Ordering::SeqCst);
    assert_eq!(app.code(&flow, &code).await.status, 200);
    assert_eq!(accounts(&app).await, 1);
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.status, 200);
}

async fn a_failed_code_mail_answers_503_and_can_be_retried_at_once(engine: kennin_tests::Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&TARO).await;
    app.mailer.down.store(true, Ordering::SeqCst);
    let reply = app.account(&flow, "kenpo_taro", "taro@example.com").await;
    assert_eq!((reply.status, reply.code()), (503, "service_unavailable"));
    app.mailer.down.store(false, Ordering::SeqCst);
    let reply = app.account(&flow, "kenpo_taro", "taro@example.com").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let code = app.latest_code("taro@example.com").await;
    assert_eq!(app.code(&flow, &code).await.status, 200);
}

fn roster_key(person: &Person) -> Key {
    RosterPerson::key(
        &kennin::domain::InsurerCode::parse("0904").unwrap(),
        SURVEY_YEAR,
        &kennin::domain::CardSymbol::parse(person.symbol).unwrap(),
        &kennin::domain::CardNumber::parse(person.number).unwrap(),
    )
}

/// The accounts of the demo union: the store has no scan, on purpose, so they are found through
/// the roster's claims.
async fn accounts(app: &TestApp) -> usize {
    let mut accounts = 0;
    for person in app
        .store
        .query(
            &RosterPerson::partition(&kennin::domain::InsurerCode::parse("0904").unwrap(), SURVEY_YEAR),
            RosterPerson::SK_PREFIX,
        )
        .await
        .unwrap()
    {
        if let Some(id) = person.get(RosterPerson::CLAIMED_BY.name()).and_then(Value::as_str)
            && app.store.get(&Account::key(id)).await.unwrap().is_some()
        {
            accounts += 1;
        }
    }
    accounts
}

on_both_engines!(
    a_person_goes_from_identity_to_login,
    bad_identity_input_names_each_field_and_changes_nothing,
    a_mismatch_never_says_which_field_was_wrong,
    identity_failures_are_throttled_per_card_and_per_address,
    a_person_with_an_account_this_year_is_sent_to_login,
    account_rules_are_enforced_field_by_field,
    twenty_flows_racing_for_one_user_id_have_one_winner,
    a_reservation_is_freed_when_its_flow_expires_or_moves_on,
    an_expired_code_is_refused_even_while_stored,
    the_mail_and_the_expiry_answer_state_the_configured_code_lifetime,
    fifty_concurrent_wrong_codes_evaluate_at_most_five,
    a_wrong_code_says_how_many_tries_are_left,
    a_code_works_once_and_only_in_its_own_flow,
    resend_waits_a_minute_voids_the_old_code_and_stops_after_five,
    the_account_is_one_atomic_write,
    a_failed_code_mail_answers_503_and_can_be_retried_at_once,
);
