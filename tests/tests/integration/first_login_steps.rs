//! First login ⑤–⑥ on both engines: terms once per version, contact registration, and steps
//! that cannot be skipped by calling the API directly.

use kennin::domain::InsurerCode;
use kennin_tests::{Engine, HANAKO, PASSWORD, TARO, on_both_engines, spawn_app};
use serde_json::json;

async fn terms_are_shown_once_per_version(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.logged_in(&TARO, "kenpo_taro", "taro@example.com").await;

    let terms = app.get("/api/terms", Some(&session)).await;
    assert_eq!(terms.status, 200);
    let version = terms.body["version"].as_str().unwrap().to_string();
    assert!(terms.body["title"].as_str().unwrap().contains("利用規約"));
    let text = terms.body["text"].as_str().unwrap();
    assert!(
        text.contains("第1条（適用）") && text.contains("マイナンバー"),
        "articles as in the manual"
    );
    assert_eq!(
        app.get("/api/terms", None).await.body["version"],
        version.as_str(),
        "the default before login"
    );

    let stale = app
        .post("/api/me/terms", json!({ "version": "old-version" }), Some(&session))
        .await;
    assert_eq!((stale.status, stale.code()), (409, "terms_outdated"));
    let missing = app.post("/api/me/terms", json!({}), Some(&session)).await;
    assert_eq!(missing.status, 400);
    let accepted = app
        .post("/api/me/terms", json!({ "version": version }), Some(&session))
        .await;
    assert_eq!(
        (accepted.status, accepted.body["next"].as_str()),
        (200, Some("contact"))
    );
    assert_eq!(
        app.login("kenpo_taro", PASSWORD).await.body["next"],
        "contact",
        "not asked again"
    );

    // The union publishes new terms: they are shown once more.
    let code = InsurerCode::parse("0904").unwrap();
    let new_version = kennin::terms::publish(
        app.store.as_ref(),
        &code,
        "組合の利用規約",
        "第1条 …",
        kennin_tests::START,
    )
    .await
    .unwrap();
    assert_eq!(new_version, "0904-1");
    assert_eq!(app.get("/api/me", Some(&session)).await.body["next"], "terms");
    let terms = app.get("/api/terms", Some(&session)).await;
    assert_eq!(
        (terms.body["version"].as_str(), terms.body["title"].as_str()),
        (Some("0904-1"), Some("組合の利用規約"))
    );
    assert_eq!(
        app.post("/api/me/terms", json!({ "version": version }), Some(&session))
            .await
            .code(),
        "terms_outdated"
    );
    let accepted = app
        .post("/api/me/terms", json!({ "version": "0904-1" }), Some(&session))
        .await;
    assert_eq!(accepted.body["next"], "contact");
    let second = kennin::terms::publish(app.store.as_ref(), &code, "改定", "第1条 …", kennin_tests::START)
        .await
        .unwrap();
    assert_eq!(second, "0904-2");
}

async fn steps_cannot_be_skipped(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.logged_in(&TARO, "kenpo_taro", "taro@example.com").await;
    let contact = json!({ "postalCode": "1000001", "address": "東京都千代田区千代田1-1", "phone": "0312345678" });

    for reply in [
        app.get("/api/me/contact", Some(&session)).await,
        app.put("/api/me/contact", contact.clone(), Some(&session)).await,
        app.put(
            "/api/me/password",
            json!({ "currentPassword": PASSWORD, "password": "Nagoya#2031x" }),
            Some(&session),
        )
        .await,
        app.put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": "new@example.com" }),
            Some(&session),
        )
        .await,
    ] {
        assert_eq!(
            (reply.status, reply.code(), reply.body["next"].as_str()),
            (403, "step_required", Some("terms")),
            "{:?}",
            reply.body
        );
    }
    let version = app.get("/api/terms", Some(&session)).await.body["version"].clone();
    app.post("/api/me/terms", json!({ "version": version }), Some(&session))
        .await;

    let reply = app
        .put(
            "/api/me/password",
            json!({ "currentPassword": PASSWORD, "password": "Nagoya#2031x" }),
            Some(&session),
        )
        .await;
    assert_eq!((reply.status, reply.body["next"].as_str()), (403, Some("contact")));
    let none = app.get("/api/me/contact", Some(&session)).await;
    assert_eq!((none.status, &none.body["contact"]), (200, &serde_json::Value::Null));
    let saved = app.put("/api/me/contact", contact, Some(&session)).await;
    assert_eq!((saved.status, saved.body["next"].as_str()), (200, Some("home")));
    assert_eq!(app.get("/api/me", Some(&session)).await.body["next"], "home");
    assert_eq!(app.login("kenpo_taro", PASSWORD).await.body["next"], "home");
    for path in ["/api/me/contact", "/api/me/terms"] {
        assert_eq!(
            app.get(path, None).await.status,
            if path == "/api/me/terms" { 404 } else { 401 }
        );
    }
}

async fn contact_details_are_normalised_and_checked(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let saved = app
        .put(
            "/api/me/contact",
            json!({ "postalCode": "〒５４１－００４１", "address": "  大阪府大阪市中央区北浜4-5-33 ", "phone": "０６－６２２０－６１７２" }),
            Some(&session),
        )
        .await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    assert_eq!(
        saved.body["contact"],
        json!({ "postalCode": "541-0041", "address": "大阪府大阪市中央区北浜4-5-33", "phone": "0662206172" })
    );
    assert_eq!(
        app.get("/api/me/contact", Some(&session)).await.body["contact"],
        saved.body["contact"]
    );

    let bad = app
        .put(
            "/api/me/contact",
            json!({ "postalCode": "541-004", "address": "", "phone": "12345" }),
            Some(&session),
        )
        .await;
    assert_eq!(bad.status, 400);
    for field in ["postalCode", "address", "phone"] {
        assert!(bad.body["fields"][field].is_string(), "{field}: {:?}", bad.body);
    }
    assert_eq!(
        app.get("/api/me/contact", Some(&session)).await.body["contact"],
        saved.body["contact"],
        "bad input changes nothing"
    );
    let long = app
        .put(
            "/api/me/contact",
            json!({ "postalCode": "5410041", "address": "あ".repeat(201), "phone": "0662206172" }),
            Some(&session),
        )
        .await;
    assert!(long.body["fields"]["address"].as_str().unwrap().contains("200文字"));
}

async fn another_persons_session_sees_only_their_own(engine: Engine) {
    let app = spawn_app(engine).await;
    let taro = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let hanako = app.logged_in(&HANAKO, "sakura_hanako", "hanako@example.com").await;
    assert_eq!(app.get("/api/me", Some(&hanako)).await.body["next"], "terms");
    assert_eq!(app.get("/api/me", Some(&taro)).await.body["next"], "home");
    let me = app.get("/api/me", Some(&hanako)).await;
    assert_eq!(me.body["userId"], "sakura_hanako");
}

on_both_engines!(
    terms_are_shown_once_per_version,
    steps_cannot_be_skipped,
    contact_details_are_normalised_and_checked,
    another_persons_session_sees_only_their_own,
);
