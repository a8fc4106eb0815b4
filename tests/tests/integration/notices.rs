//! Notices (お知らせ): the site's on the login page, each union's on its top page. Stored per
//! scope, newest first; served as JSON data that no page ever renders as HTML.

use kennin::Error;
use kennin::domain::InsurerCode;
use kennin::notices::{self, Notice, Scope};
use kennin::store::ItemStore;
use kennin_tests::{Engine, fresh_store, on_both_engines, spawn_app};
use time::Date;
use time::macros::date;

fn union(code: &str) -> Scope {
    Scope::Insurer(InsurerCode::parse(code).unwrap())
}

fn notice(date: Date, title: &str) -> Notice {
    Notice::new(date, title, &format!("{title}の本文"), None).unwrap()
}

async fn titles(store: &dyn ItemStore, scope: &Scope) -> Vec<String> {
    notices::list(store, scope)
        .await
        .unwrap()
        .iter()
        .map(|n| n.title().to_string())
        .collect()
}

async fn listed_newest_first(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let site = Scope::Site;
    assert!(notices::list(store.as_ref(), &site).await.unwrap().is_empty());
    for (day, title) in [
        (date!(2026 - 04 - 01), "四月"),
        (date!(2025 - 12 - 31), "大晦日"),
        (date!(2026 - 05 - 01), "五月・先"),
        (date!(2026 - 05 - 01), "五月・後"),
        (date!(2026 - 04 - 30), "四月末"),
    ] {
        notices::add(store.as_ref(), &site, &notice(day, title)).await.unwrap();
    }
    assert_eq!(
        titles(store.as_ref(), &site).await,
        ["五月・後", "五月・先", "四月末", "四月", "大晦日"],
        "by date, and on one date the one posted last first"
    );
    let listed = notices::list(store.as_ref(), &site).await.unwrap();
    assert_eq!(listed[0].date(), date!(2026 - 05 - 01));
    assert_eq!(listed[0].text(), "五月・後の本文");
    assert_eq!(listed[0].link(), None);
}

async fn scopes_are_separate(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let day = date!(2026 - 04 - 01);
    notices::add(store.as_ref(), &Scope::Site, &notice(day, "サイト"))
        .await
        .unwrap();
    notices::add(store.as_ref(), &union("0904"), &notice(day, "0904の組合"))
        .await
        .unwrap();
    notices::add(store.as_ref(), &union("0123"), &notice(day, "0123の組合"))
        .await
        .unwrap();
    assert_eq!(titles(store.as_ref(), &Scope::Site).await, ["サイト"]);
    assert_eq!(titles(store.as_ref(), &union("0904")).await, ["0904の組合"]);
    assert_eq!(titles(store.as_ref(), &union("0123")).await, ["0123の組合"]);
    assert!(titles(store.as_ref(), &union("0905")).await.is_empty());
}

async fn removed_by_id_within_its_scope(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let keep = notice(date!(2026 - 04 - 01), "残す");
    let drop = notice(date!(2026 - 04 - 02), "消す");
    let elsewhere = notice(date!(2026 - 04 - 03), "組合の");
    notices::add(store.as_ref(), &Scope::Site, &keep).await.unwrap();
    notices::add(store.as_ref(), &Scope::Site, &drop).await.unwrap();
    notices::add(store.as_ref(), &union("0904"), &elsewhere).await.unwrap();

    assert!(
        !notices::remove(store.as_ref(), &Scope::Site, elsewhere.id())
            .await
            .unwrap(),
        "another scope's notice is not found"
    );
    assert!(
        !notices::remove(store.as_ref(), &Scope::Site, "no-such-id")
            .await
            .unwrap()
    );
    assert!(notices::remove(store.as_ref(), &Scope::Site, drop.id()).await.unwrap());
    assert_eq!(titles(store.as_ref(), &Scope::Site).await, ["残す"]);
    assert!(
        !notices::remove(store.as_ref(), &Scope::Site, drop.id()).await.unwrap(),
        "a second remove finds nothing"
    );
    assert_eq!(titles(store.as_ref(), &union("0904")).await, ["組合の"]);
}

#[test]
fn invalid_notices_are_refused_with_field_messages() {
    let day = date!(2026 - 04 - 01);
    let Err(Error::Invalid(fields)) = Notice::new(day, "", "本文", Some("javascript:alert(1)")) else {
        panic!("an empty title and a javascript: link were accepted");
    };
    assert_eq!(fields.keys().map(String::as_str).collect::<Vec<_>>(), ["link", "title"]);
    assert_eq!(fields["title"], "タイトルを入力してください。");
    assert!(fields["link"].contains("https://"));
    for link in [
        "javascript:alert(1)",
        "data:text/html,x",
        "http://example.jp/",
        "//evil.example/x",
    ] {
        assert!(
            matches!(Notice::new(day, "t", "", Some(link)), Err(Error::Invalid(_))),
            "{link} accepted"
        );
    }
    let ok = Notice::new(day, "t", "", Some("/portal/guide")).unwrap();
    assert_eq!(ok.link(), Some("/portal/guide"));
}

async fn the_login_page_gets_the_seeded_site_notices(engine: Engine) {
    let app = spawn_app(engine).await;
    let reply = app.get("/api/notices", None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let listed = reply.body["notices"].as_array().expect("a notices array");
    assert_eq!(listed.len(), 2, "{:?}", reply.body);
    let titles: Vec<&str> = listed.iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["推奨ブラウザについて", "システムメンテナンスのお知らせ"]);
    for notice in listed {
        assert_eq!(notice["date"], "2022-04-01");
        assert!(!notice["id"].as_str().unwrap().is_empty());
        assert!(!notice["text"].as_str().unwrap().is_empty());
        assert!(notice.get("link").is_none(), "no link, no key: {notice}");
    }

    // The union's notice is for its members' top page, not for the public list.
    let union_notices = notices::list(app.store.as_ref(), &union("0904")).await.unwrap();
    assert_eq!(union_notices.len(), 1);
    assert_eq!(union_notices[0].title(), "被扶養者資格調査のご案内");
    assert_eq!(union_notices[0].link(), None);

    // Seeding again (a restart on the same data) adds nothing.
    let today = kennin::clock::Clock::today_in_japan(app.clock.as_ref());
    assert!(!kennin_local::seed_demo(app.store.as_ref(), today).await.unwrap());
    assert_eq!(
        app.get("/api/notices", None).await.body["notices"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn markup_comes_back_as_inert_json_strings(engine: Engine) {
    let app = spawn_app(engine).await;
    let title = "<script>alert(1)</script>";
    let text = "<img src=x onerror=alert(1)>\n<script>alert(1)</script> & \"quoted\" 'single' </p>";
    let posted = Notice::new(date!(2030 - 01 - 01), title, text, Some("/portal/?q=<b>")).unwrap();
    notices::add(app.store.as_ref(), &Scope::Site, &posted).await.unwrap();

    let response = app.raw("GET", "/api/notices").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert!(
        header("content-type").is_some_and(|v| v.starts_with("application/json")),
        "{:?}",
        header("content-type")
    );
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    let raw = response.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&raw).expect("the body is JSON");
    let first = &body["notices"][0];
    assert_eq!(first["id"], posted.id());
    assert_eq!(first["title"].as_str(), Some(title), "byte for byte");
    assert_eq!(first["text"].as_str(), Some(text), "byte for byte");
    assert_eq!(first["link"], "/portal/?q=%3Cb%3E", "the link in its normalised form");
    assert!(
        raw.starts_with("{\"notices\":["),
        "the markup only ever appears inside JSON strings: {raw}"
    );
}

on_both_engines!(
    listed_newest_first,
    scopes_are_separate,
    removed_by_id_within_its_scope,
    the_login_page_gets_the_seeded_site_notices,
    markup_comes_back_as_inert_json_strings,
);
