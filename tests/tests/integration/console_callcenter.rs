//! The call center's routes on both engines: finding a person by card (half or full width) or by
//! kana and birth date, lifting a login lock, mailing a reset code the operator never sees, and
//! the audit log they leave, read back a page at a time, with no personal value in it.

use kennin::clock::Clock;
use kennin::domain::{InsurerCode, StaffRole};
use kennin::store::ItemStore;
use kennin::store::records::AuditEntry;
use kennin_tests::{Engine, PASSWORD, TARO, TestApp, code_in, on_both_engines, spawn_app};
use serde_json::{Value, json};

const TARO_EMAIL: &str = "taro@example.com";

/// Every audit entry of the demo union this month, as stored.
pub async fn audit_entries(app: &TestApp) -> Vec<AuditEntry> {
    let code = InsurerCode::parse("0904").unwrap();
    let month = AuditEntry::month_of(app.clock.unix());
    app.store
        // Every sort key starts with the time, zero-padded (and DynamoDB takes no empty prefix).
        .query(&AuditEntry::partition(&code, &month), "0")
        .await
        .expect("audit log readable")
        .into_iter()
        .map(|item| kennin::store::records::from_item(item).expect("an audit entry"))
        .collect()
}

/// No entry holds a name, a kana, a birth date, a card, an address or a user ID.
pub fn assert_no_personal_values(entries: &[AuditEntry]) {
    for entry in entries {
        let text = serde_json::to_string(&kennin::store::records::to_item(entry, None)).unwrap();
        for personal in [
            "健保",
            "太郎",
            "ケンポ",
            "ｹﾝﾎﾟ",
            "1990/01/01",
            "1990-01-01",
            "1001-1",
            "１００１",
            TARO_EMAIL,
            "taro_kenpo",
            "サクラ",
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
}

fn people(reply: &Value) -> Vec<&Value> {
    reply["people"].as_array().expect("people").iter().collect()
}

async fn a_person_is_found_by_card_in_either_width_or_by_kana_and_birth_date(engine: Engine) {
    let app = spawn_app(engine).await;
    app.at_home(&TARO, "taro_kenpo", TARO_EMAIL).await;
    let (operator, _) = app.staff_signed_in("0904", StaffRole::Callcenter).await;

    for card in ["1001-1", "%EF%BC%91%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%8D%EF%BC%91"] {
        let found = app
            .get(&format!("/api/admin/people?card={card}"), Some(&operator))
            .await;
        assert_eq!(found.status, 200, "{:?}", found.body);
        let found = people(&found.body);
        assert_eq!(found.len(), 1, "{card}");
        let taro = found[0];
        assert_eq!(taro["id"], "1001-1");
        assert_eq!(taro["name"], "健保 太郎");
        assert_eq!(taro["nameKana"], "ケンポタロウ");
        assert_eq!(taro["birthDate"], "1990/01/01");
        assert_eq!(taro["registered"], true);
        assert_eq!(taro["locked"], false);
        assert_eq!(taro["disabled"], false);
        assert_eq!(taro["maskedEmail"], "t***@example.com");
        let targets = taro["targets"].as_array().unwrap();
        assert_eq!(targets.len(), 3);
        for target in targets {
            assert!(target["ref"].as_str().unwrap().starts_with("1001-1-"));
            assert_eq!(target["status"], "not_started");
            assert_eq!(target["statusLabel"], "未回答");
        }
    }

    // Kana as typed on the phone (half-width, hiragana, a prefix) with the birth date.
    for kana in ["ｹﾝﾎﾟﾀﾛｳ", "けんぽ", "ケンポ タロウ"] {
        let path = format!(
            "/api/admin/people?kana={}&birthDate=1990/01/01",
            percent_encoding::utf8_percent_encode(kana, percent_encoding::NON_ALPHANUMERIC)
        );
        let found = app.get(&path, Some(&operator)).await;
        assert_eq!(found.status, 200, "{:?}", found.body);
        let found = people(&found.body);
        assert_eq!(found.len(), 1, "{kana}");
        assert_eq!(found[0]["id"], "1001-1");
    }
    let other_day = app
        .get(
            "/api/admin/people?kana=%E3%82%B1%E3%83%B3%E3%83%9D&birthDate=1990/01/02",
            Some(&operator),
        )
        .await;
    assert!(people(&other_day.body).is_empty());

    // Not registered: no address, no lock, no targets of their own.
    let hanako = app.get("/api/admin/people?card=1001-2", Some(&operator)).await;
    let hanako = people(&hanako.body)[0].clone();
    assert_eq!(hanako["registered"], false);
    assert!(hanako.get("maskedEmail").is_none());

    for bad in [
        "",
        "?card=1001",
        "?kana=%E3%82%B1",
        "?birthDate=1990/01/01",
        "?kana=abc&birthDate=1990/01/01",
    ] {
        let refused = app.get(&format!("/api/admin/people{bad}"), Some(&operator)).await;
        assert_eq!((refused.status, refused.code()), (400, "invalid_input"), "{bad}");
    }
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let refused = app.get("/api/admin/people?card=1001-1", Some(&viewer)).await;
    assert_eq!(refused.status, 403);

    let entries = audit_entries(&app).await;
    let lookups: Vec<_> = entries
        .iter()
        .filter(|e| e.action == kennin::store::records::AuditAction::LookedUpPeople)
        .collect();
    assert_eq!(lookups.len(), 2 + 3 + 1 + 1, "one entry per answered lookup");
    assert_no_personal_values(&entries);
}

async fn another_unions_operator_finds_and_reaches_nobody_here(engine: Engine) {
    let app = spawn_app(engine).await;
    app.at_home(&TARO, "taro_kenpo", TARO_EMAIL).await;
    let other = InsurerCode::parse("0905").unwrap();
    kennin::roster::put_insurer(app.store.as_ref(), &other, "別の健康保険組合", None)
        .await
        .unwrap();
    let (operator, _) = app.staff_signed_in("0905", StaffRole::Callcenter).await;
    let found = app.get("/api/admin/people?card=1001-1", Some(&operator)).await;
    assert_eq!(found.status, 200);
    assert!(people(&found.body).is_empty());
    for action in ["unlock", "password-reset"] {
        let refused = app
            .post(
                &format!("/api/admin/people/1001-1/{action}"),
                json!({}),
                Some(&operator),
            )
            .await;
        assert_eq!(refused.status, 404, "{action}");
    }
    assert!(
        app.mails()
            .await
            .iter()
            .all(|m| !m.subject.contains("パスワード再設定"))
    );
}

async fn an_operator_unlocks_a_locked_person_who_then_logs_in(engine: Engine) {
    let app = spawn_app(engine).await;
    app.at_home(&TARO, "taro_kenpo", TARO_EMAIL).await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(app.login("taro_kenpo", "Wrong#password1").await);
    }
    assert_eq!(last.unwrap().code(), "login_locked");
    assert_eq!(app.login("taro_kenpo", PASSWORD).await.code(), "login_locked");

    let (operator, _) = app.staff_signed_in("0904", StaffRole::Callcenter).await;
    let taro = app.get("/api/admin/people?card=1001-1", Some(&operator)).await;
    assert_eq!(people(&taro.body)[0]["locked"], true);

    let unlocked = app
        .post("/api/admin/people/1001-1/unlock", json!({}), Some(&operator))
        .await;
    assert_eq!(unlocked.status, 204, "{:?}", unlocked.body);
    let taro = app.get("/api/admin/people?card=1001-1", Some(&operator)).await;
    assert_eq!(people(&taro.body)[0]["locked"], false);
    assert_eq!(app.login("taro_kenpo", PASSWORD).await.status, 200);

    let not_registered = app
        .post("/api/admin/people/1001-2/unlock", json!({}), Some(&operator))
        .await;
    assert_eq!(
        (not_registered.status, not_registered.code()),
        (409, "person_not_registered")
    );
    for unknown in ["9999-9", "1001", "１００１-1", "x"] {
        let missing = app
            .post(
                &format!("/api/admin/people/{unknown}/unlock"),
                json!({}),
                Some(&operator),
            )
            .await;
        assert_eq!(missing.status, 404, "{unknown}");
    }
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let refused = app
        .post("/api/admin/people/1001-1/unlock", json!({}), Some(&viewer))
        .await;
    assert_eq!(refused.status, 403);

    let entries = audit_entries(&app).await;
    let unlocks: Vec<_> = entries
        .iter()
        .filter(|e| e.action == kennin::store::records::AuditAction::PersonUnlocked)
        .collect();
    assert_eq!(unlocks.len(), 1);
    assert!(matches!(
        &unlocks[0].subject,
        Some(kennin::store::records::AuditSubject::Person { .. })
    ));
    assert_no_personal_values(&entries);
}

async fn the_reset_code_reaches_the_person_and_never_the_operator(engine: Engine) {
    let app = spawn_app(engine).await;
    app.at_home(&TARO, "taro_kenpo", TARO_EMAIL).await;
    let (operator, _) = app.staff_signed_in("0904", StaffRole::Callcenter).await;
    let sent = app
        .post("/api/admin/people/1001-1/password-reset", json!({}), Some(&operator))
        .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert_eq!(sent.body["maskedEmail"], "t***@example.com");
    let mail = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == TARO_EMAIL && m.subject.contains("パスワード再設定用認証番号"))
        .expect("the reset mail");
    let code = code_in(&mail.text);
    assert!(
        !sent.body.to_string().contains(&code),
        "the operator never sees the code"
    );

    // The same reset as パスワードを忘れた方: the person sets a new password with the code.
    let reset = app
        .post(
            "/api/password/reset",
            json!({ "userId": "taro_kenpo", "code": code, "password": "Kawasemi#5521go" }),
            None,
        )
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    assert_eq!(app.login("taro_kenpo", "Kawasemi#5521go").await.status, 200);

    let not_registered = app
        .post("/api/admin/people/1001-2/password-reset", json!({}), Some(&operator))
        .await;
    assert_eq!(not_registered.status, 409);
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let refused = app
        .post("/api/admin/people/1001-1/password-reset", json!({}), Some(&reviewer))
        .await;
    assert_eq!(refused.status, 403);

    let entries = audit_entries(&app).await;
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == kennin::store::records::AuditAction::PasswordResetSent)
            .count(),
        1
    );
    assert_no_personal_values(&entries);
}

async fn the_admin_pages_through_the_audit_log_newest_first(engine: Engine) {
    let app = spawn_app(engine).await;
    let (operator, operator_member) = app.staff_signed_in("0904", StaffRole::Callcenter).await;
    for _ in 0..55 {
        app.clock.advance(1);
        let found = app.get("/api/admin/people?card=1001-2", Some(&operator)).await;
        assert_eq!(found.status, 200);
    }
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let refused = app.get("/api/admin/audit", Some(&operator)).await;
    assert_eq!(refused.status, 403);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!(
                "/api/admin/audit?cursor={}",
                percent_encoding::utf8_percent_encode(cursor, percent_encoding::NON_ALPHANUMERIC)
            ),
            None => "/api/admin/audit".to_string(),
        };
        let page = app.get(&path, Some(&admin)).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let entries = page.body["entries"].as_array().unwrap().clone();
        assert!(entries.len() <= 50);
        seen.extend(entries);
        match page.body["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let lookups: Vec<&Value> = seen.iter().filter(|e| e["action"] == "looked_up_people").collect();
    assert_eq!(lookups.len(), 55);
    let times: Vec<i64> = seen.iter().map(|e| e["at"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let first = lookups[0];
    assert_eq!(first["staff"]["id"], operator_member.id.as_str());
    assert_eq!(first["staff"]["name"], operator_member.name.as_str());
    assert_eq!(first["role"], "callcenter");
    assert_eq!(first["subject"], json!({ "kind": "query", "what": "card" }));
    assert_eq!(first["ip"], "198.51.100.7");
    assert!(first["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    // The reading itself is an entry (written before the page was read).
    assert!(seen.iter().any(|e| e["action"] == "viewed_audit"));

    let refused = app.get("/api/admin/audit?month=2026-13", Some(&admin)).await;
    assert_eq!(refused.status, 400);
    let empty = app.get("/api/admin/audit?month=2001-01", Some(&admin)).await;
    assert_eq!(empty.body["entries"], json!([]));
    assert_no_personal_values(&audit_entries(&app).await);
}

on_both_engines!(
    a_person_is_found_by_card_in_either_width_or_by_kana_and_birth_date,
    another_unions_operator_finds_and_reaches_nobody_here,
    an_operator_unlocks_a_locked_person_who_then_logs_in,
    the_reset_code_reaches_the_person_and_never_the_operator,
    the_admin_pages_through_the_audit_log_newest_first,
);
