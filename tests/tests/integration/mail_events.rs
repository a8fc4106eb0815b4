//! Bounces and complaints (issue 17) on both engines: SES's notification, as SNS delivers it to
//! the mail-events function, suppresses the address and lists its person; `is_suppressed` says
//! so, GET /api/me tells the person, the console's progress lists them for their own union only
//! (audited), and changing the address lifts both. A transient bounce changes nothing; what
//! cannot be read is acknowledged. `kennin-admin mail bounce` simulates one on the embedded
//! engine. The SES v2 request of a mail for an account carries the `account` tag.

use axum::extract::State;
use kennin::clock::Clock as _;
use kennin::domain::{Email, InsurerCode, StaffRole};
use kennin::mail::Mailer as _;
use kennin::mail::ses::SesMailer;
use kennin::mail::templates;
use kennin::store::ItemStore;
use kennin::store::records::{AuditAction, AuditSubject, RosterPerson, SuppressionKind, from_item};
use kennin::suppression::{self, is_suppressed};
use kennin_mail_events::Report;
use kennin_tests::capture::{self, Kind};
use kennin_tests::mail_events::{bounce, complaint, permanent_bounce, sns_event, sns_record};
use kennin_tests::{
    Engine, OTHER, PASSWORD, Person, SURVEY_YEAR, TARO, TestApp, code_in, mails_to, on_both_engines, other_union,
    spawn_app,
};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tracing::Instrument as _;

const TARO_EMAIL: &str = "taro@example.com";
const TARO_NEW_EMAIL: &str = "taro.new@example.com";

fn email(text: &str) -> Email {
    capture::record(Kind::Email, text);
    Email::parse(text).unwrap()
}

/// The account that claimed the person's card this year.
async fn account_of(app: &TestApp, person: &Person) -> String {
    let key = RosterPerson::key(
        &InsurerCode::parse(person.insurer).unwrap(),
        SURVEY_YEAR,
        &kennin::domain::CardSymbol::parse(person.symbol).unwrap(),
        &kennin::domain::CardNumber::parse(person.number).unwrap(),
    );
    let item = app.store.get(&key).await.unwrap().expect("the roster person");
    from_item::<RosterPerson>(item).unwrap().claimed_by.expect("registered")
}

/// The mail-events function's handler, given the event SNS delivers, in a span with a request
/// ID as the Lambda runtime's invocation has.
async fn deliver(app: &TestApp, event: Value) -> Report {
    let span = tracing::info_span!("mail_events", request_id = %uuid::Uuid::new_v4());
    kennin_mail_events::handle(app.store.as_ref(), event, app.clock.unix())
        .instrument(span)
        .await
        .expect("handled")
}

async fn undeliverable(app: &TestApp, staff: &str) -> Vec<Value> {
    let progress = app.get("/api/admin/campaign", Some(staff)).await;
    assert_eq!(progress.status, 200, "{:?}", progress.body);
    progress.body["undeliverable"].as_array().expect("the list").clone()
}

async fn undeliverable_audited(app: &TestApp) -> usize {
    crate::console_callcenter::audit_entries(app)
        .await
        .into_iter()
        .filter(|entry| {
            entry.action == AuditAction::ViewedProgress
                && entry.subject
                    == Some(AuditSubject::Query {
                        what: "undeliverable".into(),
                    })
        })
        .count()
}

async fn a_permanent_bounce_stops_the_mail_until_the_address_changes(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", TARO_EMAIL).await;
    let account = account_of(&app, &TARO).await;
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let store: &dyn ItemStore = app.store.as_ref();
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["emailUndeliverable"],
        Value::Null
    );
    assert!(undeliverable(&app, &admin).await.is_empty());
    assert_eq!(undeliverable_audited(&app).await, 0, "counts alone are not audited");

    // The new address had bounced before (no account named): proving it works lifts that too.
    let report = deliver(&app, sns_event(&[&permanent_bounce(TARO_NEW_EMAIL, None)])).await;
    assert_eq!((report.suppressed, report.listed), (1, 0), "{report:?}");
    assert!(is_suppressed(store, &email(TARO_NEW_EMAIL)).await.unwrap());

    // SES names the recipient in its own case; SNS may deliver the same notification twice.
    let bounced = permanent_bounce("Taro@Example.COM", Some(&account));
    for _ in 0..2 {
        let report = deliver(&app, sns_event(&[&bounced])).await;
        assert_eq!(
            report,
            Report {
                suppressed: 1,
                listed: 1,
                ignored: 0,
                unreadable: 0
            }
        );
    }
    assert!(is_suppressed(store, &email(TARO_EMAIL)).await.unwrap());
    assert!(!is_suppressed(store, &email("hanako@example.com")).await.unwrap());
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["emailUndeliverable"],
        "bounce"
    );

    let listed = undeliverable(&app, &admin).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["symbol"], "1001");
    assert_eq!(listed[0]["number"], "1");
    assert_eq!(listed[0]["name"], "健保 太郎");
    assert_eq!(listed[0]["kind"], "bounce");
    assert_eq!(listed[0]["kindLabel"], "不達");
    assert!(listed[0]["at"].as_str().unwrap().ends_with('Z'));
    assert!(listed[0].get("email").is_none(), "no address in the list");
    assert_eq!(undeliverable_audited(&app).await, 1);
    // The call center, who phones them, reads the same page.
    let (operator, _) = app.staff_signed_in("0904", StaffRole::Callcenter).await;
    assert_eq!(undeliverable(&app, &operator).await, listed);

    // Another union's person bounces too: each union sees its own.
    other_union(&app).await;
    app.at_home(&OTHER, "other_taro", "other@example.com").await;
    let other_account = account_of(&app, &OTHER).await;
    deliver(
        &app,
        sns_event(&[&permanent_bounce("other@example.com", Some(&other_account))]),
    )
    .await;
    let (other_admin, _) = app.staff_signed_in("0777", StaffRole::Admin).await;
    let theirs = undeliverable(&app, &other_admin).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["symbol"], "1001");
    assert_eq!(undeliverable(&app, &admin).await, listed, "not the other union's");

    // The address change: its code reaches the new address, which lifts the bounce.
    change_address(&app, &session, TARO_NEW_EMAIL).await;
    assert!(undeliverable(&app, &admin).await.is_empty());
    assert!(!is_suppressed(store, &email(TARO_NEW_EMAIL)).await.unwrap());
    assert!(
        is_suppressed(store, &email(TARO_EMAIL)).await.unwrap(),
        "the old address still bounces"
    );
    assert_eq!(undeliverable(&app, &other_admin).await.len(), 1);

    // A late bounce of the old address names the account, whose address it no longer is.
    let report = deliver(&app, sns_event(&[&bounced])).await;
    assert_eq!((report.suppressed, report.listed), (1, 0));
    assert!(undeliverable(&app, &admin).await.is_empty());
}

/// The person changes their address to `address` and proves it with the mailed code: the top
/// page no longer says their mail bounced.
async fn change_address(app: &TestApp, session: &str, address: &str) {
    let requested = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": address }),
            Some(session),
        )
        .await;
    assert_eq!(requested.status, 200, "{:?}", requested.body);
    let code = code_in(&mails_to(app, address).await[0].text);
    let verified = app
        .post("/api/me/email/verify", json!({ "code": code }), Some(session))
        .await;
    assert_eq!(verified.status, 200, "{:?}", verified.body);
    assert_eq!(
        app.get("/api/me", Some(session)).await.body["emailUndeliverable"],
        Value::Null
    );
}

async fn a_complaint_is_told_as_such_and_the_same_address_may_be_proved_again(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", TARO_EMAIL).await;
    let account = account_of(&app, &TARO).await;
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let report = deliver(&app, sns_event(&[&complaint(TARO_EMAIL, Some(&account))])).await;
    assert_eq!((report.suppressed, report.listed), (1, 1));
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["emailUndeliverable"],
        "complaint"
    );
    let listed = undeliverable(&app, &admin).await;
    assert_eq!(
        (listed[0]["kind"].as_str(), listed[0]["kindLabel"].as_str()),
        (Some("complaint"), Some("迷惑メール報告"))
    );

    // The address kept as it is: its code proves the mailbox works again.
    change_address(&app, &session, TARO_EMAIL).await;
    assert!(undeliverable(&app, &admin).await.is_empty());
    assert!(!is_suppressed(app.store.as_ref(), &email(TARO_EMAIL)).await.unwrap());
    // Once mail goes out again, the same address is refused as before.
    let same = app
        .put(
            "/api/me/email",
            json!({ "currentPassword": PASSWORD, "email": TARO_EMAIL }),
            Some(&session),
        )
        .await;
    assert_eq!(
        same.body["fields"]["email"].as_str(),
        Some("現在のメールアドレスと同じです。")
    );
}

async fn what_does_not_stop_the_mail_changes_nothing_and_is_acknowledged(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", TARO_EMAIL).await;
    let account = account_of(&app, &TARO).await;
    let not_spam = {
        let mut feedback = complaint(TARO_EMAIL, Some(&account));
        feedback["complaint"]["complaintFeedbackType"] = json!("not-spam");
        feedback
    };
    let delivery = json!({"eventType": "Delivery", "mail": {"destination": [TARO_EMAIL]}, "delivery": {}});
    let report = deliver(
        &app,
        sns_event(&[
            &bounce("Transient", TARO_EMAIL, Some(&account)),
            &bounce("Undetermined", TARO_EMAIL, Some(&account)),
            &not_spam,
            &delivery,
        ]),
    )
    .await;
    assert_eq!(
        report,
        Report {
            ignored: 4,
            ..Report::default()
        }
    );
    let mut unreadable_recipient = permanent_bounce(TARO_EMAIL, Some(&account));
    unreadable_recipient["bounce"]["bouncedRecipients"][0]["emailAddress"] = json!("Taro <taro@>");
    let garbage = json!({"Records": [sns_record("not json"), sns_record(r#"{"eventType": "Bounce"}"#)]});
    for event in [
        garbage,
        json!({"detail-type": "Scheduled Event"}),
        sns_event(&[&unreadable_recipient]),
    ] {
        let report = deliver(&app, event).await;
        assert!(report.unreadable > 0 && report.suppressed == 0, "{report:?}");
    }
    assert!(!is_suppressed(app.store.as_ref(), &email(TARO_EMAIL)).await.unwrap());
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["emailUndeliverable"],
        Value::Null
    );
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    assert!(undeliverable(&app, &admin).await.is_empty());
}

/// The operator's report (what `kennin-admin mail bounce --insurer` runs) finds the accounts
/// that use the address in the union's roster.
async fn an_operators_report_finds_the_accounts_in_the_unions_roster(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "kenpo_taro", TARO_EMAIL).await;
    let store: &dyn ItemStore = app.store.as_ref();
    let demo = InsurerCode::parse("0904").unwrap();
    let now = app.clock.unix();
    let listed = suppression::report(
        store,
        &email("TARO@example.com"),
        SuppressionKind::Bounce,
        now,
        Some(&demo),
    )
    .await
    .unwrap();
    assert_eq!(listed, 1);
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["emailUndeliverable"],
        "bounce"
    );
    let unknown = InsurerCode::parse("0999").unwrap();
    assert!(matches!(
        suppression::report(store, &email(TARO_EMAIL), SuppressionKind::Bounce, now, Some(&unknown)).await,
        Err(kennin::Error::NotFound)
    ));
    let alone = suppression::report(
        store,
        &email("nobody@example.com"),
        SuppressionKind::Complaint,
        now,
        None,
    )
    .await
    .unwrap();
    assert_eq!(alone, 0);
    assert!(is_suppressed(store, &email("nobody@example.com")).await.unwrap());
}

on_both_engines!(
    a_permanent_bounce_stops_the_mail_until_the_address_changes,
    a_complaint_is_told_as_such_and_the_same_address_may_be_proved_again,
    what_does_not_stop_the_mail_changes_nothing_and_is_acknowledged,
    an_operators_report_finds_the_accounts_in_the_unions_roster,
);

/// `kennin-admin mail bounce` on the running embedded store, as the README has a developer try it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kennin_admin_simulates_a_bounce_on_the_embedded_engine() {
    let app = spawn_app(Engine::Sqlite).await;
    let session = app.at_home(&TARO, "kenpo_taro", TARO_EMAIL).await;
    let binary = std::env::var_os("KENNIN_ADMIN_BIN")
        .expect("KENNIN_ADMIN_BIN is not set: run the tests with scripts/test.sh, which builds kennin-admin");
    let admin = |args: &[&str]| {
        std::process::Command::new(&binary)
            .arg("--data-dir")
            .arg(app.data_dir())
            .args(["mail", "bounce"])
            .args(args)
            .env_remove("KENNIN_TABLE")
            .env_remove("KENNIN_DYNAMODB_ENDPOINT")
            .output()
            .expect("kennin-admin runs")
    };
    let refused = admin(&["--email", "taro@", "--insurer", "0904"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--email"));
    let done = admin(&["--email", TARO_EMAIL, "--insurer", "0904", "--complaint"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let said = String::from_utf8(done.stdout).unwrap();
    assert!(said.contains("t***@example.com"), "{said}");
    assert!(said.contains("1件"), "{said}");
    assert!(!said.contains(TARO_EMAIL), "masked: {said}");
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["emailUndeliverable"],
        "complaint"
    );
}

/// What the SES v2 API receives: the SDK's request, answered as SES answers it.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Value>>>);

/// A mail for an account goes out with the account as the SES tag its bounce will carry back,
/// through the configuration set whose event destination reports it.
#[tokio::test]
async fn the_ses_request_of_a_mail_for_an_account_carries_its_tag_and_configuration_set() {
    async fn send_email(State(received): State<Received>, body: axum::body::Bytes) -> axum::Json<Value> {
        received.0.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
        axum::Json(json!({ "MessageId": "0106018c-example" }))
    }
    let received = Received::default();
    let router = axum::Router::new()
        .route("/v2/email/outbound-emails", axum::routing::post(send_email))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let sdk = kennin::aws::sdk_config(Some(&format!("http://{address}"))).await;
    let mailer = SesMailer::new(
        aws_sdk_sesv2::Client::new(&sdk),
        "no-reply@kennin.example",
        Some("kennin-test".into()),
    );
    let to = email(TARO_EMAIL);
    mailer
        .send(&templates::password_changed(&to, "6f1c2a9e-account", None))
        .await
        .unwrap();
    mailer
        .send(&templates::signup_code(
            &to,
            &kennin::domain::VerificationCode::generate(),
            600,
        ))
        .await
        .unwrap();
    let requests = received.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0]["EmailTags"],
        json!([{ "Name": "account", "Value": "6f1c2a9e-account" }])
    );
    assert_eq!(requests[0]["ConfigurationSetName"], "kennin-test");
    assert!(requests[1].get("EmailTags").is_none(), "no account before signup ③");
    assert_eq!(requests[1]["ConfigurationSetName"], "kennin-test");
}
