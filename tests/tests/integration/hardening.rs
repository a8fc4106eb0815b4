//! Malformed and hostile input gets a clear 400 and touches nothing; every answer carries the
//! security headers.

use kennin::http::{SESSION_COOKIE, SIGNUP_COOKIE};
use kennin::secrets::token_hash;
use kennin::store::ItemStore;
use kennin::store::records::{EmailChange, PasswordReset, SignupFlow};
use kennin_tests::{Engine, HANAKO, PASSWORD, TARO, TestApp, on_both_engines, spawn_app};
use serde_json::{Value, json};

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
        assert!(reply.cookie(SIGNUP_COOKIE).is_none());
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

/// The address the page's HTML gives the file `name` (in the folder named for the files'
/// content).
async fn asset_address(app: &TestApp, page: &str, name: &str) -> String {
    let reply = app.get(page, None).await;
    let html = reply.body.as_str().expect("an HTML page");
    let end = html
        .find(&format!("/{name}\""))
        .unwrap_or_else(|| panic!("{page} names no {name}"))
        + name.len()
        + 1;
    let start = html[..end].rfind('"').expect("a quoted address") + 1;
    html[start..end].to_string()
}

async fn every_answer_carries_the_security_headers(engine: Engine) {
    let app = spawn_app(engine).await;
    let portal_css = asset_address(&app, "/portal/", "portal.css").await;
    let console_css = asset_address(&app, "/admin/login", "console.css").await;
    for (method, path) in [
        ("GET", "/api/me"),
        ("GET", "/api/signup"),
        ("GET", "/api/notices"),
        ("GET", "/portal/"),
        ("GET", portal_css.as_str()),
        ("GET", "/admin/login"),
        ("GET", console_css.as_str()),
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

/// The pages' files are kept by the browser for a year at an address that changes with them,
/// and sent gzipped to a browser that takes it; the pages themselves are never kept.
async fn the_pages_files_are_cached_for_good_and_sent_compressed(engine: Engine) {
    let app = spawn_app(engine).await;
    for (page, name, unversioned) in [
        ("/portal/", "main.js", "/portal/assets/main.js"),
        ("/admin/login", "console.css", "/admin/assets/console.css"),
    ] {
        let path = asset_address(&app, page, name).await;
        let plain = app.finish(app.raw("GET", &path)).await;
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(
            plain.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{path}"
        );
        assert_eq!(plain.header("content-encoding"), None, "{path}");
        let zipped = app
            .finish(app.raw("GET", &path).header("accept-encoding", "gzip, deflate, br"))
            .await;
        assert_eq!(zipped.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(zipped.header("vary"), Some("accept-encoding"), "{path}");
        let gone = app.finish(app.raw("GET", unversioned)).await;
        assert_eq!(gone.status, 404, "{unversioned}");
        let shell = app.finish(app.raw("GET", page).header("accept-encoding", "gzip")).await;
        assert_eq!(
            (shell.header("content-encoding"), shell.header("cache-control")),
            (Some("gzip"), Some("no-store")),
            "{page}"
        );
    }
}

/// A long JSON answer (the terms) is sent gzipped to a browser that takes it and reads the same;
/// a client that does not take gzip gets it as it is.
async fn a_long_answer_is_sent_compressed(engine: Engine) {
    use std::io::Read;
    let app = spawn_app(engine).await;
    let session = app.logged_in(&TARO, "kenpo_taro", "taro@example.com").await;
    let plain = app.get("/api/terms", Some(&session)).await;
    assert_eq!(plain.status, 200, "{:?}", plain.body);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.body.to_string().len() >= kennin::http::GZIP_JSON_MIN_BYTES);
    let zipped = app
        .raw("GET", "/api/terms")
        .header("cookie", &session)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("request sent");
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    let bytes = zipped.bytes().await.expect("body");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("a gzip body");
    assert_eq!(serde_json::from_str::<Value>(&text).expect("JSON"), plain.body);
}

async fn a_planted_session_cookie_never_authenticates(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let planted = format!("{SESSION_COOKIE}={}", "a".repeat(64));
    assert_eq!(app.get("/api/me", Some(&planted)).await.status, 401);
    let request = app
        .raw("POST", "/api/session")
        .header("content-type", "application/json")
        .header("cookie", planted.clone())
        .body(json!({ "userId": "kenpo_taro", "password": "Sakura#2024go" }).to_string());
    let reply = app.finish(request).await;
    let issued = reply.cookie(SESSION_COOKIE).unwrap();
    assert_ne!(
        issued, planted,
        "login issues a new token rather than adopting the planted one"
    );
    assert_eq!(app.get("/api/me", Some(&planted)).await.status, 401);
    assert_eq!(app.get("/api/me", Some(&issued)).await.status, 200);
}

/// V3.4.1, V3.4.2, V3.4.3: HSTS for at least a year with subdomains, `base-uri 'none'` on pages
/// and API answers, and no CORS grant to any origin, even when one asks.
async fn transport_and_origin_headers_hold_their_values(engine: Engine) {
    let app = spawn_app(engine).await;
    let requests = [
        app.raw("GET", "/portal/"),
        app.raw("GET", "/portal/settings"),
        app.raw("GET", "/admin/targets"),
        app.raw("GET", "/api/notices"),
        app.raw("GET", "/api/me"),
        app.raw("GET", "/api/notices").header("origin", "https://evil.example"),
        app.raw("OPTIONS", "/api/session")
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "POST"),
        app.raw("POST", "/api/session")
            .header("origin", "https://evil.example")
            .header("content-type", "application/json")
            .body(json!({ "userId": "kenpo_taro", "password": PASSWORD }).to_string()),
    ];
    for request in requests {
        let described = format!("{request:?}");
        let reply = app.finish(request).await;
        let hsts = reply.header("strict-transport-security").unwrap_or_default();
        let max_age: i64 = hsts
            .split(';')
            .find_map(|part| part.trim().strip_prefix("max-age="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(max_age >= 31_536_000, "{described}: {hsts}");
        assert!(hsts.contains("includeSubDomains"), "{described}: {hsts}");
        if let Some(csp) = reply.header("content-security-policy") {
            assert!(csp.contains("base-uri 'none'"), "{described}: {csp}");
        }
        for name in reply.headers.keys() {
            assert!(
                !name.as_str().starts_with("access-control-allow-"),
                "{described}: {name}"
            );
        }
    }
    let page = app.finish(app.raw("GET", "/portal/")).await;
    assert!(
        page.header("content-security-policy")
            .is_some_and(|csp| csp.contains("base-uri 'none'")),
        "pages always carry the CSP"
    );
}

/// V14.3.1: logging out tells the browser to drop the session cookie at once.
async fn logout_clears_the_session_cookie(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up(&TARO, "kenpo_taro", "taro@example.com").await;
    let session = app.login("kenpo_taro", PASSWORD).await.cookie(SESSION_COOKIE).unwrap();
    let reply = app.send("DELETE", "/api/session", None, Some(&session)).await;
    assert_eq!(reply.status, 204);
    let cleared = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(&format!("{SESSION_COOKIE}=")))
        .expect("a Set-Cookie for the session cookie");
    assert!(cleared.starts_with(&format!("{SESSION_COOKIE}=;")), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(
        cleared.contains("Path=/") && cleared.contains("Secure"),
        "{cleared}: same attributes, so it matches"
    );
}

/// A state-changing request another site sends is refused before its route runs, whether or
/// not it has a body: logging out, ending the other sessions and resending a code change
/// nothing.
async fn cross_site_requests_without_a_body_are_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let flow = app.identity(&HANAKO).await;
    app.account(&flow, "sakura_hanako", "hanako@example.com").await;
    app.clock.advance(60);
    let mails = app.mails().await.len();
    let requests = [
        app.raw("DELETE", "/api/session").header("cookie", session.as_str()),
        app.raw("DELETE", "/api/me/sessions").header("cookie", session.as_str()),
        app.raw("POST", "/api/signup/code/resend")
            .header("cookie", flow.as_str()),
    ];
    for request in requests {
        for (name, value) in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")] {
            let request = request.try_clone().unwrap().header(name, value);
            let described = format!("{request:?}");
            let reply = app.finish(request).await;
            assert_eq!(
                (reply.status, reply.code()),
                (403, "cross_site_request"),
                "{described}: {:?}",
                reply.body
            );
            assert!(reply.set_cookies().is_empty(), "{described}");
        }
    }
    assert_eq!(
        app.get("/api/me", Some(&session)).await.status,
        200,
        "the session goes on"
    );
    let sessions = app.get("/api/me/sessions", Some(&session)).await;
    assert_eq!(sessions.body["sessions"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.mails().await.len(), mails, "no code was resent");
}

/// Every string in a stored item, however deep.
fn strings(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(s) => found.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, found)),
        Value::Object(map) => map.values().for_each(|v| strings(v, found)),
        _ => {}
    }
}

async fn assert_only_a_hash(store: &dyn ItemStore, key: &kennin::store::Key, code: &str) {
    let item = store.get(key).await.unwrap().expect("the item with the code");
    let hash = item["codeHash"].as_str().expect("codeHash");
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );
    let mut found = Vec::new();
    strings(&Value::Object(item.clone()), &mut found);
    assert!(
        found.iter().all(|s| !s.contains(code)),
        "{key:?} holds the code: {item:?}"
    );
}

/// V6.5.2: a mailed code is kept only as its keyed hash, for signup, reset and email change.
async fn stored_codes_are_only_keyed_hashes(engine: Engine) {
    let app = spawn_app(engine).await;
    let flow = app.identity(&HANAKO).await;
    assert_eq!(
        app.account(&flow, "sakura_hanako", "hanako@example.com").await.status,
        200
    );
    let code = app.latest_code("hanako@example.com").await;
    let flow_token = flow.split_once('=').unwrap().1;
    assert_only_a_hash(app.store.as_ref(), &SignupFlow::key(&token_hash(flow_token)), &code).await;

    let session = app.at_home(&TARO, "kenpo_taro", "taro@example.com").await;
    let account_id = kennin::operator::find_account(
        app.store.as_ref(),
        &kennin::domain::UserId::parse("kenpo_taro").unwrap(),
    )
    .await
    .unwrap()
    .id;
    app.post(
        "/api/password/forgot",
        json!({ "userId": "kenpo_taro", "email": "taro@example.com" }),
        None,
    )
    .await;
    let reset_code = app.latest_code("taro@example.com").await;
    assert_only_a_hash(app.store.as_ref(), &PasswordReset::key(&account_id), &reset_code).await;

    let requested = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": "taro.new@example.com" }),
            Some(&session),
        )
        .await;
    assert_eq!(requested.status, 200, "{:?}", requested.body);
    let change_code = app.latest_code("taro.new@example.com").await;
    assert_only_a_hash(app.store.as_ref(), &EmailChange::key(&account_id), &change_code).await;
}

on_both_engines!(
    malformed_bodies_are_refused_before_anything_is_stored,
    unicode_edge_cases_get_field_messages,
    every_answer_carries_the_security_headers,
    the_pages_files_are_cached_for_good_and_sent_compressed,
    a_long_answer_is_sent_compressed,
    a_planted_session_cookie_never_authenticates,
    transport_and_origin_headers_hold_their_values,
    logout_clears_the_session_cookie,
    cross_site_requests_without_a_body_are_refused,
    stored_codes_are_only_keyed_hashes,
);
