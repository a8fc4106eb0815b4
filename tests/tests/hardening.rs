//! Malformed and hostile input gets a clear 400 and touches nothing; every answer carries the
//! security headers.

use kennin_tests::{Engine, TARO, on_both_engines, spawn_app};
use serde_json::json;

async fn malformed_bodies_are_refused_before_anything_is_stored(engine: Engine) {
    let app = spawn_app(engine).await;
    let identity =
        r#"{"insurerCode":"0904","symbol":"1001","number":"1","birthDate":"1990/01/01","nameKana":"ケンポ タロウ""#;
    let nested = format!("{}{}", "{\"a\":".repeat(200), "1".to_string() + &"}".repeat(200));
    let cases: Vec<Vec<u8>> = vec![
        format!("{identity}, \"role\": \"admin\"}}").into_bytes(),
        format!("{identity}, \"symbol\": \"1002\"}}").into_bytes(),
        nested.into_bytes(),
        br#"["0904","1001","1","1990/01/01","kana"]"#.to_vec(),
        b"\"just a string\"".to_vec(),
        b"{\"nameKana\": \"\xff\xfe\"}".to_vec(),
        b"".to_vec(),
        b"null".to_vec(),
    ];
    for body in cases {
        let request = app
            .raw("POST", "/api/signup/identity")
            .header("content-type", "application/json")
            .body(body.clone());
        let reply = app.finish(request).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "malformed_request"),
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert!(reply.cookie("__Host-kennin_signup").is_none());
    }
    let huge = vec![b' '; 1024 * 1024];
    let reply = app
        .finish(
            app.raw("POST", "/api/session")
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
    assert_eq!(reply.status, 413);
    // Nothing above counted as an identity failure: the card is not throttled.
    assert_eq!(
        app.post("/api/signup/identity", TARO.identity(), None).await.status,
        200
    );
}

async fn unicode_edge_cases_get_field_messages(engine: Engine) {
    let app = spawn_app(engine).await;
    for kana in [
        "ケンポ\u{0}タロウ",
        "ケンポ\u{202E}タロウ",
        "ケンポ😀タロウ",
        "ケ\u{0301}ンポタロウ",
        "\u{FEFF}",
    ] {
        let body = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": "1990/01/01", "nameKana": kana });
        let reply = app.post("/api/signup/identity", body, None).await;
        assert_eq!(reply.status, 400, "{kana:?}: {:?}", reply.body);
        assert!(reply.body["fields"]["nameKana"].is_string(), "{kana:?}");
    }
    for user_id in [
        "kenpo\u{0}taro",
        "kenpo\u{200B}taro_",
        "ｋｅｎｐｏ😀taro",
        "kenpo\u{202E}taro",
    ] {
        let flow = app.identity(&TARO).await;
        let body = json!({ "userId": user_id, "password": "Sakura#2024go", "email": "t@example.com" });
        let reply = app.post("/api/signup/account", body, Some(&flow)).await;
        // Zero-width characters are dropped (the ID is then valid); anything else is refused.
        if user_id.contains('\u{200B}') {
            assert_eq!(reply.status, 200, "{user_id:?}: {:?}", reply.body);
        } else {
            assert!(
                reply.body["fields"]["userId"].is_string(),
                "{user_id:?}: {:?}",
                reply.body
            );
        }
    }
    let reply = app.login("kenpo\u{0}taro", "x\u{0}").await;
    assert_eq!(reply.status, 401);
}

async fn every_answer_carries_the_security_headers(engine: Engine) {
    let app = spawn_app(engine).await;
    for (method, path) in [
        ("GET", "/api/me"),
        ("GET", "/api/signup"),
        ("GET", "/api/notices"),
        ("GET", "/portal/"),
        ("GET", "/portal/assets/portal.css"),
        ("GET", "/nowhere"),
    ] {
        let reply = app.finish(app.raw(method, path)).await;
        let csp = reply.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert!(reply.header("referrer-policy").is_some(), "{path}");
        assert!(
            reply
                .header("strict-transport-security")
                .is_some_and(|h| h.contains("max-age=")),
            "{path}"
        );
        assert!(reply.header("server").is_none(), "{path}: no server banner");
        if path.starts_with("/api/") {
            assert_eq!(reply.header("cache-control"), Some("no-store"), "{path}");
        }
    }
}

async fn a_planted_session_cookie_never_authenticates(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let planted = format!("__Host-kennin_session={}", "a".repeat(64));
    assert_eq!(app.get("/api/me", Some(&planted)).await.status, 401);
    let request = app
        .raw("POST", "/api/session")
        .header("content-type", "application/json")
        .header("cookie", planted.clone())
        .body(json!({ "userId": "kenpo_taro", "password": "Sakura#2024go" }).to_string());
    let reply = app.finish(request).await;
    let issued = reply.cookie("__Host-kennin_session").unwrap();
    assert_ne!(
        issued, planted,
        "login issues a new token rather than adopting the planted one"
    );
    assert_eq!(app.get("/api/me", Some(&planted)).await.status, 401);
    assert_eq!(app.get("/api/me", Some(&issued)).await.status, 200);
}

on_both_engines!(
    malformed_bodies_are_refused_before_anything_is_stored,
    unicode_edge_cases_get_field_messages,
    every_answer_carries_the_security_headers,
    a_planted_session_cookie_never_authenticates,
);
