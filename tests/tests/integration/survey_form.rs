//! One target's form through the local runner, on both engines: GET /api/survey/targets/{id},
//! PUT …/answers and POST …/submit. Every answer rule, drafts across reloads, two tabs, submitting
//! once (also twenty times at once) and again after the union sends the form back, the window,
//! the pre-check from the dated thresholds, the documents the answers require with a union's own
//! table, and isolation between persons and unions and from dependents who left the roster.

use futures::future::join_all;
use kennin::campaign;
use kennin::dependents;
use kennin::domain::{CardNumber, CardSymbol, Day, InsurerCode, TargetStatus};
use kennin::required_documents::DocumentTable;
use kennin::roster;
use kennin::store::records::{Target, TargetEvent, TargetEventKind, from_item, to_item};
use kennin::store::{ItemStore, Write};
use kennin_tests::{
    Engine, HANAKO, PASSWORD, Person, Reply, SURVEY_YEAR, TARO, TestApp, campaign_settings, on_both_engines, spawn_app,
    without_request_id,
};
use serde_json::{Value, json};

fn demo() -> InsurerCode {
    InsurerCode::parse("0904").unwrap()
}

fn day(iso: &str) -> Day {
    serde_json::from_value(json!(iso)).unwrap()
}

pub(crate) fn form_path(id: &str) -> String {
    format!("/api/survey/targets/{id}")
}

/// The form as read now, which must answer 200.
pub(crate) async fn read(app: &TestApp, session: &str, id: &str) -> Value {
    let reply = app.get(&form_path(id), Some(session)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

async fn save(app: &TestApp, session: &str, id: &str, version: &Value, answers: Value) -> Reply {
    let body = json!({ "version": version, "answers": answers });
    app.put(&format!("{}/answers", form_path(id)), body, Some(session))
        .await
}

/// Saves `answers` at the form's current version; the new version.
pub(crate) async fn saved(app: &TestApp, session: &str, id: &str, answers: Value) -> Value {
    let version = read(app, session, id).await["version"].clone();
    let reply = save(app, session, id, &version, answers.clone()).await;
    assert_eq!(reply.status, 200, "{answers} refused: {:?}", reply.body);
    reply.body
}

pub(crate) async fn submit(app: &TestApp, session: &str, id: &str, body: Value) -> Reply {
    app.post(&format!("{}/submit", form_path(id)), body, Some(session))
        .await
}

/// The asker's targets by name, from GET /api/survey: (name, id, status label).
async fn targets(app: &TestApp, session: &str) -> Vec<(String, String, String)> {
    let survey = app.get("/api/survey", Some(session)).await;
    assert_eq!(survey.status, 200, "{:?}", survey.body);
    survey.body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap().to_string();
            (text("name"), text("id"), text("statusLabel"))
        })
        .collect()
}

pub(crate) async fn target_id(app: &TestApp, session: &str, name: &str) -> String {
    targets(app, session)
        .await
        .into_iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no target {name}"))
        .1
}

/// A complete form of a dependent living together with a part-time wage, in Japan, staying.
pub(crate) fn complete_together() -> Value {
    json!({
        "living": "together",
        "occupation": "part_time",
        "incomes": [{"kind": "wages", "amount": 80_000, "per": "month"}],
        "otherInsurance": "none",
        "residence": "japan",
        "continuation": "continue"
    })
}

/// The field errors of a 400, by path.
fn fields(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    reply.body["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("no fields in {:?}", reply.body))
        .keys()
        .cloned()
        .collect()
}

/// Logs in again: sessions end while a test moves the clock by days.
pub(crate) async fn login_again(app: &TestApp, user_id: &str) -> String {
    let login = app.login(user_id, PASSWORD).await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    login.cookie(kennin::http::SESSION_COOKIE).unwrap()
}

async fn every_answer_rule_takes_a_good_value_and_refuses_a_bad_one_changing_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    let long = |n: usize| json!("あ".repeat(n + 1));
    // (a good draft, a draft with one bad value, the bad value's path)
    let rules = [
        (
            json!({"corrections": {"name": "健保 華子"}}),
            json!({"corrections": {"name": long(100)}}),
            "answers.corrections.name",
        ),
        (
            json!({"corrections": {"nameKana": "ケンポハナコ"}}),
            json!({"corrections": {"nameKana": "健保"}}),
            "answers.corrections.nameKana",
        ),
        (
            json!({"corrections": {"birthDate": "2002-09-12"}}),
            json!({"corrections": {"birthDate": "2002-13-01"}}),
            "answers.corrections.birthDate",
        ),
        (
            json!({"corrections": {"birthDate": "2002-09-12"}}),
            json!({"corrections": {"birthDate": "2036-06-01"}}),
            "answers.corrections.birthDate",
        ),
        (
            json!({"corrections": {"sex": "男"}}),
            json!({"corrections": {"sex": "F"}}),
            "answers.corrections.sex",
        ),
        (json!({"living": "apart"}), json!({"living": "far"}), "answers.living"),
        (
            json!({"apartReason": "separate_household"}),
            json!({"apartReason": "holiday"}),
            "answers.apartReason",
        ),
        (
            json!({"apartAddress": {"postalCode": "100-0001"}}),
            json!({"apartAddress": {"postalCode": "100-001"}}),
            "answers.apartAddress.postalCode",
        ),
        (
            json!({"apartAddress": {"address": "東京都千代田区千代田1-1"}}),
            json!({"apartAddress": {"address": "東".repeat(201)}}),
            "answers.apartAddress.address",
        ),
        (
            json!({"occupation": "unable_to_work"}),
            json!({"occupation": "astronaut"}),
            "answers.occupation",
        ),
        (
            json!({"school": {"name": "健保大学"}}),
            json!({"school": {"name": long(kennin::answers::MAX_SCHOOL_NAME_CHARS)}}),
            "answers.school.name",
        ),
        (
            json!({"school": {"year": 6}}),
            json!({"school": {"year": 7}}),
            "answers.school.year",
        ),
        (
            json!({"incomes": [{"kind": "pension_survivor", "amount": 1, "per": "year"}]}),
            json!({"incomes": [{"kind": "lottery", "amount": 1, "per": "year"}]}),
            "answers.incomes[0].kind",
        ),
        (
            json!({"incomes": [{"kind": "wages", "amount": 100_000_000, "per": "month"}]}),
            json!({"incomes": [{"kind": "wages", "amount": 100_000_001, "per": "month"}]}),
            "answers.incomes[0].amount",
        ),
        (
            json!({"incomes": [{"kind": "wages", "amount": 0, "per": "month"}]}),
            json!({"incomes": [{"kind": "wages", "amount": -1, "per": "month"}]}),
            "answers.incomes[0].amount",
        ),
        (
            json!({"incomes": [{"kind": "bonus", "amount": 1000, "per": "year"}]}),
            json!({"incomes": [{"kind": "bonus", "amount": 1000.5, "per": "year"}]}),
            "answers.incomes[0].amount",
        ),
        (
            json!({"incomes": [{"kind": "sickness_benefit", "amount": 3000, "per": "day"}]}),
            json!({"incomes": [{"kind": "sickness_benefit", "amount": 3000, "per": "month"}]}),
            "answers.incomes[0].per",
        ),
        (
            json!({"incomes": [{"kind": "wages", "amount": 3000, "per": "month"}]}),
            json!({"incomes": [{"kind": "wages", "amount": 3000, "per": "day"}]}),
            "answers.incomes[0].per",
        ),
        (json!({"incomes": []}), json!({"incomes": {}}), "answers.incomes"),
        (
            json!({"remittance": {"monthlyAmount": 100_000_000}}),
            json!({"remittance": {"monthlyAmount": 100_000_001}}),
            "answers.remittance.monthlyAmount",
        ),
        (
            json!({"remittance": {"method": "registered_mail"}}),
            json!({"remittance": {"method": "pigeon"}}),
            "answers.remittance.method",
        ),
        (
            json!({"remittance": {"since": "2036-06"}}),
            json!({"remittance": {"since": "2036-07"}}),
            "answers.remittance.since",
        ),
        (
            json!({"disabled": true}),
            json!({"disabled": "yes"}),
            "answers.disabled",
        ),
        (
            json!({"otherInsurance": "late_elderly"}),
            json!({"otherInsurance": "private"}),
            "answers.otherInsurance",
        ),
        (
            json!({"residence": "abroad"}),
            json!({"residence": "moon"}),
            "answers.residence",
        ),
        (
            json!({"abroadException": "relationship_formed"}),
            json!({"abroadException": "long_stay"}),
            "answers.abroadException",
        ),
        (
            json!({"continuation": "remove"}),
            json!({"continuation": "maybe"}),
            "answers.continuation",
        ),
        (
            json!({"removal": {"date": "2037-06-01"}}),
            json!({"removal": {"date": "2037-06-02"}}),
            "answers.removal.date",
        ),
        (
            json!({"removal": {"reason": "moved_out"}}),
            json!({"removal": {"reason": "boredom"}}),
            "answers.removal.reason",
        ),
        (
            json!({"removal": {"detail": "就職予定"}}),
            json!({"removal": {"detail": long(kennin::answers::MAX_REMOVAL_DETAIL_CHARS)}}),
            "answers.removal.detail",
        ),
        // Keys that are not part of the form, at the top and nested.
        (json!({}), json!({"nickname": "ハナ"}), "answers.nickname"),
        (
            json!({"school": {"name": "健保高校", "year": 2}}),
            json!({"school": {"name": "健保高校", "grade": 2}}),
            "answers.school.grade",
        ),
        (
            json!({"incomes": [{"kind": "wages", "amount": 1, "per": "month"}]}),
            json!({"incomes": [{"kind": "wages", "amount": 1, "per": "month", "note": "冬"}]}),
            "answers.incomes[0].note",
        ),
        (
            json!({"corrections": {"name": "健保 花子"}}),
            json!({"corrections": {"address": "東京"}}),
            "answers.corrections.address",
        ),
    ];
    for (good, bad, path) in rules {
        let accepted = saved(&app, &session, &id, good.clone()).await;
        let before = read(&app, &session, &id).await;
        assert_eq!(before["version"], accepted["version"]);
        assert_eq!(before["answers"], accepted["answers"], "{good}");
        let refused = save(&app, &session, &id, &before["version"], bad.clone()).await;
        assert_eq!(fields(&refused), [path], "{bad}");
        let message = refused.body["fields"][path].as_str().unwrap();
        assert!(message.ends_with('。') && !message.is_ascii(), "{bad}: {message}");
        let after = read(&app, &session, &id).await;
        assert_eq!(
            (&after["version"], &after["answers"]),
            (&before["version"], &before["answers"]),
            "{bad} changed the draft"
        );
    }

    // The request itself takes only its two keys, and answers that are an object.
    let version = read(&app, &session, &id).await["version"].clone();
    let extra = json!({"version": version, "answers": {}, "draft": true});
    let refused = app
        .put(&format!("{}/answers", form_path(&id)), extra, Some(&session))
        .await;
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    assert_eq!(
        fields(&save(&app, &session, &id, &version, json!([])).await),
        ["answers"]
    );
    let unversioned = app
        .put(
            &format!("{}/answers", form_path(&id)),
            json!({"answers": {}}),
            Some(&session),
        )
        .await;
    assert_eq!(fields(&unversioned), ["version"]);
    // A key given twice is refused as the request's own keys are, never resolved silently.
    for twice in [
        format!(r#"{{"version": {version}, "answers": {{"living": "together", "living": "apart"}}}}"#),
        format!(r#"{{"version": {version}, "answers": {{"school": {{"year": 1, "year": 2}}}}}}"#),
        format!(r#"{{"version": {version}, "version": {version}, "answers": {{}}}}"#),
    ] {
        let request = app
            .raw("PUT", &format!("{}/answers", form_path(&id)))
            .header("content-type", "application/json")
            .header("cookie", &session)
            .body(twice.clone());
        let refused = app.finish(request).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "malformed_request"),
            "{twice}: {:?}",
            refused.body
        );
    }
    assert_eq!(read(&app, &session, &id).await["version"], version);
}

async fn a_draft_survives_reloads_and_two_tabs_never_overwrite_each_other(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 和子").await;
    let fresh = read(&app, &session, &id).await;
    assert_eq!(fresh["answers"], json!({}));
    assert_eq!(
        (&fresh["status"], &fresh["statusLabel"], &fresh["editable"]),
        (&json!("not_started"), &json!("未回答"), &json!(true))
    );
    assert_eq!(
        (&fresh["name"], &fresh["relationship"], &fresh["living"]),
        (&json!("健保 和子"), &json!("母"), &json!("別居"))
    );

    let draft = json!({
        "corrections": {"name": "  健保　和子 ", "nameKana": "けんぽ かずこ"},
        "living": "apart",
        "apartReason": "separate_household",
        "apartAddress": {"postalCode": "〒100-0001", "address": " 東京都千代田区千代田1-1 "},
        "occupation": "",
        "incomes": [{"kind": "pension_old_age", "amount": 1_200_000, "per": "year"}],
        "remittance": {"monthlyAmount": 80_000, "method": "bank_transfer", "since": "2030-04"}
    });
    let first = save(&app, &session, &id, &fresh["version"], draft.clone()).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let normalised = json!({
        "corrections": {"name": "健保 和子", "nameKana": "ケンポカズコ"},
        "living": "apart",
        "apartReason": "separate_household",
        "apartAddress": {"postalCode": "1000001", "address": "東京都千代田区千代田1-1"},
        "incomes": [{"kind": "pension_old_age", "amount": 1_200_000, "per": "year"}],
        "remittance": {"monthlyAmount": 80_000, "method": "bank_transfer", "since": "2030-04"}
    });
    assert_eq!(first.body["answers"], normalised);
    let version = first.body["version"].as_i64().unwrap();
    assert_eq!(version, fresh["version"].as_i64().unwrap() + 1);
    assert_eq!(
        (&first.body["status"], &first.body["statusLabel"]),
        (&json!("in_progress"), &json!("回答中"))
    );

    // A reload, as after closing the phone's browser, and in a new session.
    let session = login_again(&app, "taro_kenpo").await;
    let reloaded = read(&app, &session, &id).await;
    assert_eq!(reloaded["answers"], normalised);
    assert_eq!(reloaded["version"], version);
    assert_eq!(reloaded["statusLabel"], "回答中");
    assert_eq!(reloaded["checks"], first.body["checks"]);
    assert_eq!(reloaded["requiredDocuments"], first.body["requiredDocuments"]);
    let labels: Vec<(String, String)> = targets(&app, &session)
        .await
        .into_iter()
        .map(|(name, _, label)| (name, label))
        .collect();
    assert_eq!(
        labels,
        [
            ("健保 花子".to_string(), "未回答".to_string()),
            ("健保 一郎".to_string(), "未回答".to_string()),
            ("健保 和子".to_string(), "回答中".to_string()),
        ]
    );

    // Leaving a section with nothing changed, as sent or as stored, costs no version.
    for same in [draft, normalised.clone()] {
        let unchanged = save(&app, &session, &id, &json!(version), same).await;
        assert_eq!(unchanged.status, 200, "{:?}", unchanged.body);
        assert_eq!(unchanged.body["version"], version);
    }

    // Two tabs read at `version`; the second to save is told, and nothing of it is written.
    let tab_one = save(&app, &session, &id, &json!(version), json!({"living": "together"})).await;
    assert_eq!(tab_one.body["version"], version + 1);
    let tab_two = save(&app, &session, &id, &json!(version), json!({"occupation": "pensioner"})).await;
    assert_eq!(tab_two.status, 409, "{:?}", tab_two.body);
    assert_eq!(tab_two.code(), "version_conflict");
    let after = read(&app, &session, &id).await;
    assert_eq!(after["answers"], json!({"living": "together"}));
    assert_eq!(after["version"], version + 1);
    let tab_two_submits = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(tab_two_submits.code(), "version_conflict");

    // Ten tabs saving different answers from the same version at once: one is written, the
    // others lose the conditional write and are told.
    let version = after["version"].clone();
    let amounts: Vec<i64> = (1..=10).map(|n| n * 10_000).collect();
    let replies = join_all(amounts.iter().map(|amount| {
        let answers = json!({"incomes": [{"kind": "wages", "amount": amount, "per": "month"}]});
        save(&app, &session, &id, &version, answers)
    }))
    .await;
    let winners: Vec<&Reply> = replies.iter().filter(|reply| reply.status == 200).collect();
    assert_eq!(winners.len(), 1, "{replies:?}");
    for loser in replies.iter().filter(|reply| reply.status != 200) {
        assert_eq!(
            (loser.status, loser.code()),
            (409, "version_conflict"),
            "{:?}",
            loser.body
        );
    }
    let stored = read(&app, &session, &id).await;
    assert_eq!(stored["answers"], winners[0].body["answers"]);
    assert_eq!(stored["version"], version.as_i64().unwrap() + 1);
}

/// The target's events in the store.
async fn events(app: &TestApp, person: &Person, id: &str) -> Vec<TargetEvent> {
    let insurer = InsurerCode::parse(person.insurer).unwrap();
    let partition = Target::partition(
        &insurer,
        SURVEY_YEAR,
        &CardSymbol::parse(person.symbol).unwrap(),
        &CardNumber::parse(person.number).unwrap(),
    );
    app.store
        .query(&partition, &format!("EVENT#{id}#"))
        .await
        .unwrap()
        .into_iter()
        .map(|item| from_item(item).unwrap())
        .collect()
}

async fn answers_are_submitted_once_and_then_locked(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    let version = read(&app, &session, &id).await["version"].clone();

    let nothing_yet = submit(&app, &session, &id, json!({"version": version})).await;
    assert_eq!(
        fields(&nothing_yet),
        [
            "answers.continuation",
            "answers.incomes",
            "answers.living",
            "answers.occupation",
            "answers.otherInsurance",
            "answers.residence",
            "documentsConfirmed",
        ]
    );
    let apart = saved(&app, &session, &id, json!({"living": "apart", "occupation": "student"})).await;
    let what_apart_needs = submit(
        &app,
        &session,
        &id,
        json!({"version": apart["version"], "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(
        fields(&what_apart_needs),
        [
            "answers.apartAddress.address",
            "answers.apartAddress.postalCode",
            "answers.apartReason",
            "answers.continuation",
            "answers.incomes",
            "answers.otherInsurance",
            "answers.remittance.method",
            "answers.remittance.monthlyAmount",
            "answers.remittance.since",
            "answers.residence",
            "answers.school.name",
            "answers.school.year",
        ]
    );

    let complete = saved(&app, &session, &id, complete_together()).await;
    let version = complete["version"].clone();
    for unconfirmed in [
        json!({"version": version}),
        json!({"version": version, "documentsConfirmed": false}),
    ] {
        let refused = submit(&app, &session, &id, unconfirmed).await;
        assert_eq!(fields(&refused), ["documentsConfirmed"]);
    }
    assert!(events(&app, &TARO, &id).await.is_empty());

    let submitted = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);
    assert_eq!(
        (&submitted.body["status"], &submitted.body["statusLabel"]),
        (&json!("submitted"), &json!("提出済み"))
    );
    assert_eq!(submitted.body["submittedAt"], "2036-06-01T00:00:00Z");
    let kinds: Vec<&str> = submitted.body["requiredDocuments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["income_certificate", "pay_slips"]);
    let recorded = events(&app, &TARO, &id).await;
    assert_eq!(recorded.len(), 1);
    let event = &recorded[0];
    assert_eq!(
        (event.kind, event.target_id.as_str()),
        (TargetEventKind::Submitted, id.as_str())
    );
    assert_eq!(json!(event.version), submitted.body["version"]);
    assert_eq!(serde_json::to_value(&event.answers).unwrap(), complete["answers"]);
    assert_eq!(event.documents, kinds);

    let again = submit(
        &app,
        &session,
        &id,
        json!({"version": submitted.body["version"], "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    assert_eq!(again.code(), "already_submitted");
    assert_eq!(again.body["message"], "既に提出しています。再度提出出来ません。");
    let change = save(
        &app,
        &session,
        &id,
        &submitted.body["version"],
        json!({"living": "apart"}),
    )
    .await;
    assert_eq!((change.status, change.code()), (409, "already_submitted"));
    let locked = read(&app, &session, &id).await;
    assert_eq!(locked["editable"], false);
    assert_eq!(
        (&locked["status"], &locked["statusLabel"]),
        (&json!("submitted"), &json!("提出済み"))
    );
    assert_eq!(locked["submittedAt"], "2036-06-01T00:00:00Z");
    assert_eq!(locked["answers"], complete["answers"]);
    assert_eq!(locked["version"], submitted.body["version"]);
    let label = targets(&app, &session)
        .await
        .into_iter()
        .find(|(_, target, _)| *target == id)
        .unwrap()
        .2;
    assert_eq!(label, "提出済み");
    assert_eq!(events(&app, &TARO, &id).await.len(), 1);

    // The union sends the form back (差し戻し, as its review will): the answers open again,
    // and submitting them anew keeps the first submission beside the second.
    send_back(&app, &TARO, &id, "収入の証明が足りません。").await;
    let returned = read(&app, &session, &id).await;
    assert_eq!(
        (&returned["status"], &returned["statusLabel"], &returned["editable"]),
        (&json!("returned"), &json!("差し戻し"), &json!(true))
    );
    assert_eq!(returned["returnReason"], "収入の証明が足りません。");
    let mut corrected = complete_together();
    corrected["incomes"][0]["amount"] = json!(90_000);
    let resaved = saved(&app, &session, &id, corrected).await;
    assert_eq!(resaved["statusLabel"], "差し戻し");
    let resubmitted = submit(
        &app,
        &session,
        &id,
        json!({"version": resaved["version"], "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(resubmitted.status, 200, "{:?}", resubmitted.body);
    let after = read(&app, &session, &id).await;
    assert_eq!(
        (&after["status"], &after["editable"]),
        (&json!("submitted"), &json!(false))
    );
    assert!(after["returnReason"].is_null());
    let history = events(&app, &TARO, &id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(serde_json::to_value(&history[0].answers).unwrap(), complete["answers"]);
    assert_eq!(serde_json::to_value(&history[1].answers).unwrap(), resaved["answers"]);
}

/// What the union's review will do to send a submitted form back, written as it would be.
async fn send_back(app: &TestApp, person: &Person, id: &str, reason: &str) {
    let key = Target::key(
        &InsurerCode::parse(person.insurer).unwrap(),
        SURVEY_YEAR,
        &CardSymbol::parse(person.symbol).unwrap(),
        &CardNumber::parse(person.number).unwrap(),
        id,
    );
    let target: Target = from_item(app.store.get(&key).await.unwrap().unwrap()).unwrap();
    let returned = Target {
        status: TargetStatus::Returned,
        return_reason: Some(reason.to_string()),
        version: target.version + 1,
        ..target
    }
    .listed();
    app.store
        .transact(vec![Write::put(key, to_item(&returned, None))])
        .await
        .unwrap();
}

async fn twenty_submits_at_once_make_exactly_one(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 一郎").await;
    let version = saved(&app, &session, &id, complete_together()).await["version"].clone();
    let body = json!({"version": version, "documentsConfirmed": true});
    let replies = join_all((0..20).map(|_| submit(&app, &session, &id, body.clone()))).await;
    let accepted = replies.iter().filter(|reply| reply.status == 200).count();
    assert_eq!(accepted, 1, "{replies:?}");
    for refused in replies.iter().filter(|reply| reply.status != 200) {
        assert_eq!(
            (refused.status, refused.code()),
            (409, "already_submitted"),
            "{:?}",
            refused.body
        );
    }
    assert_eq!(events(&app, &TARO, &id).await.len(), 1);
    assert_eq!(read(&app, &session, &id).await["status"], "submitted");

    // A save from another tab racing the submit, both from the same version: one is taken, and
    // the other is told which way it lost.
    let other = target_id(&app, &session, "健保 花子").await;
    let version = saved(&app, &session, &other, complete_together()).await["version"].clone();
    let mut changed = complete_together();
    changed["occupation"] = json!("unemployed");
    let (submitted, save_reply) = futures::join!(
        submit(
            &app,
            &session,
            &other,
            json!({"version": version, "documentsConfirmed": true})
        ),
        save(&app, &session, &other, &version, changed)
    );
    let stored = read(&app, &session, &other).await;
    let submits_won = submitted.status == 200;
    if submits_won {
        assert_eq!((save_reply.status, save_reply.code()), (409, "already_submitted"));
        assert_eq!(stored["status"], "submitted");
        assert_eq!(stored["answers"]["occupation"], "part_time");
    } else {
        assert_eq!(save_reply.status, 200, "{:?}", save_reply.body);
        assert_eq!((submitted.status, submitted.code()), (409, "version_conflict"));
        assert_eq!(stored["status"], "in_progress");
        assert_eq!(stored["answers"]["occupation"], "unemployed");
    }
    assert_eq!(events(&app, &TARO, &other).await.len(), usize::from(submits_won));
}

async fn a_closed_or_upcoming_survey_shows_the_form_and_takes_no_change(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    let draft = saved(&app, &session, &id, json!({"living": "together"})).await;

    // The demo campaign is due 2036-07-01 with seven grace days: its last grace second still
    // takes answers, the next one does not.
    let closes = campaign::parse_opening("2036-07-09T00:00").unwrap();
    let now = kennin::clock::Clock::unix(app.clock.as_ref());
    app.clock.advance(closes - 1 - now);
    let session = login_again(&app, "taro_kenpo").await;
    let late = saved(
        &app,
        &session,
        &id,
        json!({"living": "together", "occupation": "unemployed"}),
    )
    .await;
    assert_eq!(late["version"], draft["version"].as_i64().unwrap() + 1);
    app.clock.advance(1);

    let closed = read(&app, &session, &id).await;
    assert_eq!(closed["editable"], false);
    assert_eq!(closed["campaign"]["state"], "closed");
    assert_eq!(closed["answers"], late["answers"]);
    let contact = json!({
        "name": "けんにん健康保険組合 適用グループ",
        "phone": "03-1234-5678",
        "hours": "平日 10:00〜17:00",
        "email": "chosa@kenpo.example.jp"
    });
    let change = save(&app, &session, &id, &late["version"], complete_together()).await;
    let submitting = submit(
        &app,
        &session,
        &id,
        json!({"version": late["version"], "documentsConfirmed": true}),
    )
    .await;
    for refused in [&change, &submitting] {
        assert_eq!(
            (refused.status, refused.code()),
            (409, "survey_closed"),
            "{:?}",
            refused.body
        );
        assert_eq!(refused.body["contact"], contact);
    }
    assert_eq!(read(&app, &session, &id).await["version"], late["version"]);

    // The union moves the opening ahead: not open yet.
    let opens = campaign::parse_opening("2036-08-01T09:00").unwrap();
    let settings = campaign_settings("2036年度 被扶養者資格調査", opens, day("2036-08-31"), day("2036-04-01"));
    campaign::put(app.store.as_ref(), &demo(), SURVEY_YEAR, settings)
        .await
        .unwrap();
    let upcoming = read(&app, &session, &id).await;
    assert_eq!(upcoming["editable"], false);
    assert_eq!(upcoming["campaign"]["state"], "upcoming");
    let change = save(&app, &session, &id, &late["version"], complete_together()).await;
    let submitting = submit(
        &app,
        &session,
        &id,
        json!({"version": late["version"], "documentsConfirmed": true}),
    )
    .await;
    for refused in [&change, &submitting] {
        assert_eq!(
            (refused.status, refused.code()),
            (409, "survey_not_open"),
            "{:?}",
            refused.body
        );
        assert!(refused.body.get("contact").is_none());
    }
    app.clock.advance(opens - closes);
    let session = login_again(&app, "taro_kenpo").await;
    assert_eq!(read(&app, &session, &id).await["editable"], true);
}

/// A union of its own for the pre-check: one insured person (`PRECHECK`) whose dependents are
/// born on the boundaries of the rules for a campaign of reference date 2036-04-01.
const PRECHECK_UNION: &str = "0555";
const PRECHECK: Person = Person {
    insurer: PRECHECK_UNION,
    symbol: "7",
    number: "70",
    birth_date: "1970/05/05",
    name_kana: "ヨシダ タロウ",
};

/// Puts a union with one insured person and `dependents` (CSV rows after the header), and a
/// campaign open now with reference date `reference`, published.
pub(crate) async fn union_with(app: &TestApp, person: &Person, dependent_rows: &str, reference: &str) {
    let store = app.store.as_ref();
    let code = InsurerCode::parse(person.insurer).unwrap();
    let today = kennin::clock::Clock::today_in_japan(app.clock.as_ref());
    roster::put_insurer(store, &code, "調査用健康保険組合", None)
        .await
        .unwrap();
    let roster_file = format!(
        "symbol,number,birth_date,name_kana,name\n{},{},{},{},吉田 太郎\n",
        person.symbol, person.number, person.birth_date, person.name_kana
    );
    let people = roster::parse(&roster_file, &code, SURVEY_YEAR, today).unwrap();
    roster::import(store, &code, SURVEY_YEAR, people, &mut |_| {})
        .await
        .unwrap();
    let dependents_file = format!(
        "symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n{dependent_rows}"
    );
    dependents::import(store, &code, SURVEY_YEAR, &dependents_file, today, &mut |_| {})
        .await
        .unwrap();
    put_campaign(app, &code, reference).await;
    campaign::publish(store, &code, SURVEY_YEAR, 0, &mut |_| {})
        .await
        .unwrap();
}

/// The union's campaign, open now until 2036-07-31, counting ages on `reference`.
async fn put_campaign(app: &TestApp, code: &InsurerCode, reference: &str) {
    let settings = campaign_settings(
        "調査",
        kennin::clock::Clock::unix(app.clock.as_ref()) - 60,
        day("2036-07-31"),
        day(reference),
    );
    campaign::put(app.store.as_ref(), code, SURVEY_YEAR, settings)
        .await
        .unwrap();
}

/// The rule, level and figures' limit of each check of a save of `answers`.
async fn checks_of(app: &TestApp, session: &str, id: &str, answers: Value) -> Vec<(String, String, Value)> {
    let saved = saved(app, session, id, answers).await;
    let read = read(app, session, id).await;
    assert_eq!(read["checks"], saved["checks"], "GET and PUT agree");
    found(&saved["checks"])
}

fn found(checks: &Value) -> Vec<(String, String, Value)> {
    checks
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            let message = check["message"].as_str().unwrap();
            assert!(!message.is_ascii(), "{message}");
            (
                check["rule"].as_str().unwrap().to_string(),
                check["level"].as_str().unwrap().to_string(),
                check["figures"]["limit"].clone(),
            )
        })
        .collect()
}

fn yearly(kind: &str, amount: i64) -> Value {
    json!({"incomes": [{"kind": kind, "amount": amount, "per": "year"}]})
}

fn daily(amount: i64) -> Value {
    json!({"incomes": [{"kind": "unemployment_benefit", "amount": amount, "per": "day"}]})
}

fn warning(rule: &str, limit: i64) -> Vec<(String, String, Value)> {
    vec![(rule.to_string(), "warning".to_string(), json!(limit))]
}

async fn the_pre_check_follows_the_rules_in_force_on_the_reference_date(engine: Engine) {
    let app = spawn_app(engine).await;
    // Ages on 2036-04-01, and for the 19–22 band on 2036-12-31.
    let rows = "7,70,1,ヨシダ ハナコ,吉田 花子,2002/09/12,女,配偶者,2020/01/01,同居\n\
        7,70,2,ヨシダ ジロウ,吉田 次郎,2016/06/15,男,子,2020/01/01,同居\n\
        7,70,3,ヨシダ ウメ,吉田 梅,1976/04/01,女,母,2020/01/01,別居\n\
        7,70,4,ヨシダ マツオ,吉田 松夫,1976/04/02,男,父,2020/01/01,同居\n\
        7,70,5,ヨシダ ゲンジ,吉田 源治,1961/04/01,男,祖父,2020/01/01,同居\n\
        7,70,6,ヨシダ トメ,吉田 トメ,1961/04/02,女,祖母,2020/01/01,同居\n\
        7,70,7,ヨシダ サブロウ,吉田 三郎,2017/12/31,男,子,2020/01/01,同居\n\
        7,70,8,ヨシダ シロウ,吉田 四郎,2018/01/01,男,子,2020/01/01,同居\n\
        7,70,9,ヨシダ ゴロウ,吉田 五郎,2013/12/31,男,子,2020/01/01,同居\n\
        7,70,10,ヨシダ ロクロウ,吉田 六郎,2014/01/01,男,子,2020/01/01,同居\n\
        7,70,11,ヨシダ アキ,吉田 亜紀,2017/12/31,女,配偶者,2020/01/01,同居\n";
    union_with(&app, &PRECHECK, rows, "2036-04-01").await;
    let session = app.at_home(&PRECHECK, "yoshida_taro", "yoshida@example.com").await;
    let id = |name: &'static str| {
        let (app, session) = (&app, &session);
        async move { target_id(app, session, name).await }
    };
    let none = Vec::<(String, String, Value)>::new();

    // 1,299,999 / 1,300,000 for a spouse of 34; the daily 3,611 / 3,612.
    let spouse = id("吉田 花子").await;
    assert_eq!(
        checks_of(&app, &session, &spouse, yearly("wages", 1_299_999)).await,
        none
    );
    assert_eq!(
        checks_of(&app, &session, &spouse, yearly("wages", 1_300_000)).await,
        warning("yearly_income", 1_300_000)
    );
    let at_limit = saved(&app, &session, &spouse, yearly("wages", 1_300_000)).await;
    assert_eq!(
        at_limit["checks"][0]["message"],
        "収入の基準：見込み年収 1,300,000円 ／ 基準 1,300,000円未満"
    );
    assert_eq!(checks_of(&app, &session, &spouse, daily(3_611)).await, none);
    assert_eq!(
        checks_of(&app, &session, &spouse, daily(3_612)).await,
        [
            ("yearly_income".to_string(), "warning".to_string(), json!(1_300_000)),
            ("daily_benefit".to_string(), "warning".to_string(), json!(3_612)),
        ],
        "3,612 a day for 360 days is 1,300,320 a year"
    );

    // 60 on the reference date: 1,800,000 for a pension; 59 the day after: 1,300,000.
    let mother = id("吉田 梅").await;
    let father = id("吉田 松夫").await;
    assert_eq!(
        checks_of(&app, &session, &mother, yearly("pension_old_age", 1_799_999)).await,
        none
    );
    assert_eq!(
        checks_of(&app, &session, &mother, yearly("pension_old_age", 1_800_000)).await,
        warning("yearly_income", 1_800_000)
    );
    assert_eq!(
        checks_of(&app, &session, &father, yearly("pension_old_age", 1_300_000)).await,
        warning("yearly_income", 1_300_000)
    );
    assert_eq!(checks_of(&app, &session, &mother, daily(4_999)).await, none);

    // 75 on the reference date cannot be a dependent; 74 can.
    let aged_75 = read(&app, &session, &id("吉田 源治").await).await;
    let late_elderly = [("late_elderly_age".to_string(), "ineligible".to_string(), json!(75))];
    assert_eq!(found(&aged_75["checks"]), late_elderly);
    assert_eq!(aged_75["checks"][0]["figures"]["age"], 75);
    assert_eq!(
        found(&read(&app, &session, &id("吉田 トメ").await).await["checks"]),
        none
    );

    // 19 to 22 on 2036-12-31, children only: 1,400,000 is within their 1,500,000.
    let in_band = yearly("wages", 1_400_000);
    for (name, expected) in [
        ("吉田 次郎", none.clone()),
        ("吉田 三郎", none.clone()),
        ("吉田 六郎", none.clone()),
        ("吉田 四郎", warning("yearly_income", 1_300_000)),
        ("吉田 五郎", warning("yearly_income", 1_300_000)),
        ("吉田 亜紀", warning("yearly_income", 1_300_000)),
    ] {
        let target = id(name).await;
        assert_eq!(
            checks_of(&app, &session, &target, in_band.clone()).await,
            expected,
            "{name}"
        );
    }
    let twenty = id("吉田 次郎").await;
    assert_eq!(
        checks_of(&app, &session, &twenty, yearly("wages", 1_500_000)).await,
        warning("yearly_income", 1_500_000)
    );
    assert_eq!(checks_of(&app, &session, &twenty, in_band.clone()).await, none);

    // The 19–22 band is in force from 2025-10-01: a campaign counting on the day before has no
    // band, one counting on that day has it. Only the data knows the date.
    let code = InsurerCode::parse(PRECHECK_UNION).unwrap();
    put_campaign(&app, &code, "2025-09-30").await;
    let before = read(&app, &session, &twenty).await;
    assert_eq!(found(&before["checks"]), warning("yearly_income", 1_300_000));
    put_campaign(&app, &code, "2025-10-01").await;
    assert_eq!(found(&read(&app, &session, &twenty).await["checks"]), none);
}

/// The kinds of the documents a save of `answers` requires; each says why, and warns of the
/// My Number.
async fn documents_of(app: &TestApp, session: &str, id: &str, answers: Value) -> Vec<String> {
    let saved = saved(app, session, id, answers).await;
    assert_eq!(
        read(app, session, id).await["requiredDocuments"],
        saved["requiredDocuments"]
    );
    kinds(&saved["requiredDocuments"])
}

fn kinds(documents: &Value) -> Vec<String> {
    documents
        .as_array()
        .unwrap()
        .iter()
        .map(|document| {
            for part in ["label", "reason", "note"] {
                assert!(!document[part].as_str().unwrap().is_empty(), "{document}");
            }
            assert!(
                document["note"].as_str().unwrap().contains("マイナンバー"),
                "{document}"
            );
            document["kind"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn the_documents_follow_the_answers_and_a_unions_own_table(engine: Engine) {
    let app = spawn_app(engine).await;
    union_with(
        &app,
        &PRECHECK,
        "7,70,1,ヨシダ ハナコ,吉田 花子,2002/09/12,女,配偶者,2020/01/01,同居\n",
        "2036-04-01",
    )
    .await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 和子").await;
    let income =
        |kind: &str, amount: i64, per: &str| json!({"incomes": [{"kind": kind, "amount": amount, "per": per}]});
    let apart = |monthly: Value| json!({"living": "apart", "remittance": {"monthlyAmount": monthly}});
    let abroad = |exception: &str| json!({"residence": "abroad", "abroadException": exception});
    // (answers, the document they add to the income certificate every target sends)
    let situations = [
        (json!({}), None),
        (json!({"occupation": "student"}), Some("student_certificate")),
        (income("wages", 80_000, "month"), Some("pay_slips")),
        (income("bonus", 100_000, "year"), Some("pay_slips")),
        (income("wages", 0, "month"), None),
        (income("pension_old_age", 1_000_000, "year"), Some("pension_notice")),
        (income("pension_disability", 50_000, "month"), Some("pension_notice")),
        (
            income("unemployment_benefit", 4_000, "day"),
            Some("unemployment_benefit_certificate"),
        ),
        (income("sickness_benefit", 4_000, "day"), None),
        (income("business", 30_000, "month"), Some("tax_return")),
        (income("real_estate", 30_000, "month"), Some("tax_return")),
        (income("agriculture", 300_000, "year"), Some("tax_return")),
        (apart(json!(50_000)), Some("remittance_proof")),
        (apart(json!(0)), None),
        (
            json!({"living": "together", "remittance": {"monthlyAmount": 50_000}}),
            None,
        ),
        (abroad("student"), Some("abroad_exception_proof")),
        (abroad("accompanying"), Some("abroad_exception_proof")),
        (abroad("none"), None),
    ];
    for (answers, added) in situations {
        let mut expected = vec!["income_certificate".to_string()];
        expected.extend(added.map(str::to_string));
        assert_eq!(
            documents_of(&app, &session, &id, answers.clone()).await,
            expected,
            "{answers}"
        );
    }
    let everything = json!({
        "living": "apart",
        "apartReason": "school",
        "occupation": "student",
        "incomes": [
            {"kind": "wages", "amount": 50_000, "per": "month"},
            {"kind": "pension_survivor", "amount": 10_000, "per": "month"},
            {"kind": "unemployment_benefit", "amount": 3_000, "per": "day"},
            {"kind": "business", "amount": 10_000, "per": "month"}
        ],
        "remittance": {"monthlyAmount": 100_000, "method": "bank_transfer", "since": "2035-04"},
        "residence": "abroad",
        "abroadException": "student"
    });
    assert_eq!(
        documents_of(&app, &session, &id, everything.clone()).await,
        [
            "income_certificate",
            "student_certificate",
            "pay_slips",
            "pension_notice",
            "unemployment_benefit_certificate",
            "tax_return",
            "remittance_proof",
            "abroad_exception_proof",
        ]
    );

    // The demo union's own table replaces the default for its forms only.
    let own = DocumentTable::from_json(
        r#"{
            "note": "マイナンバーは黒く塗りつぶしてください。",
            "documents": [
                {"kind": "student_id", "label": "学生証の写し", "when": "student", "reason": "学生のため。"},
                {"kind": "pay_slips", "label": "給与明細（直近6か月）", "when": "wages", "reason": "給与があるため。"}
            ]
        }"#,
    )
    .unwrap();
    let now = kennin::clock::Clock::unix(app.clock.as_ref());
    kennin::union_documents::set(app.store.as_ref(), &demo(), own, now)
        .await
        .unwrap();
    let with_own = read(&app, &session, &id).await;
    assert_eq!(kinds(&with_own["requiredDocuments"]), ["student_id", "pay_slips"]);
    assert_eq!(
        with_own["requiredDocuments"][1],
        json!({
            "kind": "pay_slips",
            "label": "給与明細（直近6か月）",
            "reason": "給与があるため。",
            "note": "マイナンバーは黒く塗りつぶしてください。"
        })
    );
    assert_eq!(documents_of(&app, &session, &id, json!({})).await, Vec::<String>::new());
    let other = app.at_home(&PRECHECK, "yoshida_taro", "yoshida@example.com").await;
    let theirs = target_id(&app, &other, "吉田 花子").await;
    assert_eq!(
        documents_of(&app, &other, &theirs, everything).await,
        [
            "income_certificate",
            "student_certificate",
            "pay_slips",
            "pension_notice",
            "unemployment_benefit_certificate",
            "tax_return",
            "remittance_proof",
            "abroad_exception_proof",
        ],
        "another union keeps the default"
    );
    kennin::union_documents::reset(app.store.as_ref(), &demo())
        .await
        .unwrap();
    assert_eq!(
        kinds(&read(&app, &session, &id).await["requiredDocuments"]),
        ["income_certificate"]
    );
}

/// The same card, birth date and name as the demo person, in another union.
pub(crate) const OTHER: Person = Person {
    insurer: PRECHECK_UNION,
    symbol: "1001",
    number: "1",
    birth_date: "1990/01/01",
    name_kana: "ケンポ タロウ",
};

async fn another_persons_or_unions_target_is_not_found_on_every_route(engine: Engine) {
    let app = spawn_app(engine).await;
    union_with(
        &app,
        &OTHER,
        "1001,1,1,ケンポ ハナコ,健保 花子,1991/01/01,女,配偶者,2015/01/01,同居\n",
        "2036-04-01",
    )
    .await;
    let taro = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let hanako = app.at_home(&HANAKO, "hanako_sakura", "hanako@example.com").await;
    let other = app.at_home(&OTHER, "taro_other", "taro@example.org").await;
    let taros = target_id(&app, &taro, "健保 花子").await;
    let others = target_id(&app, &other, "健保 花子").await;
    assert_ne!(taros, others);
    let taros_draft = saved(&app, &taro, &taros, json!({"living": "together"})).await;
    let others_draft = saved(&app, &other, &others, complete_together()).await;

    // What every route answers for an id that names nothing: the body to match.
    let unknown = "0".repeat(2 * campaign::TARGET_ID_BYTES);
    let routes = |id: &str, version: &Value| {
        [
            ("GET", form_path(id), None),
            (
                "PUT",
                format!("{}/answers", form_path(id)),
                Some(json!({"version": version, "answers": complete_together()})),
            ),
            (
                "POST",
                format!("{}/submit", form_path(id)),
                Some(json!({"version": version, "documentsConfirmed": true})),
            ),
        ]
    };
    let mut not_found = Vec::new();
    for (method, path, body) in routes(&unknown, &json!(1)) {
        let reply = app.send(method, &path, body, Some(&taro)).await;
        assert_eq!((reply.status, reply.code()), (404, "not_found"), "{method} {path}");
        not_found.push(without_request_id(&reply.body));
    }
    let malformed = [
        unknown[1..].to_string(),
        format!("{unknown}0"),
        taros.to_uppercase(),
        "g".repeat(2 * campaign::TARGET_ID_BYTES),
        "%E5%81%A5".to_string(),
    ];
    let attempts = [
        (&taro, others.as_str(), &others_draft["version"]),
        (&hanako, taros.as_str(), &taros_draft["version"]),
        (&hanako, others.as_str(), &others_draft["version"]),
        (&other, taros.as_str(), &taros_draft["version"]),
    ];
    let malformed_attempts = malformed.iter().map(|id| (&taro, id.as_str(), &taros_draft["version"]));
    for (session, id, version) in attempts.into_iter().chain(malformed_attempts) {
        for ((method, path, body), expected) in routes(id, version).into_iter().zip(&not_found) {
            let reply = app.send(method, &path, body, Some(session)).await;
            assert_eq!(reply.status, 404, "{method} {path}: {:?}", reply.body);
            assert_eq!(&without_request_id(&reply.body), expected, "{method} {path}");
        }
    }
    let taros_now = read(&app, &taro, &taros).await;
    assert_eq!(
        (&taros_now["version"], &taros_now["answers"], &taros_now["status"]),
        (&taros_draft["version"], &taros_draft["answers"], &json!("in_progress"))
    );
    let others_now = read(&app, &other, &others).await;
    assert_eq!(
        (&others_now["version"], &others_now["status"]),
        (&others_draft["version"], &json!("in_progress"))
    );
    assert!(events(&app, &OTHER, &others).await.is_empty());
}

async fn a_republish_keeps_the_answers_and_a_dependent_who_left_is_not_found(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let staying = target_id(&app, &session, "健保 花子").await;
    let leaving = target_id(&app, &session, "健保 和子").await;
    let kept = saved(&app, &session, &staying, complete_together()).await;
    let left = saved(&app, &session, &leaving, json!({"living": "apart"})).await;

    // The union's next file no longer lists 和子; publishing again marks her target.
    let store = app.store.as_ref();
    let today = kennin::clock::Clock::today_in_japan(app.clock.as_ref());
    let file: String = kennin_local::demo_survey::demo_dependents_csv(today)
        .lines()
        .filter(|line| !line.contains("健保 和子"))
        .map(|line| format!("{line}\n"))
        .collect();
    dependents::import(store, &demo(), SURVEY_YEAR, &file, today, &mut |_| {})
        .await
        .unwrap();
    let now = kennin::clock::Clock::unix(app.clock.as_ref());
    let published = campaign::publish(store, &demo(), SURVEY_YEAR, now, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(published.marked_left, 1);

    let staying_now = read(&app, &session, &staying).await;
    assert_eq!(
        (&staying_now["version"], &staying_now["answers"], &staying_now["status"]),
        (&kept["version"], &kept["answers"], &json!("in_progress"))
    );
    let names: Vec<String> = targets(&app, &session).await.into_iter().map(|t| t.0).collect();
    assert_eq!(names, ["健保 花子", "健保 一郎"]);
    let unknown = "0".repeat(2 * campaign::TARGET_ID_BYTES);
    for id in [&leaving, &unknown] {
        let replies = [
            app.get(&form_path(id), Some(&session)).await,
            save(&app, &session, id, &left["version"], json!({"living": "together"})).await,
            submit(
                &app,
                &session,
                id,
                json!({"version": left["version"], "documentsConfirmed": true}),
            )
            .await,
        ];
        for reply in replies {
            assert_eq!((reply.status, reply.code()), (404, "not_found"), "{:?}", reply.body);
        }
    }
}

async fn the_form_needs_a_session_and_the_first_login_finished(engine: Engine) {
    let app = spawn_app(engine).await;
    let taro = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &taro, "健保 花子").await;
    let early = app.logged_in(&HANAKO, "hanako_sakura", "hanako@example.com").await;
    let requests = [
        ("GET", form_path(&id), None),
        (
            "PUT",
            format!("{}/answers", form_path(&id)),
            Some(json!({"version": 0, "answers": {"living": "apart"}})),
        ),
        (
            "POST",
            format!("{}/submit", form_path(&id)),
            Some(json!({"version": 0, "documentsConfirmed": true})),
        ),
    ];
    for (method, path, body) in requests {
        let anonymous = app.send(method, &path, body.clone(), None).await;
        assert_eq!(anonymous.status, 401, "{method} {path}: {:?}", anonymous.body);
        let before_home = app.send(method, &path, body, Some(&early)).await;
        assert_eq!(
            (before_home.status, before_home.code()),
            (403, "step_required"),
            "{method} {path}"
        );
    }
    let untouched = read(&app, &taro, &id).await;
    assert_eq!((&untouched["version"], &untouched["answers"]), (&json!(0), &json!({})));
}

on_both_engines!(
    every_answer_rule_takes_a_good_value_and_refuses_a_bad_one_changing_nothing,
    a_draft_survives_reloads_and_two_tabs_never_overwrite_each_other,
    answers_are_submitted_once_and_then_locked,
    twenty_submits_at_once_make_exactly_one,
    a_closed_or_upcoming_survey_shows_the_form_and_takes_no_change,
    the_pre_check_follows_the_rules_in_force_on_the_reference_date,
    the_documents_follow_the_answers_and_a_unions_own_table,
    another_persons_or_unions_target_is_not_found_on_every_route,
    a_republish_keeps_the_answers_and_a_dependent_who_left_is_not_found,
    the_form_needs_a_session_and_the_first_login_finished,
);
