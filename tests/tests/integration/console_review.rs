//! Reviewing a target in the console, on both engines: GET /api/admin/targets/{id} with the
//! answers, the pre-check, the documents and the history; the document view; 差し戻し with its
//! mail, the person's edit and resubmission; decisions (継続, 削除 with its date, 保留); a
//! document marked 不備 as the person sees it; the call center's proxy entry; the refusals of
//! illegal transitions and bad input (nothing changed); and the audit entry of every action.

use crate::survey_documents::{complete, created, list, request, test_file, upload};
use crate::survey_form::{complete_together, read, saved, submit, target_id};
use kennin::domain::{InsurerCode, StaffRole};
use kennin::http::STAFF_COOKIE;
use kennin::store::ItemStore;
use kennin::store::records::{AuditAction, AuditEntry, AuditSubject, from_item};
use kennin_tests::{Engine, Person, Reply, TARO, TestApp, mails_to, on_both_engines, spawn_app, with_body_and_cookie};
use kennin_tests::{OTHER, other_union};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

fn reference(person: &Person, id: &str) -> String {
    format!("{}-{}-{id}", person.symbol, person.number)
}

fn target_path(person: &Person, id: &str) -> String {
    format!("/api/admin/targets/{}", reference(person, id))
}

/// The console's view of the target, which must answer 200.
async fn review(app: &TestApp, staff: &str, person: &Person, id: &str) -> Value {
    let reply = app.get(&target_path(person, id), Some(staff)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

async fn send_back(app: &TestApp, staff: &str, id: &str, body: Value) -> Reply {
    app.post(&format!("{}/return", target_path(&TARO, id)), body, Some(staff))
        .await
}

async fn decide(app: &TestApp, staff: &str, id: &str, body: Value) -> Reply {
    app.post(&format!("{}/decision", target_path(&TARO, id)), body, Some(staff))
        .await
}

/// Taro's mails whose subject holds `subject`, with none of the answers' figures or the
/// dependent's name in them.
async fn mails_about(app: &TestApp, subject: &str) -> Vec<kennin::mail::outbox::OutboxMessage> {
    let mails: Vec<_> = mails_to(app, "taro@example.com")
        .await
        .into_iter()
        .filter(|mail| mail.subject.contains(subject))
        .collect();
    for mail in &mails {
        for secret in ["80000", "80,000", "健保 花子", "1990", "1001"] {
            assert!(!mail.text.contains(secret), "{secret} in {}", mail.text);
        }
    }
    mails
}

fn assert_refused(reply: &Reply, status: u16, code: &str) {
    assert_eq!((reply.status, reply.code()), (status, code), "{:?}", reply.body);
}

/// Taro at home with 健保 花子's form answered in full and submitted: the session and target.
async fn submitted(app: &TestApp) -> (String, String) {
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(app, &session, "健保 花子").await;
    let version = saved(app, &session, &id, complete_together()).await["version"].clone();
    let reply = submit(
        app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    (session, id)
}

/// Uploads a PDF for the form's first required document: its id.
async fn uploaded(app: &TestApp, session: &str, id: &str) -> String {
    let kind = read(app, session, id).await["requiredDocuments"][0]["kind"]
        .as_str()
        .unwrap()
        .to_string();
    let pdf = test_file("plain.pdf");
    let (document_id, granted) = created(
        app,
        session,
        id,
        request(&kind, "課税証明書.pdf", "application/pdf", pdf.len()),
    )
    .await;
    assert_eq!(upload(app, &granted, pdf).await, 200);
    let accepted = complete(app, session, id, &document_id).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    document_id
}

/// The history as (kind, actor kind, actor role).
fn history(review: &Value) -> Vec<(String, String, Option<String>)> {
    review["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["kind"].as_str().unwrap().to_string(),
                entry["actor"]["kind"].as_str().unwrap().to_string(),
                entry["actor"]["role"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The demo union's audit log this month, as stored.
async fn audit(app: &TestApp) -> Vec<AuditEntry> {
    let partition = AuditEntry::partition(
        &InsurerCode::parse("0904").unwrap(),
        &AuditEntry::month_of(kennin::clock::Clock::unix(app.clock.as_ref())),
    );
    // Sort keys start with the time in 12 digits.
    let items = app.store.query(&partition, "0").await.unwrap();
    let text = serde_json::to_string(&items).unwrap();
    for value in ["80000", "part_time", "健保 花子", "ケンポ ハナコ", "課税証明書"] {
        assert!(!text.contains(value), "the audit log holds {value}: {text}");
    }
    items.into_iter().map(|item| from_item(item).unwrap()).collect()
}

/// The actions of the entries, sorted: entries of one second are ordered by request ID.
fn actions(entries: &[AuditEntry]) -> Vec<AuditAction> {
    let mut actions: Vec<AuditAction> = entries.iter().map(|entry| entry.action).collect();
    actions.sort_by_key(|action| format!("{action:?}"));
    actions
}

fn sorted<const N: usize>(mut actions: [AuditAction; N]) -> Vec<AuditAction> {
    actions.sort_by_key(|action| format!("{action:?}"));
    actions.to_vec()
}

async fn a_return_reaches_the_person_who_resubmits_and_the_union_confirms(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id) = submitted(&app).await;
    let document_id = uploaded(&app, &session, &id).await;
    let (reviewer, member) = app.staff_signed_in("0904", StaffRole::Reviewer).await;

    let opened = review(&app, &reviewer, &TARO, &id).await;
    let form = read(&app, &session, &id).await;
    assert_eq!(opened["ref"], reference(&TARO, &id));
    assert_eq!(opened["name"], "健保 花子");
    assert_eq!(opened["status"], "submitted");
    assert_eq!(opened["answers"], form["answers"]);
    assert_eq!(opened["checks"], form["checks"], "the same pre-check as the person saw");
    assert_eq!(opened["requiredDocuments"], form["requiredDocuments"]);
    assert_eq!(opened["documents"].as_array().unwrap().len(), 1);
    assert_eq!(opened["documents"][0]["id"], document_id);
    assert_eq!(opened["documents"][0]["fileName"], "課税証明書.pdf");
    assert_eq!(history(&opened), [("submitted".into(), "person".into(), None)]);

    // The document, for the page: a short-lived redirect, serving the file.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let view = client.get(format!(
        "{}{}/documents/{document_id}",
        app.base,
        target_path(&TARO, &id)
    ));
    let redirect = with_body_and_cookie(view, None, Some(&reviewer)).send().await.unwrap();
    assert_eq!(redirect.status(), 302);
    let location = redirect.headers()["location"].to_str().unwrap().to_string();
    let url = if location.starts_with('/') {
        format!("{}{location}", app.base)
    } else {
        location
    };
    assert_eq!(
        reqwest::get(url).await.unwrap().bytes().await.unwrap().to_vec(),
        test_file("plain.pdf")
    );

    // The submission was acknowledged by mail, with the form's address and no answer.
    let receipts = mails_about(&app, "提出を受け付けました").await;
    assert_eq!(receipts.len(), 1);
    assert!(
        receipts[0].text.contains(&format!("/portal/survey/{id}")),
        "{}",
        receipts[0].text
    );
    assert!(
        receipts[0].text.contains("書類は、組合の確認が終わるまで"),
        "{}",
        receipts[0].text
    );
    // Sent back, with the reason: the person is mailed the reason and the form's address.
    let reason = "給与明細が3か月分ありません。直近3か月分を添付してください。";
    let stale = send_back(&app, &reviewer, &id, json!({"reason": reason, "version": 0})).await;
    assert_refused(&stale, 409, "version_conflict");
    let returned = send_back(
        &app,
        &reviewer,
        &id,
        json!({"reason": reason, "version": opened["version"]}),
    )
    .await;
    assert_eq!(returned.status, 200, "{:?}", returned.body);
    assert_eq!(
        (&returned.body["status"], &returned.body["mailed"]),
        (&json!("returned"), &json!(true))
    );
    let mails = mails_to(&app, "taro@example.com").await;
    let returns: Vec<_> = mails.iter().filter(|mail| mail.subject.contains("差し戻")).collect();
    assert_eq!(returns.len(), 1, "{mails:?}");
    let mail = returns[0];
    assert!(mail.text.contains(reason), "{}", mail.text);
    assert!(mail.text.contains(&format!("/portal/survey/{id}")), "{}", mail.text);
    for figure in ["80000", "80,000", "健保 花子"] {
        assert!(!mail.text.contains(figure), "{}", mail.text);
    }
    let returned_form = read(&app, &session, &id).await;
    assert_eq!(returned_form["returnReason"], reason);
    assert_eq!(
        (&returned_form["status"], &returned_form["editable"]),
        (&json!("returned"), &json!(true))
    );
    assert_refused(
        &send_back(&app, &reviewer, &id, json!({"reason": reason})).await,
        409,
        "wrong_status",
    );

    // The person changes the answers and submits again; the reviewer confirms (継続).
    let mut changed = complete_together();
    changed["incomes"][0]["amount"] = json!(70_000);
    let version = saved(&app, &session, &id, changed).await["version"].clone();
    let again = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    let decided = decide(&app, &reviewer, &id, json!({"outcome": "continue"})).await;
    assert_eq!(decided.status, 200, "{:?}", decided.body);
    assert_eq!(
        (&decided.body["status"], &decided.body["statusLabel"]),
        (&json!("confirmed"), &json!("確認完了"))
    );
    let closed = review(&app, &reviewer, &TARO, &id).await;
    assert_eq!(closed["decision"]["outcome"], "continue");
    let reviewer_role = Some("reviewer".to_string());
    assert_eq!(
        history(&closed),
        [
            ("submitted".into(), "person".into(), None),
            ("returned".into(), "staff".into(), reviewer_role.clone()),
            ("submitted".into(), "person".into(), None),
            ("decided".into(), "staff".into(), reviewer_role),
        ]
    );
    assert_eq!(closed["history"][1]["actor"]["name"], member.name.as_str());
    assert_eq!(closed["history"][1]["reason"], reason);
    assert_eq!(read(&app, &session, &id).await["editable"], false);

    let entries = audit(&app).await;
    assert_eq!(
        actions(&entries),
        sorted([
            AuditAction::ViewedTarget,
            AuditAction::ViewedDocument,
            AuditAction::Returned,
            AuditAction::Decided,
            AuditAction::ViewedTarget,
        ])
    );
    assert!(entries.iter().all(|entry| entry.staff_id == member.id));
    let viewed = entries
        .iter()
        .find(|entry| entry.action == AuditAction::ViewedDocument)
        .unwrap();
    assert_eq!(
        viewed.subject,
        Some(AuditSubject::Document {
            target: id.clone(),
            id: document_id
        })
    );
    let returned = entries
        .iter()
        .find(|entry| entry.action == AuditAction::Returned)
        .unwrap();
    assert_eq!(returned.subject, Some(AuditSubject::Target { id: id.clone() }));
}

async fn removal_needs_its_date_and_reason_hold_keeps_it_open(engine: Engine) {
    let app = spawn_app(engine).await;
    let (_, id) = submitted(&app).await;
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let before = review(&app, &reviewer, &TARO, &id).await;

    for (body, field) in [
        (json!({}), "outcome"),
        (json!({"outcome": "drop", "reason": "x"}), "outcome"),
        (json!({"outcome": "remove", "reason": "就職"}), "effectiveDate"),
        (
            json!({"outcome": "remove", "effectiveDate": "2026-02-30", "reason": "就職"}),
            "effectiveDate",
        ),
        (
            json!({"outcome": "remove", "effectiveDate": "令和8年", "reason": "就職"}),
            "effectiveDate",
        ),
        (json!({"outcome": "remove", "effectiveDate": "2026-10-01"}), "reason"),
        (json!({"outcome": "hold"}), "reason"),
        (json!({"outcome": "continue", "reason": "あ".repeat(1001)}), "reason"),
    ] {
        let reply = decide(&app, &reviewer, &id, body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert!(reply.body["fields"][field].is_string(), "{body}: {:?}", reply.body);
    }
    let malformed = app
        .post(
            &format!("{}/decision", target_path(&TARO, &id)),
            json!({"outcome": "hold", "extra": 1}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(malformed.status, 400);
    let unchanged = review(&app, &reviewer, &TARO, &id).await;
    assert_eq!(
        (&unchanged["version"], &unchanged["status"]),
        (&before["version"], &before["status"])
    );
    assert!(unchanged["decision"].is_null());

    let held = decide(
        &app,
        &reviewer,
        &id,
        json!({"outcome": "hold", "reason": "扶養者の収入を確認中"}),
    )
    .await;
    assert_eq!(held.status, 200, "{:?}", held.body);
    assert_eq!(held.body["status"], "submitted");
    let removed = decide(
        &app,
        &reviewer,
        &id,
        json!({"outcome": "remove", "effectiveDate": "2026-10-01", "reason": "就職により健康保険に加入", "version": held.body["version"]}),
    )
    .await;
    assert_eq!(removed.status, 200, "{:?}", removed.body);
    assert_eq!(removed.body["status"], "confirmed");
    assert_eq!(removed.body["decision"]["effectiveDate"], "2026-10-01");
    assert_eq!(removed.body["decision"]["outcomeLabel"], "削除");
    // The removal is mailed (the union's default) with its date; the hold was not.
    let removal = mails_about(&app, "被扶養者の削除についてのお知らせ").await;
    assert_eq!(removal.len(), 1);
    assert!(removal[0].text.contains("2026年10月1日付けで"), "{}", removal[0].text);
    // A confirmed target's decision may be corrected, not put back on hold or sent back.
    assert_refused(
        &decide(&app, &reviewer, &id, json!({"outcome": "hold", "reason": "再確認"})).await,
        409,
        "wrong_status",
    );
    assert_refused(
        &send_back(&app, &reviewer, &id, json!({"reason": "再確認"})).await,
        409,
        "wrong_status",
    );
    let corrected = decide(&app, &reviewer, &id, json!({"outcome": "continue"})).await;
    assert_eq!(corrected.status, 200, "{:?}", corrected.body);
    let after = review(&app, &reviewer, &TARO, &id).await;
    assert_eq!(after["decision"]["outcome"], "continue");
    let decisions: Vec<&Value> = after["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "decided")
        .map(|entry| &entry["decision"]["outcome"])
        .collect();
    assert_eq!(decisions, [&json!("hold"), &json!("remove"), &json!("continue")]);
    assert!(
        mails_about(&app, "確認が完了しました").await.is_empty(),
        "継続 is not mailed unless the union turns it on"
    );
    let decided = actions(&audit(&app).await)
        .into_iter()
        .filter(|action| *action == AuditAction::Decided)
        .count();
    assert_eq!(decided, 3, "one entry per decision, none for the refused ones");
}

async fn a_refused_document_is_shown_to_the_person_who_sends_another(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id) = submitted(&app).await;
    let document_id = uploaded(&app, &session, &id).await;
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let refusal = format!("{}/documents/{document_id}/refusal", target_path(&TARO, &id));
    let empty = app.post(&refusal, json!({"reason": "  "}), Some(&reviewer)).await;
    assert_eq!(empty.status, 400, "{:?}", empty.body);
    assert!(list(&app, &session, &id).await[0]["refusalReason"].is_null());
    let unknown = app
        .post(
            &format!("{}/documents/{}/refusal", target_path(&TARO, &id), "0".repeat(32)),
            json!({"reason": "x"}),
            Some(&reviewer),
        )
        .await;
    assert_refused(&unknown, 404, "not_found");

    let reason = "マイナンバーが写っています。隠してから送り直してください。";
    let refused = app.post(&refusal, json!({"reason": reason}), Some(&reviewer)).await;
    assert_eq!(refused.status, 200, "{:?}", refused.body);
    let documents = list(&app, &session, &id).await;
    assert_eq!(documents[0]["refusalReason"], reason);
    let refusal_mails = mails_about(&app, "添付書類に不備があります").await;
    assert_eq!(refusal_mails.len(), 1);
    assert!(refusal_mails[0].text.contains(reason), "{}", refusal_mails[0].text);
    assert!(refusal_mails[0].text.contains(&format!("/portal/survey/{id}")));
    // The person sends another file in its place.
    let replacement = uploaded(&app, &session, &id).await;
    assert_eq!(list(&app, &session, &id).await.len(), 2);
    let opened = review(&app, &reviewer, &TARO, &id).await;
    let last = opened["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["kind"], &last["documentId"], &last["reason"]),
        (&json!("document_refused"), &json!(document_id), &json!(reason))
    );
    let reasons: Vec<(&Value, &Value)> = opened["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|document| (&document["id"], &document["refusalReason"]))
        .collect();
    assert!(reasons.contains(&(&json!(document_id), &json!(reason))), "{reasons:?}");
    assert!(reasons.contains(&(&json!(replacement), &Value::Null)), "{reasons:?}");
    assert!(actions(&audit(&app).await).contains(&AuditAction::DocumentRefused));
}

async fn the_call_center_enters_answers_for_the_person_marked_as_proxy(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    let (operator, member) = app.staff_signed_in("0904", StaffRole::Callcenter).await;
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let path = format!("{}/answers", target_path(&TARO, &id));
    let version = read(&app, &session, &id).await["version"].clone();

    let forbidden = app
        .put(
            &path,
            json!({"version": version, "answers": complete_together()}),
            Some(&reviewer),
        )
        .await;
    assert_refused(&forbidden, 403, "forbidden");
    let bad = app
        .put(
            &path,
            json!({"version": version, "answers": {"living": "moon"}}),
            Some(&operator),
        )
        .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    assert!(bad.body["fields"]["answers.living"].is_string(), "{:?}", bad.body);
    let stale = app
        .put(
            &path,
            json!({"version": 99, "answers": complete_together()}),
            Some(&operator),
        )
        .await;
    assert_refused(&stale, 409, "version_conflict");
    assert_eq!(read(&app, &session, &id).await["version"], version, "nothing changed");

    let entered = app
        .put(
            &path,
            json!({"version": version, "answers": complete_together()}),
            Some(&operator),
        )
        .await;
    assert_eq!(entered.status, 200, "{:?}", entered.body);
    assert_eq!(entered.body["status"], "in_progress");
    let form = read(&app, &session, &id).await;
    assert_eq!(form["answers"], entered.body["answers"]);
    let opened = review(&app, &operator, &TARO, &id).await;
    assert_eq!(
        history(&opened),
        [(
            "answers_entered_by_proxy".into(),
            "staff".into(),
            Some("callcenter".into())
        )]
    );
    assert_eq!(opened["history"][0]["label"], "代行入力");
    assert_eq!(opened["history"][0]["actor"]["name"], member.name.as_str());
    // Saving the same answers again changes and records nothing.
    let same = app
        .put(
            &path,
            json!({"version": entered.body["version"], "answers": complete_together()}),
            Some(&operator),
        )
        .await;
    assert_eq!(same.body["version"], entered.body["version"]);
    let entries = audit(&app).await;
    assert_eq!(
        actions(&entries),
        sorted([AuditAction::AnswersEnteredByProxy, AuditAction::ViewedTarget])
    );
    assert!(entries.iter().all(|entry| entry.role == StaffRole::Callcenter));

    // Submitted, the answers are with the union: the call center sends them back first.
    let submitted = submit(
        &app,
        &session,
        &id,
        json!({"version": form["version"], "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);
    let late = app
        .put(
            &path,
            json!({"version": submitted.body["version"], "answers": complete_together()}),
            Some(&operator),
        )
        .await;
    assert_refused(&late, 409, "already_submitted");
}

async fn wrong_states_roles_and_references_are_refused_changing_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    other_union(&app).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    saved(&app, &session, &id, complete_together()).await;
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;

    // Not submitted: nothing to send back or decide on.
    assert_refused(
        &send_back(&app, &reviewer, &id, json!({"reason": "x"})).await,
        409,
        "wrong_status",
    );
    assert_refused(
        &decide(&app, &reviewer, &id, json!({"outcome": "continue"})).await,
        409,
        "wrong_status",
    );
    assert_refused(
        &send_back(&app, &reviewer, &id, json!({"reason": ""})).await,
        400,
        "invalid_input",
    );
    assert_refused(
        &app.get(&target_path(&TARO, &id), Some(&viewer)).await,
        403,
        "forbidden",
    );
    assert_refused(
        &send_back(&app, &viewer, &id, json!({"reason": "x"})).await,
        403,
        "forbidden",
    );
    let person = app.get(&target_path(&TARO, &id), Some(&session)).await;
    assert_eq!(person.status, 401, "a person's cookie is no staff session");

    // Another union's target, a wrong card, a malformed reference: all as missing.
    let other = app.at_home(&OTHER, "taro_other", "taro@example.org").await;
    let other_id = target_id(&app, &other, "別 花子").await;
    for path in [
        target_path(&OTHER, &other_id),
        format!("/api/admin/targets/1001-9-{id}"),
        format!("/api/admin/targets/{id}"),
        "/api/admin/targets/1001-1-zz".to_string(),
        format!("{}/documents/{}", target_path(&OTHER, &other_id), "0".repeat(32)),
    ] {
        assert_refused(&app.get(&path, Some(&reviewer)).await, 404, "not_found");
    }
    assert_refused(
        &app.post(
            &format!("{}/return", target_path(&OTHER, &other_id)),
            json!({"reason": "x"}),
            Some(&reviewer),
        )
        .await,
        404,
        "not_found",
    );
    assert!(audit(&app).await.is_empty(), "no view was answered, no change made");
    assert!(!app.mails().await.iter().any(|mail| mail.subject.contains("差し戻")));
    assert!(STAFF_COOKIE.starts_with("__Host-"));
}

async fn a_failed_mail_does_not_undo_the_return(engine: Engine) {
    let app = spawn_app(engine).await;
    let (session, id) = submitted(&app).await;
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    app.mailer.down.store(true, Ordering::SeqCst);
    let returned = send_back(&app, &reviewer, &id, json!({"reason": "収入の証明が足りません。"})).await;
    app.mailer.down.store(false, Ordering::SeqCst);
    assert_eq!(returned.status, 200, "{:?}", returned.body);
    assert_eq!(returned.body["mailed"], false);
    let form = read(&app, &session, &id).await;
    assert_eq!(
        (&form["status"], &form["returnReason"]),
        (&json!("returned"), &json!("収入の証明が足りません。"))
    );
    assert_eq!(actions(&audit(&app).await), [AuditAction::Returned]);
    // The mail waited in the outbox: the schedule's next run after its retry delay sends it.
    assert!(mails_about(&app, "差し戻").await.is_empty());
    let deps = kennin::deps::Deps::new(
        app.store.clone(),
        app.mailer.clone(),
        app.clock.clone(),
        kennin_tests::test_config(),
    )
    .unwrap();
    app.clock.advance(kennin::mail::jobs::retry_delay(0));
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let report = kennin::schedule::run_logged(&deps, &app.base, until, "schedule-run-of-the-test")
        .await
        .unwrap();
    assert_eq!(report.mail.sent, 1, "{report:?}");
    let returned_mails = mails_about(&app, "差し戻").await;
    assert_eq!(returned_mails.len(), 1);
    assert!(returned_mails[0].text.contains("収入の証明が足りません。"));
    // Staff see what was mailed, and when, beside the form.
    let reviewed = review(&app, &reviewer, &TARO, &id).await;
    let mails: Vec<(&str, bool)> = reviewed["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|mail| (mail["subject"].as_str().unwrap(), mail["sent"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        mails,
        [
            ("【被扶養者資格調査】提出を受け付けました", true),
            ("【被扶養者資格調査】調査票が差し戻されました", true)
        ]
    );
    // The call center sees the same mails on the person's page, with whether each went out.
    let (operator, _) = app.staff_signed_in("0904", StaffRole::Callcenter).await;
    let found = app.get("/api/admin/people?card=1001-1", Some(&operator)).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    let person_mails: Vec<(&str, &str)> = found.body["people"][0]["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|mail| {
            (
                mail["subject"].as_str().unwrap(),
                mail["outcomeLabel"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        person_mails,
        [
            ("【被扶養者資格調査】提出を受け付けました", "送信済み"),
            ("【被扶養者資格調査】調査票が差し戻されました", "送信済み")
        ]
    );
}

on_both_engines!(
    a_failed_mail_does_not_undo_the_return,
    a_return_reaches_the_person_who_resubmits_and_the_union_confirms,
    removal_needs_its_date_and_reason_hold_keeps_it_open,
    a_refused_document_is_shown_to_the_person_who_sends_another,
    the_call_center_enters_answers_for_the_person_marked_as_proxy,
    wrong_states_roles_and_references_are_refused_changing_nothing,
);
