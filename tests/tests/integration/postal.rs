//! GET /api/postal/{code} over HTTP: the address autofill. The lookup never touches the store,
//! so one engine is enough.

use kennin_tests::{Engine, TestApp, spawn_app};
use serde_json::json;

async fn app() -> TestApp {
    spawn_app(Engine::Sqlite).await
}

/// The path segment as a browser sends it: percent-encoded UTF-8.
fn path(code: &str) -> String {
    let encoded: String = code
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/api/postal/{encoded}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_codes_give_their_address() {
    let app = app().await;
    for (code, prefecture, city, town) in [
        ("1000001", "東京都", "千代田区", "千代田"),
        ("5410041", "大阪府", "大阪市中央区", "北浜"),
    ] {
        let reply = app.get(&path(code), None).await;
        assert_eq!(reply.status, 200, "{code}: {:?}", reply.body);
        assert_eq!(
            reply.body,
            json!({ "postalCode": code, "prefecture": prefecture, "city": city, "town": town })
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(reply.header("content-type").unwrap().starts_with("application/json"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_read_as_people_type_them() {
    let app = app().await;
    for (input, expected) in [
        ("060-0000", "0600000"),
        ("１００－０００１", "1000001"),
        ("〒541-0041", "5410041"),
        ("５４１００４１", "5410041"),
    ] {
        let reply = app.get(&path(input), None).await;
        assert_eq!(reply.status, 200, "{input}: {:?}", reply.body);
        assert_eq!(reply.body["postalCode"], expected, "{input}");
    }
    // A parameter that reaches the function still percent-encoded is decoded there.
    let still_encoded = path("１００－０００１").replace("/api/postal/", "");
    let reply = app.get(&path(&still_encoded), None).await;
    assert_eq!(reply.status, 200, "{still_encoded}: {:?}", reply.body);
    assert_eq!(reply.body["town"], "千代田");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_for_a_whole_city_has_an_empty_town() {
    let app = app().await;
    // 「以下に掲載がない場合」: KEN_ALL's line for the rest of 札幌市中央区.
    let reply = app.get(&path("060-0000"), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "postalCode": "0600000", "prefecture": "北海道", "city": "札幌市中央区", "town": "" })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_code_asks_for_the_address_by_hand() {
    let app = app().await;
    for code in ["0000000", "999-9999"] {
        let reply = app.get(&path(code), None).await;
        assert_eq!(reply.status, 404, "{code}: {:?}", reply.body);
        assert_eq!(reply.code(), "postal_code_unknown");
        let message = reply.body["message"].as_str().unwrap();
        assert!(message.contains("郵便番号"), "{message}");
        assert!(message.contains("住所を直接入力"), "{message}");
        assert!(reply.body["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_code_is_a_field_error() {
    let app = app().await;
    for code in ["12-34", "10000011", "abc-defg"] {
        let reply = app.get(&path(code), None).await;
        assert_eq!(reply.status, 400, "{code}: {:?}", reply.body);
        assert_eq!(reply.code(), "invalid_input");
        let message = reply.body["fields"]["postalCode"].as_str().unwrap_or("");
        assert!(message.contains("7桁"), "{code}: {:?}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_get_and_one_segment_reach_it() {
    let app = app().await;
    assert_eq!(app.get("/api/postal/", None).await.status, 404);
    assert_eq!(app.get("/api/postal/100/0001", None).await.status, 404);
    let reply = app.post("/api/postal/1000001", json!({}), None).await;
    assert_eq!(reply.status, 404, "{:?}", reply.body);
}
