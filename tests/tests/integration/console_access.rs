//! Who may call which /api/admin route, over every route template.yaml declares under
//! /api/admin, on both engines:
//! - the role × route matrix: a role without the route's permission is refused 403 `forbidden`
//!   and nothing is written (not even an audit entry); a role with it is never refused, and
//!   what it does successfully writes exactly the audit entries the route's table row says;
//! - the tenant-isolation sweep: every route that takes an id, called by an admin of the demo
//!   union with the other union's real ids, answers exactly what it answers for a missing id
//!   (404 `not_found`).
//!
//! Without the staff cookie, or with a person's, every staff route answers 401 (sign-out
//! excepted, which has nothing to end).

use kennin::blobs::{BlobKey, BlobStore};
use kennin::domain::{InsurerCode, Permission, StaffRole};
use kennin::store::ItemStore;
use kennin::store::Write;
use kennin::store::records::{AuditEntry, DocumentStatus, Target, TargetDocument, from_item, to_item};
use kennin_local::{TEMPLATE, template_routes};
use kennin_tests::{Engine, OTHER_UNION, TARO, TestApp, on_both_engines, other_union, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Routes anyone may call: the invitation's two steps and sign-in.
const PUBLIC: [(&str, &str); 3] = [
    ("POST", "/api/admin/invitation/accept"),
    ("POST", "/api/admin/invitation/totp"),
    ("POST", "/api/admin/session"),
];

/// Every staff route: the permission it needs (`None`: any signed-in member) and the audit
/// entries one successful call writes.
const MATRIX: [(&str, &str, Option<Permission>, usize); 19] = [
    ("GET", "/api/admin/me", None, 0),
    ("DELETE", "/api/admin/session", None, 1),
    ("GET", "/api/admin/campaign", Some(Permission::ViewProgress), 0),
    ("GET", "/api/admin/leaflet", Some(Permission::ViewProgress), 0),
    ("GET", "/api/admin/targets", Some(Permission::ViewTargets), 1),
    ("GET", "/api/admin/targets/{id}", Some(Permission::ViewAnswers), 1),
    (
        "GET",
        "/api/admin/targets/{id}/documents/{documentId}",
        Some(Permission::ViewDocuments),
        1,
    ),
    (
        "POST",
        "/api/admin/targets/{id}/return",
        Some(Permission::ReturnAnswers),
        1,
    ),
    ("POST", "/api/admin/targets/{id}/decision", Some(Permission::Decide), 1),
    (
        "POST",
        "/api/admin/targets/{id}/documents/{documentId}/refusal",
        Some(Permission::Decide),
        1,
    ),
    (
        "PUT",
        "/api/admin/targets/{id}/answers",
        Some(Permission::EnterAnswers),
        1,
    ),
    ("GET", "/api/admin/people", Some(Permission::LookUpPeople), 1),
    (
        "POST",
        "/api/admin/people/{id}/unlock",
        Some(Permission::UnlockPeople),
        1,
    ),
    (
        "POST",
        "/api/admin/people/{id}/password-reset",
        Some(Permission::SendPasswordReset),
        1,
    ),
    ("POST", "/api/admin/exports", Some(Permission::Export), 1),
    ("GET", "/api/admin/audit", Some(Permission::ReadAudit), 1),
    ("GET", "/api/admin/staff", Some(Permission::ManageStaff), 0),
    ("POST", "/api/admin/staff", Some(Permission::ManageStaff), 1),
    ("PUT", "/api/admin/staff/{id}", Some(Permission::ManageStaff), 1),
];

#[test]
fn every_admin_route_is_in_the_matrix_or_public() {
    let declared: BTreeSet<(String, String)> = template_routes(TEMPLATE)
        .unwrap()
        .into_iter()
        .filter(|route| route.path.starts_with("/api/admin"))
        .map(|route| (route.method, route.path))
        .collect();
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, ..)| (m.to_string(), p.to_string()))
        .chain(PUBLIC.iter().map(|(m, p)| (m.to_string(), p.to_string())))
        .collect();
    assert_eq!(declared, listed);
}

#[test]
fn the_roles_table_in_the_docs_is_the_one_the_routes_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let doc = std::fs::read_to_string(root.join("docs/console.md")).unwrap();
    let mut rows = 0;
    for permission in Permission::ALL {
        let name = serde_json::to_value(permission).unwrap();
        let name = name.as_str().unwrap();
        let row = doc
            .lines()
            .find(|line| line.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("docs/console.md has no row for {name}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for (column, role) in StaffRole::ALL.into_iter().enumerate() {
            let ticked = cells[column + 2] == "✓";
            assert_eq!(ticked, role.allows(permission), "{name} × {}", role.name());
        }
        rows += 1;
    }
    assert_eq!(rows, Permission::ALL.len());
    let header: Vec<&str> = StaffRole::ALL.iter().map(|role| role.name()).collect();
    assert!(doc.contains(&format!("| permission | {} | routes |", header.join(" | "))));
}

/// The ids a route's path is filled with.
struct Ids {
    target: String,
    document: String,
    person: String,
    staff: String,
}

/// The demo union's ids: TARO's first target (with an accepted document written beside it),
/// TARO himself and another member of the staff.
async fn demo_ids(app: &TestApp) -> Ids {
    let (cookie, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let (_, colleague) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    ids_of(app, &cookie, &format!("{}-{}", TARO.symbol, TARO.number), colleague.id).await
}

async fn ids_of(app: &TestApp, admin: &str, card: &str, staff: String) -> Ids {
    let list = app.get(&format!("/api/admin/targets?q={card}"), Some(admin)).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let reference = list.body["targets"][0]["ref"].as_str().expect("a target").to_string();
    let document = put_document(app, &reference).await;
    Ids {
        target: reference,
        document,
        person: card.to_string(),
        staff,
    }
}

/// An accepted document of the target, written as the upload's completion leaves it.
async fn put_document(app: &TestApp, reference: &str) -> String {
    let reference = kennin::console::TargetRef::parse(reference).unwrap();
    let insurer = union_of(app, &reference).await;
    let key = reference.key(&insurer, kennin_tests::SURVEY_YEAR);
    let target: Target = from_item(app.store.get(&key).await.unwrap().expect("target")).unwrap();
    let document = TargetDocument {
        id: "d".repeat(32),
        target_id: target.id.clone(),
        kind: "other".into(),
        file_name: "書類.pdf".into(),
        content_type: "application/pdf".into(),
        size: 1_000,
        status: DocumentStatus::Accepted,
        created_at: kennin_tests::START,
        uploaded_at: Some(kennin_tests::START),
        refusal: None,
    };
    app.store
        .transact(vec![Write::put(
            TargetDocument::key(&target, &document.id),
            to_item(&document, None),
        )])
        .await
        .unwrap();
    let file = BlobKey::document(&insurer, kennin_tests::SURVEY_YEAR, &target.id, &document.id).unwrap();
    app.blobs
        .put(&file, b"%PDF-1.4\n%%EOF\n".to_vec(), &document.content_type)
        .await
        .unwrap();
    document.id
}

/// The union whose campaign holds the target.
async fn union_of(app: &TestApp, reference: &kennin::console::TargetRef) -> InsurerCode {
    for code in ["0904", OTHER_UNION] {
        let code = InsurerCode::parse(code).unwrap();
        if app
            .store
            .get(&reference.key(&code, kennin_tests::SURVEY_YEAR))
            .await
            .unwrap()
            .is_some()
        {
            return code;
        }
    }
    panic!("no union holds the target");
}

fn path(template: &str, ids: &Ids) -> String {
    let filled = template.replace("{documentId}", &ids.document).replace(
        "{id}",
        if template.starts_with("/api/admin/people") {
            &ids.person
        } else if template.starts_with("/api/admin/staff") {
            &ids.staff
        } else {
            &ids.target
        },
    );
    match template {
        "/api/admin/people" => format!("{filled}?card={}", ids.person),
        _ => filled,
    }
}

fn body(method: &str, template: &str, call: usize) -> Option<Value> {
    let body = match (method, template) {
        ("GET" | "DELETE", _) => return None,
        (_, "/api/admin/targets/{id}/return") => json!({ "reason": "添付資料をご確認ください。" }),
        (_, "/api/admin/targets/{id}/decision") => json!({ "outcome": "hold", "reason": "確認中です。" }),
        (_, "/api/admin/targets/{id}/documents/{documentId}/refusal") => json!({ "reason": "文字が読み取れません。" }),
        (_, "/api/admin/targets/{id}/answers") => json!({ "version": 1, "answers": {} }),
        (_, "/api/admin/exports") => json!({ "kind": "results", "encoding": "utf-8" }),
        (_, "/api/admin/staff") => json!({
            "email": format!("invited-{call}@staff.example.jp"),
            "name": "招待 花子",
            "role": "viewer",
        }),
        (_, "/api/admin/staff/{id}") => json!({ "role": "reviewer" }),
        _ => json!({}),
    };
    Some(body)
}

async fn audit_entries(app: &TestApp) -> Vec<AuditEntry> {
    let month = AuditEntry::month_of(kennin::clock::Clock::unix(app.clock.as_ref()));
    let mut entries = Vec::new();
    for code in ["0904", OTHER_UNION] {
        let partition = AuditEntry::partition(&InsurerCode::parse(code).unwrap(), &month);
        for item in app.store.query(&partition, "").await.unwrap() {
            entries.push(from_item(item).unwrap());
        }
    }
    entries
}

async fn every_role_is_refused_exactly_what_it_may_not_do(engine: Engine) {
    let app = spawn_app(engine).await;
    let ids = demo_ids(&app).await;
    let mut calls = 0;
    for role in StaffRole::ALL {
        let (cookie, _) = app.staff_signed_in("0904", role).await;
        for (method, template, needs, audits) in MATRIX {
            if template == "/api/admin/session" {
                continue; // signs the member out: below
            }
            calls += 1;
            let before = audit_entries(&app).await.len();
            let reply = app
                .send(
                    method,
                    &path(template, &ids),
                    body(method, template, calls),
                    Some(&cookie),
                )
                .await;
            let written = audit_entries(&app).await.len() - before;
            let what = format!("{role:?} {method} {template}: {} {:?}", reply.status, reply.body);
            if needs.is_some_and(|permission| !role.allows(permission)) {
                assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{what}");
                assert_eq!(written, 0, "{what}: a refusal writes nothing");
            } else {
                assert!(![401, 403].contains(&reply.status), "{what}");
                let expected = if reply.status < 400 { audits } else { 0 };
                assert_eq!(written, expected, "{what}: audit entries");
            }
        }
        let out = app.send("DELETE", "/api/admin/session", None, Some(&cookie)).await;
        assert_eq!(out.status, 204, "{role:?}");
        assert_eq!(
            app.get("/api/admin/me", Some(&cookie)).await.code(),
            "not_authenticated"
        );
    }
    // Every view, change and export of the four roles is in the log, and nothing personal is:
    // ids, never a name, a kana, a birth date, an address or what was typed.
    let personal = [
        "健保",
        "ケンポ",
        "1990-01-01",
        "1990/01/01",
        "taro@example.com",
        "@staff.example.jp",
        "招待",
        "添付資料をご確認ください",
        "確認中です",
        "文字が読み取れません",
        "書類.pdf",
    ];
    let entries = audit_entries(&app).await;
    assert!(entries.len() > 20, "{} entries", entries.len());
    for entry in entries {
        let stored = serde_json::to_string(&to_item(&entry, None)).unwrap();
        for value in personal {
            assert!(!stored.contains(value), "{value} in {stored}");
        }
    }
}

async fn only_a_staff_cookie_opens_a_staff_route(engine: Engine) {
    let app = spawn_app(engine).await;
    let ids = demo_ids(&app).await;
    let person = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    for (method, template, ..) in MATRIX {
        if (method, template) == ("DELETE", "/api/admin/session") {
            // Signing out without a session is answered as done: nothing is there to end.
            continue;
        }
        for cookie in [None, Some(person.as_str())] {
            let reply = app
                .send(method, &path(template, &ids), body(method, template, 0), cookie)
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (401, "not_authenticated"),
                "{method} {template} with {cookie:?}"
            );
        }
    }
}

async fn another_unions_ids_are_answered_as_missing_ones(engine: Engine) {
    let app = spawn_app(engine).await;
    other_union(&app).await;
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let (other_admin, _) = app.staff_signed_in(OTHER_UNION, StaffRole::Admin).await;
    let (_, other_colleague) = app.staff_signed_in(OTHER_UNION, StaffRole::Viewer).await;
    // The other union's first person has the demo person's very card (1001-1): their target
    // and its document are found through the other union's own console. Its second person
    // (7001-1) is in no roster of the demo union.
    let theirs = Ids {
        person: "7001-1".into(),
        ..ids_of(&app, &other_admin, "1001-1", other_colleague.id.clone()).await
    };
    let missing = Ids {
        target: format!("1001-2-{}", "0".repeat(32)),
        document: "0".repeat(32),
        person: "9999-9999".into(),
        staff: "0".repeat(32),
    };
    let with_id: Vec<_> = MATRIX.into_iter().filter(|(_, p, ..)| p.contains('{')).collect();
    assert!(with_id.len() >= 9, "{with_id:?}");
    for (method, template, ..) in with_id {
        let asked = app
            .send(
                method,
                &path(template, &theirs),
                body(method, template, 0),
                Some(&admin),
            )
            .await;
        let absent = app
            .send(
                method,
                &path(template, &missing),
                body(method, template, 0),
                Some(&admin),
            )
            .await;
        assert_eq!((asked.status, asked.code()), (404, "not_found"), "{method} {template}");
        assert_eq!(
            kennin_tests::without_request_id(&asked.body),
            kennin_tests::without_request_id(&absent.body),
            "{method} {template}"
        );
    }
    // Nothing of theirs changed, and their own console still sees it all.
    let mine = app
        .get(&path("/api/admin/targets/{id}", &theirs), Some(&other_admin))
        .await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    assert_eq!(mine.body["status"], "not_started");
}

on_both_engines!(
    every_role_is_refused_exactly_what_it_may_not_do,
    only_a_staff_cookie_opens_a_staff_route,
    another_unions_ids_are_answered_as_missing_ones,
);
