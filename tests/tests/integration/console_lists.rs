//! The staff console's progress (GET /api/admin/campaign) and lists (GET /api/admin/targets), on
//! both engines: counts by status, registrations, offices and days kept by the writes they
//! count; every filter served by its list, paging without a duplicate or a gap, the card and
//! kana searches in either width, the refusals, and who may read them.

use crate::survey_form::{complete_together, saved, submit, target_id};
use kennin::domain::{
    BirthDate, CardNumber, CardSymbol, Day, DependentNo, InsurerCode, KanaName, Living, OfficeCode, Permission,
    Relationship, Sex, StaffRole, TargetStatus,
};
use kennin::store::records::{
    AuditEntry, AuditSubject, DocumentStatus, RecordedDependent, Target, TargetDocument, from_item, to_item,
};
use kennin::store::{ItemStore as _, Write};
use kennin_tests::{Engine, START, SURVEY_YEAR, TARO, TestApp, on_both_engines, spawn_app};
use serde_json::{Value, json};
use std::collections::HashSet;

fn demo() -> InsurerCode {
    InsurerCode::parse("0904").unwrap()
}

/// A target of the demo campaign, written straight to the store as the person's and the
/// union's routes would leave it.
struct Seed {
    card: (&'static str, &'static str),
    no: u32,
    kana: &'static str,
    status: TargetStatus,
    office: Option<&'static str>,
    /// Seconds after `START` of the submission (or the last change, before one).
    at: i64,
    born: &'static str,
    answers: Value,
}

impl Seed {
    fn id(&self) -> String {
        format!("{:032x}", 0xa000 + self.no)
    }

    fn reference(&self) -> String {
        format!("{}-{}-{}", self.card.0, self.card.1, self.id())
    }

    fn target(&self) -> Target {
        let today = time::macros::date!(2036 - 06 - 01);
        let submitted = matches!(
            self.status,
            TargetStatus::Submitted | TargetStatus::Returned | TargetStatus::Confirmed
        );
        Target {
            id: self.id(),
            insurer: demo(),
            year: SURVEY_YEAR,
            symbol: CardSymbol::parse(self.card.0).unwrap(),
            number: CardNumber::parse(self.card.1).unwrap(),
            recorded: RecordedDependent {
                dependent_no: DependentNo::parse(&self.no.to_string()).unwrap(),
                name: format!("検証 {}", self.no),
                name_kana: KanaName::parse(self.kana).unwrap(),
                birth_date: BirthDate::parse(self.born, today).unwrap(),
                sex: Sex::Female,
                relationship: Relationship::parse("子").unwrap(),
                certified_on: Day::from(time::macros::date!(2020 - 04 - 01)),
                living: Living::Together,
            },
            status: self.status,
            version: 2,
            created_at: START,
            updated_at: START + self.at + 5,
            left_roster: false,
            office: self.office.map(|office| OfficeCode::parse(office).unwrap()),
            status_list: String::new(),
            status_order: String::new(),
            office_list: None,
            office_order: None,
            kana_list: String::new(),
            kana_order: String::new(),
            answers: serde_json::from_value(self.answers.clone()).ok(),
            submitted_at: submitted.then_some(START + self.at),
            return_reason: None,
            decision: None,
        }
        .listed()
    }
}

fn seeds() -> Vec<Seed> {
    let seed = |card, no, kana, status, office, at, answers: Value| Seed {
        card,
        no,
        kana,
        status,
        office,
        at,
        born: "2000/01/01",
        answers,
    };
    use TargetStatus::*;
    let over_the_limit = json!({"incomes": [{"kind": "wages", "amount": 2_000_000, "per": "month"}]});
    vec![
        // Two dependents of one card, for the card search.
        seed(
            ("3003", "1"),
            1,
            "アオキ ハルカ",
            Submitted,
            Some("A-1"),
            100,
            json!({}),
        ),
        seed(
            ("3003", "1"),
            2,
            "アオキ ミキ",
            Submitted,
            Some("A-1"),
            300,
            over_the_limit,
        ),
        seed(("3003", "3"), 3, "イトウ ケン", Returned, Some("A-1"), 200, json!({})),
        seed(("3003", "4"), 4, "ウエダ サキ", Confirmed, Some("A-1"), 50, json!({})),
        seed(("3003", "5"), 5, "エンドウ ユウ", NotStarted, Some("A-1"), 0, json!({})),
        Seed {
            born: "1950/01/01",
            ..seed(("3003", "6"), 6, "オオタ リク", Submitted, Some("B-2"), 400, json!({}))
        },
        seed(("3003", "7"), 7, "カトウ ミオ", InProgress, Some("B-2"), 60, json!({})),
        seed(("3003", "8"), 8, "キムラ ソラ", NotStarted, Some("B-2"), 0, json!({})),
        seed(("3003", "9"), 9, "クボタ アイ", Submitted, None, 250, json!({})),
        seed(("3003", "10"), 10, "ケンモチ イチ", NotStarted, None, 0, json!({})),
        seed(("3003", "11"), 11, "ケンモチ ニ", NotStarted, None, 0, json!({})),
        seed(("3003", "12"), 12, "ケンモチ サン", NotStarted, None, 0, json!({})),
    ]
}

/// Writes the seeds, and an accepted 課税証明書 for クボタ アイ (no document is missing).
async fn seed_targets(app: &TestApp) -> Vec<Seed> {
    let seeds = seeds();
    for seed in &seeds {
        let target = seed.target();
        let mut writes = vec![Write::put(target.own_key(), to_item(&target, None))];
        if seed.no == 9 {
            let document = TargetDocument {
                id: "d".repeat(32),
                target_id: target.id.clone(),
                kind: "income_certificate".into(),
                file_name: "課税証明書.pdf".into(),
                content_type: "application/pdf".into(),
                size: 1_000,
                status: DocumentStatus::Accepted,
                created_at: START,
                uploaded_at: Some(START),
                refusal: None,
            };
            writes.push(Write::put(
                TargetDocument::key(&target, &document.id),
                to_item(&document, None),
            ));
        }
        app.store.transact(writes).await.unwrap();
    }
    seeds
}

fn refs(list: &Value) -> Vec<String> {
    list["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets in {list}"))
        .iter()
        .map(|row| row["ref"].as_str().unwrap().to_string())
        .collect()
}

fn of(seeds: &[Seed], numbers: &[u32]) -> Vec<String> {
    numbers
        .iter()
        .map(|no| seeds.iter().find(|s| s.no == *no).unwrap().reference())
        .collect()
}

async fn list(app: &TestApp, cookie: &str, query: &str) -> Value {
    let reply = app.get(&format!("/api/admin/targets?{query}"), Some(cookie)).await;
    assert_eq!(reply.status, 200, "{query}: {:?}", reply.body);
    reply.body
}

/// Every page of a list, following its cursor: the refs in order.
async fn every_page(app: &TestApp, cookie: &str, query: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let page_query = match &cursor {
            Some(cursor) => format!("{query}&cursor={cursor}"),
            None => query.to_string(),
        };
        let page = list(app, cookie, &page_query).await;
        all.extend(refs(&page));
        match page["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return all,
        }
    }
    panic!("{query}: a cursor that never ends");
}

fn status_count(progress: &Value, status: &str) -> u64 {
    progress["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == status)
        .unwrap_or_else(|| panic!("no {status} in {progress}"))["count"]
        .as_u64()
        .unwrap()
}

async fn progress(app: &TestApp, cookie: &str) -> Value {
    let reply = app.get("/api/admin/campaign", Some(cookie)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

async fn progress_follows_registrations_submissions_and_statuses(engine: Engine) {
    let app = spawn_app(engine).await;
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let before = progress(&app, &viewer).await;
    assert_eq!(before["year"], SURVEY_YEAR);
    assert_eq!(before["campaign"]["dueDate"], "2036-07-01");
    assert_eq!(before["campaign"]["state"], "open");
    assert_eq!(before["daysLeft"], 30);
    let demo_targets = before["total"].as_u64().unwrap();
    assert!(demo_targets > 0);
    assert_eq!(status_count(&before, "not_started"), demo_targets);
    assert_eq!(before["byStatus"].as_array().unwrap().len(), 5);
    assert_eq!(before["byStatus"][0]["statusLabel"], "未回答");
    assert_eq!(before["registration"]["registered"], 0);
    let roster_persons = before["registration"]["rosterPersons"].as_i64().unwrap();
    assert!(roster_persons >= 2, "the demo roster: {before}");
    assert_eq!(before["responsesPerDay"], json!([]));
    // The demo campaign reminds 14, 7, 3, 1 and 0 days before its due day, at 09:00 in Japan.
    assert_eq!(
        before["nextReminder"],
        json!({"at": "2036-06-17T00:00:00Z", "label": "回答期限の14日前", "openTargets": demo_targets})
    );

    // The demo person registers, answers and submits one of their dependents.
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    let version = saved(&app, &session, &id, complete_together()).await["version"].clone();
    let submitted = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);
    // A day later (in Japan), another dependent's submission, in a new session.
    app.clock.advance(24 * 60 * 60);
    let login = app.login("taro_kenpo", kennin_tests::PASSWORD).await;
    let session = login.cookie(kennin::http::SESSION_COOKIE).expect("session cookie");
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let id = target_id(&app, &session, "健保 一郎").await;
    let version = saved(&app, &session, &id, complete_together()).await["version"].clone();
    let submitted = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);

    let after = progress(&app, &viewer).await;
    assert_eq!(after["registration"]["registered"], 1);
    assert_eq!(after["registration"]["rosterPersons"], roster_persons);
    assert_eq!(status_count(&after, "submitted"), 2);
    assert_eq!(status_count(&after, "not_started"), demo_targets - 2);
    assert_eq!(after["total"], demo_targets);
    assert_eq!(after["daysLeft"], 29);
    assert_eq!(
        after["responsesPerDay"],
        json!([{"day": "2036-06-01", "submitted": 1}, {"day": "2036-06-02", "submitted": 1}])
    );

    // Targets of other statuses and offices count where they belong.
    seed_targets(&app).await;
    let seeded = progress(&app, &viewer).await;
    assert_eq!(seeded["total"], demo_targets + 12);
    assert_eq!(status_count(&seeded, "submitted"), 2 + 4);
    assert_eq!(status_count(&seeded, "returned"), 1);
    assert_eq!(status_count(&seeded, "confirmed"), 1);
    assert_eq!(status_count(&seeded, "in_progress"), 1);
    let sum: u64 = seeded["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(seeded["total"], sum);
}

async fn offices_count_their_targets_and_first_submissions(engine: Engine) {
    use kennin::campaign;
    let app = spawn_app(engine).await;
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    // The demo roster, imported again with offices, then the campaign published again.
    let store = app.store.as_ref();
    let partition = kennin::store::records::RosterPerson::partition(&demo(), SURVEY_YEAR);
    let mut people = Vec::new();
    for item in store.query(&partition, "CARD#").await.unwrap() {
        if let kennin::store::records::RosterEntry::Person(person) =
            kennin::store::records::RosterEntry::from_item(item).unwrap()
        {
            let office = if person.symbol.as_str() == "1001" { "A-1" } else { "B-2" };
            people.push(kennin::store::records::RosterPerson {
                office: Some(OfficeCode::parse(office).unwrap()),
                ..person
            });
        }
    }
    let persons = people.len();
    kennin::roster::import(store, &demo(), SURVEY_YEAR, people, &mut |_| {})
        .await
        .unwrap();
    campaign::publish(store, &demo(), SURVEY_YEAR, START, &mut |_| {})
        .await
        .unwrap();
    // Targets published before the office was known keep none; new ones get it. The counts are
    // what publishing selected, by the roster's offices.
    let published = progress(&app, &viewer).await;
    assert_eq!(published["registration"]["rosterPersons"], persons);
    let office = |progress: &Value, code: &str| {
        progress["byOffice"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["office"] == code)
            .unwrap_or_else(|| panic!("no office {code} in {progress}"))
            .clone()
    };
    assert_eq!(
        office(&published, "A-1"),
        json!({"office": "A-1", "targets": 3, "answered": 0}),
        "健保太郎's three dependents of 18 or over"
    );
    let again = {
        campaign::publish(store, &demo(), SURVEY_YEAR, START, &mut |_| {})
            .await
            .unwrap();
        progress(&app, &viewer).await
    };
    assert_eq!(
        again["byOffice"], published["byOffice"],
        "a second publish counts the same"
    );

    // The targets published before the office was known, given it as a fresh publish would.
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let id = target_id(&app, &session, "健保 花子").await;
    let key = Target::key(
        &demo(),
        SURVEY_YEAR,
        &CardSymbol::parse("1001").unwrap(),
        &CardNumber::parse("1").unwrap(),
        &id,
    );
    let target: Target = from_item(store.get(&key).await.unwrap().unwrap()).unwrap();
    let placed = Target {
        office: Some(OfficeCode::parse("A-1").unwrap()),
        ..target
    }
    .listed();
    store
        .transact(vec![Write::put(key.clone(), to_item(&placed, None))])
        .await
        .unwrap();
    let version = saved(&app, &session, &id, complete_together()).await["version"].clone();
    let submitted = submit(
        &app,
        &session,
        &id,
        json!({"version": version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(submitted.status, 200, "{:?}", submitted.body);
    let answered = progress(&app, &viewer).await;
    assert_eq!(office(&answered, "A-1")["answered"], 1);
    let by_office = list(&app, &viewer, "office=A-1").await;
    assert_eq!(by_office["targets"][0]["name"], "健保 花子");

    // A resubmission after a return counts on its day, not again for the office.
    let target: Target = from_item(store.get(&key).await.unwrap().unwrap()).unwrap();
    let returned = Target {
        status: TargetStatus::Returned,
        version: target.version + 1,
        ..target
    }
    .listed();
    store
        .transact(vec![Write::put(key, to_item(&returned, None))])
        .await
        .unwrap();
    let resubmitted = submit(
        &app,
        &session,
        &id,
        json!({"version": returned.version, "documentsConfirmed": true}),
    )
    .await;
    assert_eq!(resubmitted.status, 200, "{:?}", resubmitted.body);
    let after = progress(&app, &viewer).await;
    assert_eq!(office(&after, "A-1")["answered"], 1);
    assert_eq!(after["responsesPerDay"], json!([{"day": "2036-06-01", "submitted": 2}]));
}

async fn every_filter_is_served_and_pages_follow_their_cursor(engine: Engine) {
    let app = spawn_app(engine).await;
    let (reviewer, _) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let seeds = seed_targets(&app).await;

    // Submitted, newest submission first; the row as the console shows it.
    let submitted = list(&app, &reviewer, "status=submitted").await;
    assert_eq!(refs(&submitted), of(&seeds, &[6, 2, 9, 1]));
    assert!(submitted["cursor"].is_null());
    let row = &submitted["targets"][1];
    assert_eq!(row["name"], "検証 2");
    assert_eq!(row["nameKana"], "アオキミキ");
    assert_eq!(row["relationship"], "子");
    assert_eq!(row["birthDate"], "2000-01-01");
    assert_eq!(
        (&row["status"], &row["statusLabel"]),
        (&json!("submitted"), &json!("提出済み"))
    );
    assert_eq!(row["office"], "A-1");
    assert_eq!(row["submittedAt"], "2036-06-01T00:05:00Z");
    assert_eq!(row["checks"]["result"], "warning");
    assert_eq!(row["missingDocuments"], true);
    assert_eq!(submitted["targets"][0]["checks"]["result"], "ineligible");
    assert_eq!(submitted["targets"][2]["missingDocuments"], false);

    for (query, expected) in [
        ("status=returned", vec![3]),
        ("status=confirmed", vec![4]),
        ("status=in_progress", vec![7]),
        ("office=A-1&status=submitted", vec![2, 1]),
        ("office=B-2&status=not_started", vec![8]),
        ("status=submitted&check=ineligible", vec![6]),
        ("check=warning", vec![2]),
        ("missingDocuments=false", vec![9]),
        ("status=submitted&missingDocuments=true", vec![6, 2, 1]),
        ("q=3003-1", vec![1, 2]),
        ("q=%EF%BC%93%EF%BC%90%EF%BC%90%EF%BC%93%EF%BC%8D%EF%BC%91", vec![1, 2]),
        ("q=3003-1&status=submitted&check=warning", vec![2]),
        ("q=%EF%BD%B1%EF%BD%B5%EF%BD%B7", vec![1, 2]),
        ("q=%E3%81%82%E3%81%8A%E3%81%8D", vec![1, 2]),
        ("q=%E3%82%A2%E3%82%AA%E3%82%AD%20%E3%83%9F", vec![2]),
        (
            "q=%E3%82%B1%E3%83%B3%E3%83%A2%E3%83%81&status=not_started",
            vec![10, 12, 11],
        ),
    ] {
        let found = list(&app, &reviewer, query).await;
        assert_eq!(refs(&found), of(&seeds, &expected), "{query}");
    }
    let mut office = refs(&list(&app, &reviewer, "office=A-1").await);
    office.sort();
    let mut expected = of(&seeds, &[1, 2, 3, 4, 5]);
    expected.sort();
    assert_eq!(office, expected);

    // Nothing found: an empty page and no cursor.
    for query in ["q=3003-99", "status=submitted&office=Z-9", "q=%E3%83%B2"] {
        let empty = list(&app, &reviewer, query).await;
        assert_eq!(empty["targets"], json!([]), "{query}");
        assert!(empty["cursor"].is_null(), "{query}");
    }

    // Paging: every list read page by page finds what one big page finds, in the same order.
    for (filter, limit) in [
        ("", 3),
        ("status=not_started", 2),
        ("office=A-1", 2),
        ("q=%E3%82%B1", 1),
        ("q=3003-1", 1),
        ("check=clear", 4),
    ] {
        let query = format!("{filter}&limit={limit}");
        let paged = every_page(&app, &reviewer, &query).await;
        let whole = refs(&list(&app, &reviewer, &format!("{filter}&limit=100")).await);
        assert_eq!(paged, whole, "{query}");
        let unique: HashSet<&String> = paged.iter().collect();
        assert_eq!(unique.len(), paged.len(), "{query}: no row twice");
    }
    // With no filter: submitted newest first, then returned, confirmed, in progress, not started;
    // every target of the campaign once.
    let everything = every_page(&app, &reviewer, "limit=4").await;
    let total = progress(&app, &reviewer).await["total"].as_u64().unwrap();
    assert_eq!(everything.len() as u64, total);
    assert_eq!(everything[..6], of(&seeds, &[6, 2, 9, 1, 3, 4])[..]);
    assert_eq!(everything[6], of(&seeds, &[7])[0]);
}

fn fields(reply: &kennin_tests::Reply) -> Vec<String> {
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    reply.body["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("no fields in {:?}", reply.body))
        .keys()
        .cloned()
        .collect()
}

async fn bad_parameters_are_refused_with_japanese_messages(engine: Engine) {
    let app = spawn_app(engine).await;
    let (viewer, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let submitted_page = list(&app, &viewer, "status=not_started&limit=1").await;
    let other_lists_cursor = submitted_page["cursor"].as_str().unwrap().to_string();
    for (query, field) in [
        ("status=done", "status"),
        ("status=%E6%8F%90%E5%87%BA%E6%B8%88%E3%81%BF", "status"),
        ("check=bad", "check"),
        ("missingDocuments=yes", "missingDocuments"),
        ("q=abc", "q"),
        ("q=1001-", "q"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("cursor=zz", "cursor"),
        ("cursor=5b392c6e756c6c5d", "cursor"),
        ("office=A_1", "office"),
        ("sort=name", "sort"),
    ] {
        let refused = app.get(&format!("/api/admin/targets?{query}"), Some(&viewer)).await;
        assert_eq!(fields(&refused), [field], "{query}");
        let message = refused.body["fields"][field].as_str().unwrap();
        assert!(!message.is_ascii(), "{query}: {message}");
    }
    let refused = app
        .get(
            &format!("/api/admin/targets?status=returned&cursor={other_lists_cursor}"),
            Some(&viewer),
        )
        .await;
    assert_eq!(fields(&refused), ["cursor"]);
}

async fn lists_need_a_staff_session_and_the_permission_and_are_audited_without_values(engine: Engine) {
    let app = spawn_app(engine).await;
    let person = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    for path in ["/api/admin/campaign", "/api/admin/targets"] {
        assert_eq!(app.get(path, None).await.status, 401, "{path}");
        let refused = app.get(path, Some(&person)).await;
        assert_eq!((refused.status, refused.code()), (401, "not_authenticated"), "{path}");
        // The call center reads the progress (the persons to phone), not the lists.
        let permission = match path {
            "/api/admin/campaign" => Permission::ViewProgress,
            _ => Permission::ViewTargets,
        };
        for role in StaffRole::ALL {
            let (cookie, _) = app.staff_signed_in("0904", role).await;
            let reply = app.get(path, Some(&cookie)).await;
            if role.allows(permission) {
                assert_eq!(reply.status, 200, "{path} {role:?}");
            } else {
                assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{path} {role:?}");
            }
        }
        assert!(!StaffRole::Callcenter.allows(Permission::ViewTargets));
    }

    // Each list read is one entry naming the filters, never the searched value.
    let (viewer, staff) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    list(&app, &viewer, "status=submitted&q=%EF%BD%B9%EF%BE%9D%EF%BE%8E%EF%BE%9F").await;
    app.clock.advance(1);
    list(&app, &viewer, "q=1001-1&limit=10").await;
    app.clock.advance(1);
    app.get("/api/admin/campaign", Some(&viewer)).await;
    let partition = AuditEntry::partition(&demo(), &AuditEntry::month_of(START));
    let entries: Vec<AuditEntry> = app
        .store
        .query(&partition, "")
        .await
        .unwrap()
        .into_iter()
        .map(|item| from_item(item).unwrap())
        .filter(|entry: &AuditEntry| entry.staff_id == staff.id)
        .collect();
    let seen: Vec<Option<AuditSubject>> = entries.iter().map(|entry| entry.subject.clone()).collect();
    assert_eq!(
        seen,
        [
            Some(AuditSubject::Query {
                what: "status,q".into()
            }),
            Some(AuditSubject::Query { what: "q".into() }),
        ],
        "the progress page is counts only: not audited"
    );
    assert!(
        entries
            .iter()
            .all(|entry| entry.action == kennin::store::records::AuditAction::ViewedTargets)
    );
}

on_both_engines!(
    progress_follows_registrations_submissions_and_statuses,
    offices_count_their_targets_and_first_submissions,
    every_filter_is_served_and_pages_follow_their_cursor,
    bad_parameters_are_refused_with_japanese_messages,
    lists_need_a_staff_session_and_the_permission_and_are_audited_without_values,
);
