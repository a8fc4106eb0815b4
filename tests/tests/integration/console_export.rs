//! The console's export on both engines: the results and the progress of the demo campaign, in
//! UTF-8 with a BOM and in Shift_JIS, written to the document store and downloaded through the
//! link the console answers, read back with the csv crate and compared with the targets as
//! stored; `kennin-admin export`'s file is made by the same code (`console::export::build`).

use super::console_callcenter::{assert_no_personal_values, audit_entries};
use kennin::clock::Clock;
use kennin::domain::{InsurerCode, StaffRole, TargetStatus};
use kennin::store::records::{
    AuditAction, AuditSubject, Insurer, RecordedDependent, RosterEntry, RosterPerson, Target, from_item,
};
use kennin::store::{Change, ItemStore};
use kennin::survey_documents::DOWNLOAD_URL_SECONDS;
use kennin_tests::{Engine, Reply, TARO, TestApp, on_both_engines, spawn_app};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// The demo campaign's targets, read person by person from the roster (not through the index
/// the export reads).
async fn stored_targets(app: &TestApp) -> Vec<Target> {
    let code = InsurerCode::parse("0904").unwrap();
    let insurer = app
        .store
        .get(&Insurer::key(&code))
        .await
        .unwrap()
        .expect("the demo union");
    let year = from_item::<Insurer>(insurer)
        .unwrap()
        .current_year
        .expect("a roster year");
    let mut targets = Vec::new();
    for item in app
        .store
        .query(&RosterPerson::partition(&code, year), RosterPerson::SK_PREFIX)
        .await
        .unwrap()
    {
        if let RosterEntry::Person(person) = RosterEntry::from_item(item).unwrap() {
            let partition = Target::partition(&code, year, &person.symbol, &person.number);
            for item in app.store.query(&partition, Target::SK_PREFIX).await.unwrap() {
                targets.push(from_item::<Target>(item).unwrap());
            }
        }
    }
    targets
}

fn expected_row(target: &Target, name: &str) -> Vec<String> {
    vec![
        target.symbol.as_str().into(),
        target.number.as_str().into(),
        target.recorded.dependent_no.as_str().into(),
        name.into(),
        target.recorded.name_kana.as_str().into(),
        target.recorded.birth_date.to_display(),
        target.recorded.relationship.as_str().into(),
        target
            .office
            .as_ref()
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        target.status.label().into(),
        String::new(),
        String::new(),
    ]
}

fn rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headings = reader.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    rows.sort();
    (headings, rows)
}

/// POST /api/admin/exports: the answer.
async fn export(app: &TestApp, kind: &str, encoding: &str, cookie: &str) -> Reply {
    app.post(
        "/api/admin/exports",
        json!({ "kind": kind, "encoding": encoding }),
        Some(cookie),
    )
    .await
}

/// The export written and downloaded through its link: the download's headers and bytes (read
/// as bytes, since a Shift_JIS body is no UTF-8 text).
async fn download(app: &TestApp, kind: &str, encoding: &str, cookie: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let written = export(app, kind, encoding, cookie).await;
    assert_eq!(written.status, 201, "{}", written.body);
    let url = written.body["url"].as_str().expect("a download link");
    let file_name = written.body["fileName"].as_str().unwrap();
    assert!(
        file_name.starts_with(&format!("kennin-{kind}-0904-")) && file_name.ends_with(".csv"),
        "{file_name}"
    );
    let expires_at = time::OffsetDateTime::parse(
        written.body["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires_at.unix_timestamp(), app.clock.unix() + DOWNLOAD_URL_SECONDS);
    // No cookie: the link alone is the right to the file, for a minute.
    let response = app.raw("GET", url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    assert_eq!(written.body["size"].as_u64(), Some(bytes.len() as u64));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{file_name}\"")),
        "{disposition}"
    );
    app.clock.advance(DOWNLOAD_URL_SECONDS + 1);
    assert_eq!(
        app.raw("GET", url).send().await.unwrap().status(),
        403,
        "the link is over after a minute"
    );
    (headers, bytes)
}

async fn the_results_export_in_both_encodings_holds_every_target(engine: Engine) {
    let app = spawn_app(engine).await;
    app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let targets = stored_targets(&app).await;
    assert!(targets.len() >= 3);
    // A name Shift_JIS cannot hold (𠮷, outside JIS X 0208 and CP932).
    let rare = &targets[0];
    app.store
        .update(
            &rare.own_key(),
            &[Change::set(RecordedDependent::NAME, "𠮷田 花子")],
            None,
        )
        .await
        .unwrap();
    let name_of = |target: &Target| {
        if target.id == rare.id {
            "𠮷田 花子".to_string()
        } else {
            target.recorded.name.clone()
        }
    };
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;

    let (headers, bytes) = download(&app, "results", "utf-8", &admin).await;
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let text = std::str::from_utf8(&bytes).unwrap();
    let text = text.strip_prefix('\u{FEFF}').expect("a byte order mark for Excel");
    assert!(text.contains("\r\n"), "lines end as Excel writes them");
    let (headings, got) = rows(text);
    assert_eq!(
        headings,
        [
            "記号",
            "番号",
            "被扶養者番号",
            "氏名",
            "氏名カナ",
            "生年月日",
            "続柄",
            "事業所",
            "状況",
            "提出日時",
            "名簿から削除"
        ]
    );
    let mut expected: Vec<Vec<String>> = targets.iter().map(|t| expected_row(t, &name_of(t))).collect();
    expected.sort();
    assert_eq!(got, expected);

    let (headers, bytes) = download(&app, "results", "shift_jis", &admin).await;
    assert_eq!(headers["content-type"], "text/csv; charset=Shift_JIS");
    let (text, _, lossy) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!lossy, "valid Shift_JIS");
    let (_, got) = rows(&text);
    let mut expected: Vec<Vec<String>> = targets
        .iter()
        .map(|t| expected_row(t, &name_of(t).replace('𠮷', "〓")))
        .collect();
    expected.sort();
    assert_eq!(got, expected);

    let exported: Vec<_> = audit_entries(&app)
        .await
        .into_iter()
        .filter(|e| e.action == AuditAction::Exported)
        .collect();
    assert_eq!(exported.len(), 2);
    assert!(
        exported
            .iter()
            .all(|e| e.subject == Some(AuditSubject::Query { what: "results".into() }))
    );
    assert_no_personal_values(&audit_entries(&app).await);
}

async fn the_progress_export_counts_targets_by_office_and_status(engine: Engine) {
    let app = spawn_app(engine).await;
    let targets = stored_targets(&app).await;
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let (_, bytes) = download(&app, "progress", "shift_jis", &admin).await;
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headings: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        headings,
        ["事業所", "未回答", "回答中", "提出済み", "差し戻し", "確認完了", "合計"]
    );
    let got: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();

    let mut expected: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    for target in &targets {
        let office = target
            .office
            .as_ref()
            .map(|o| o.as_str().to_string())
            .unwrap_or_default();
        let status = TargetStatus::ALL.iter().position(|s| *s == target.status).unwrap();
        expected.entry(office).or_default()[status] += 1;
    }
    let line = |office: &str, counts: &[u64; 5]| {
        let mut line = vec![office.to_string()];
        line.extend(counts.iter().map(u64::to_string));
        line.push(counts.iter().sum::<u64>().to_string());
        line
    };
    let mut total = [0u64; 5];
    let mut want: Vec<Vec<String>> = Vec::new();
    for (office, counts) in &expected {
        for (sum, count) in total.iter_mut().zip(counts) {
            *sum += count;
        }
        want.push(line(office, counts));
    }
    want.push(line("合計", &total));
    assert_eq!(got, want);
    assert_eq!(total.iter().sum::<u64>(), targets.len() as u64);
}

async fn only_an_admin_exports_and_bad_choices_are_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    for role in [StaffRole::Reviewer, StaffRole::Callcenter, StaffRole::Viewer] {
        let (cookie, _) = app.staff_signed_in("0904", role).await;
        assert_eq!(export(&app, "results", "utf-8", &cookie).await.status, 403, "{role:?}");
    }
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    for (bad, field) in [
        (json!({}), "kind"),
        (json!({ "kind": "everything" }), "kind"),
        (json!({ "kind": "results", "encoding": "latin1" }), "encoding"),
    ] {
        let refused = app.post("/api/admin/exports", bad.clone(), Some(&admin)).await;
        assert_eq!((refused.status, refused.code()), (400, "invalid_input"), "{bad}");
        assert!(refused.body["fields"][field].is_string(), "{}", refused.body);
    }
    assert!(
        audit_entries(&app)
            .await
            .iter()
            .all(|e| e.action != AuditAction::Exported),
        "a refused export is no export"
    );
}

/// The document store down: 503, and no link to a file that was not written.
async fn an_export_without_the_document_store_is_503(engine: Engine) {
    let app = spawn_app(engine).await;
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    app.blob_switch.down.store(true, Ordering::SeqCst);
    let refused = export(&app, "results", "utf-8", &admin).await;
    assert_eq!((refused.status, refused.code()), (503, "service_unavailable"));
    app.blob_switch.down.store(false, Ordering::SeqCst);
    download(&app, "results", "utf-8", &admin).await;
}

on_both_engines!(
    the_results_export_in_both_encodings_holds_every_target,
    the_progress_export_counts_targets_by_office_and_status,
    only_an_admin_exports_and_bad_choices_are_refused,
    an_export_without_the_document_store_is_503,
);
