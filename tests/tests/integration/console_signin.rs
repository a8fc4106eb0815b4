//! Staff accounts and the console's sign-in on both engines: the invitation (password, TOTP
//! enrolment, recovery codes; expiring, single use), sign-in with a TOTP code or a recovery
//! code (each once), the one answer to every wrong part, the lock, sign-out, the audit entries,
//! and an admin managing the union's staff; and `kennin-admin staff add` then `staff list`.

use kennin::clock::Clock;
use kennin::domain::{InsurerCode, StaffRole};
use kennin::lockout::MAX_LOGIN_FAILURES;
use kennin::second_factor::TotpSecret;
use kennin::store::ItemStore;
use kennin::store::records::{AuditAction, AuditEntry, StaffInvitation, from_item};
use kennin_tests::{Engine, Reply, TestApp, mails_to, on_both_engines, spawn_app, without_request_id};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

const STAFF_PASSWORD: &str = "Hinode#Sakura-2036";

/// The token of the newest invitation mailed to the address (after `#` in its link).
async fn invitation_token(app: &TestApp, email: &str) -> String {
    let mails = mails_to(app, email).await;
    let mail = mails.first().unwrap_or_else(|| panic!("no invitation to {email}"));
    assert!(mail.subject.contains("管理画面へのご招待"), "{}", mail.subject);
    assert!(mail.text.contains("24時間"), "{}", mail.text);
    assert!(!mail.text.contains(STAFF_PASSWORD));
    let (_, after) = mail.text.split_once("/admin/invitation#").expect("invitation link");
    after.split_whitespace().next().expect("token").to_string()
}

/// An admin of the demo union invites a member; the invitation's token.
async fn invite(app: &TestApp, email: &str, role: &str) -> String {
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let body = json!({ "email": email, "name": "佐藤 花子", "role": role });
    let invited = app.post("/api/admin/staff", body, Some(&admin)).await;
    assert_eq!(invited.status, 201, "{:?}", invited.body);
    invitation_token(app, email).await
}

/// The TOTP secret in the enrolment's otpauth URI: what the authenticator app reads.
fn secret_of(enrolment: &Reply) -> TotpSecret {
    let uri = enrolment.body["otpauthUri"].as_str().expect("otpauthUri");
    let (_, query) = uri.split_once("secret=").expect("secret in the URI");
    TotpSecret::from_base32(query.split('&').next().unwrap()).expect("base32 secret")
}

/// The code the app shows now, in a time step of its own: the clock moves on a step first, so
/// that no two codes of a test share one (a code works once).
fn next_code(app: &TestApp, secret: &TotpSecret) -> String {
    app.clock.advance(30);
    secret.code_at(app.clock.unix() as u64)
}

struct Member {
    email: String,
    secret: TotpSecret,
    recovery_codes: Vec<String>,
}

/// Invitation, password, TOTP enrolment: a member ready to sign in.
async fn enrolled(app: &TestApp, email: &str, role: &str) -> Member {
    let token = invite(app, email, role).await;
    let accepted = app
        .post(
            "/api/admin/invitation/accept",
            json!({ "token": token, "password": STAFF_PASSWORD }),
            None,
        )
        .await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert!(accepted.body["qrSvg"].as_str().unwrap().starts_with("<svg"));
    let secret = secret_of(&accepted);
    let code = next_code(app, &secret);
    let confirmed = app
        .post(
            "/api/admin/invitation/totp",
            json!({ "token": token, "code": code }),
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    let recovery_codes: Vec<String> = serde_json::from_value(confirmed.body["recoveryCodes"].clone()).unwrap();
    assert_eq!(recovery_codes.len(), 10);
    Member {
        email: email.to_string(),
        secret,
        recovery_codes,
    }
}

async fn sign_in(app: &TestApp, email: &str, password: &str, code: &str) -> Reply {
    let body = json!({ "email": email, "password": password, "code": code });
    app.post("/api/admin/session", body, None).await
}

fn staff_cookie(reply: &Reply) -> String {
    reply.cookie(kennin::http::STAFF_COOKIE).expect("staff cookie")
}

/// The actions of the union's audit log this month, oldest first.
async fn audit_actions(app: &TestApp) -> Vec<AuditAction> {
    let code = InsurerCode::parse("0904").unwrap();
    let partition = AuditEntry::partition(&code, &AuditEntry::month_of(app.clock.unix()));
    let items = app.store.query(&partition, "0").await.expect("audit log");
    items
        .into_iter()
        .map(|item| from_item::<AuditEntry>(item).expect("audit entry").action)
        .collect()
}

async fn an_invited_member_sets_a_password_enrols_totp_and_signs_in_and_out(engine: Engine) {
    let app = spawn_app(engine).await;
    let token = invite(&app, "sato@kumiai.example.jp", "reviewer").await;
    let accept = |password: &str| json!({ "token": token, "password": password });

    // The staff policy: the persons' rules, twelve characters at least.
    let short = app
        .post("/api/admin/invitation/accept", accept("Sakura#24go"), None)
        .await;
    assert_eq!(short.status, 400);
    assert!(
        short.body["fields"]["password"]
            .as_str()
            .unwrap()
            .contains("12文字以上"),
        "{:?}",
        short.body
    );
    let accepted = app
        .post("/api/admin/invitation/accept", accept(STAFF_PASSWORD), None)
        .await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let uri = accepted.body["otpauthUri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/kennin:sato%40kumiai.example.jp?"),
        "{uri}"
    );
    let secret = secret_of(&accepted);

    // Not enrolled yet: the password alone opens nothing.
    let early = sign_in(
        &app,
        "sato@kumiai.example.jp",
        STAFF_PASSWORD,
        &next_code(&app, &secret),
    )
    .await;
    assert_eq!((early.status, early.code()), (401, "staff_sign_in_failed"));

    let wrong = app
        .post(
            "/api/admin/invitation/totp",
            json!({ "token": token, "code": "000000" }),
            None,
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.body["fields"]["code"].is_string(), "{:?}", wrong.body);
    let code = next_code(&app, &secret);
    let confirmed = app
        .post(
            "/api/admin/invitation/totp",
            json!({ "token": token, "code": code }),
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["recoveryCodes"].as_array().unwrap().len(), 10);

    // Used: both steps are gone.
    for (path, body) in [
        ("/api/admin/invitation/accept", accept(STAFF_PASSWORD)),
        ("/api/admin/invitation/totp", json!({ "token": token, "code": code })),
    ] {
        let used = app.post(path, body, None).await;
        assert_eq!((used.status, used.code()), (410, "invitation_gone"), "{path}");
    }

    let signed_in = sign_in(
        &app,
        "SATO@kumiai.example.jp",
        STAFF_PASSWORD,
        &next_code(&app, &secret),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    assert_eq!(signed_in.body["email"], "sato@kumiai.example.jp");
    assert_eq!(signed_in.body["role"], "reviewer");
    assert_eq!(signed_in.body["insurer"]["code"], "0904");
    let cookie = staff_cookie(&signed_in);
    assert!(
        signed_in.set_cookies()[0].starts_with("__Host-kennin_staff="),
        "{:?}",
        signed_in.set_cookies()
    );
    assert_eq!(app.get("/api/admin/me", Some(&cookie)).await.status, 200);

    let signed_out = app.send("DELETE", "/api/admin/session", None, Some(&cookie)).await;
    assert_eq!(signed_out.status, 204);
    assert!(signed_out.set_cookies()[0].contains("Max-Age=0"));
    assert_eq!(
        app.get("/api/admin/me", Some(&cookie)).await.code(),
        "not_authenticated"
    );
    // Signing out without a session is no error.
    assert_eq!(app.send("DELETE", "/api/admin/session", None, None).await.status, 204);
}

async fn every_wrong_part_of_a_sign_in_gets_the_same_answer(engine: Engine) {
    let app = spawn_app(engine).await;
    let member = enrolled(&app, "suzuki@kumiai.example.jp", "viewer").await;
    let invited_only = "tanaka@kumiai.example.jp";
    invite(&app, invited_only, "viewer").await;

    let code = next_code(&app, &member.secret);
    let accepted = sign_in(&app, &member.email, STAFF_PASSWORD, &code).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    // The code just used, again, within its time step.
    let replayed = sign_in(&app, &member.email, STAFF_PASSWORD, &code).await;
    assert_eq!(replayed.status, 401, "{:?}", replayed.body);
    let mut answers = vec![without_request_id(&replayed.body)];

    let tries = [
        (
            member.email.as_str(),
            "Wrong#Password-2036",
            next_code(&app, &member.secret),
        ),
        (member.email.as_str(), STAFF_PASSWORD, "000000".to_string()),
        (
            "nobody@kumiai.example.jp",
            STAFF_PASSWORD,
            next_code(&app, &member.secret),
        ),
        (invited_only, STAFF_PASSWORD, next_code(&app, &member.secret)),
        (invited_only, STAFF_PASSWORD, "not-a-code".to_string()),
    ];
    for (email, password, code) in &tries {
        let refused = sign_in(&app, email, password, code).await;
        assert_eq!(refused.status, 401, "{email} {code}: {:?}", refused.body);
        assert!(refused.set_cookies().is_empty());
        answers.push(without_request_id(&refused.body));
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "{answers:?}");
    assert_eq!(answers[0]["code"], "staff_sign_in_failed");

    // Disabled: the right password and code are refused the same way.
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let list = app.get("/api/admin/staff", Some(&admin)).await;
    let id = list.body["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["email"] == member.email.as_str())
        .expect("listed")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let disabled = app
        .put(
            &format!("/api/admin/staff/{id}"),
            json!({ "disabled": true }),
            Some(&admin),
        )
        .await;
    assert_eq!(disabled.status, 200, "{:?}", disabled.body);
    let refused = sign_in(&app, &member.email, STAFF_PASSWORD, &next_code(&app, &member.secret)).await;
    assert_eq!(without_request_id(&refused.body), answers[0]);
}

async fn a_recovery_code_signs_in_once(engine: Engine) {
    let app = spawn_app(engine).await;
    let member = enrolled(&app, "ito@kumiai.example.jp", "callcenter").await;
    // As typed from paper: upper case, full-width hyphens.
    let typed = member.recovery_codes[3].to_uppercase().replace('-', "ー");
    let first = sign_in(&app, &member.email, STAFF_PASSWORD, &typed).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let again = sign_in(&app, &member.email, STAFF_PASSWORD, &member.recovery_codes[3]).await;
    assert_eq!((again.status, again.code()), (401, "staff_sign_in_failed"));
    let another = sign_in(&app, &member.email, STAFF_PASSWORD, &member.recovery_codes[4]).await;
    assert_eq!(another.status, 200, "{:?}", another.body);
    let actions = audit_actions(&app).await;
    assert_eq!(
        actions.iter().filter(|a| **a == AuditAction::RecoveryCodeUsed).count(),
        2
    );
}

async fn an_invitation_expires_after_its_lifetime(engine: Engine) {
    let app = spawn_app(engine).await;
    let token = invite(&app, "kato@kumiai.example.jp", "viewer").await;
    app.clock.advance(StaffInvitation::LIFETIME_SECONDS);
    let expired = app
        .post(
            "/api/admin/invitation/accept",
            json!({ "token": token, "password": STAFF_PASSWORD }),
            None,
        )
        .await;
    assert_eq!((expired.status, expired.code()), (410, "invitation_gone"));
    assert!(
        expired.body["message"].as_str().unwrap().contains("24時間"),
        "{:?}",
        expired.body
    );
    let unknown = app
        .post(
            "/api/admin/invitation/totp",
            json!({ "token": "no-such-token", "code": "123456" }),
            None,
        )
        .await;
    assert_eq!((unknown.status, unknown.code()), (410, "invitation_gone"));
}

/// A member whose link expired (or whose mail was lost) is invited again by adding the address
/// again: the newest link works, every older one is gone; once enrolled, the address is taken.
async fn a_member_not_yet_enrolled_is_invited_again_and_older_links_stop_working(engine: Engine) {
    let app = spawn_app(engine).await;
    let accept = |token: String| {
        let app = &app;
        async move {
            app.post(
                "/api/admin/invitation/accept",
                json!({ "token": token, "password": STAFF_PASSWORD }),
                None,
            )
            .await
        }
    };
    let first = invite(&app, "ito@kumiai.example.jp", "viewer").await;
    app.clock.advance(StaffInvitation::LIFETIME_SECONDS);
    assert_eq!(accept(first.clone()).await.code(), "invitation_gone");

    // The address as typed the second time differs in case only: the same member, mailed at
    // the address on record.
    let (admin, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let body = json!({ "email": "ITO@kumiai.example.jp", "name": "伊藤 一", "role": "reviewer" });
    assert_eq!(app.post("/api/admin/staff", body, Some(&admin)).await.status, 201);
    let second = invitation_token(&app, "ito@kumiai.example.jp").await;
    app.clock.advance(60);
    let third = invite(&app, "ito@kumiai.example.jp", "reviewer").await;
    assert!(first != second && second != third);
    assert_eq!(
        accept(second.clone()).await.code(),
        "invitation_gone",
        "voided by the third"
    );
    let accepted = accept(third.clone()).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let code = next_code(&app, &secret_of(&accepted));
    let confirmed = app
        .post(
            "/api/admin/invitation/totp",
            json!({ "token": third, "code": code }),
            None,
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    let list = app.get("/api/admin/staff", Some(&admin)).await;
    let rows: Vec<&Value> = list.body["staff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["email"] == "ito@kumiai.example.jp")
        .collect();
    assert_eq!(rows.len(), 1, "one member, invited three times");
    assert_eq!(
        (rows[0]["role"].clone(), rows[0]["enrolled"].clone()),
        (json!("reviewer"), json!(true))
    );

    let body = json!({ "email": "ito@kumiai.example.jp", "name": "伊藤", "role": "viewer" });
    let taken = app.post("/api/admin/staff", body, Some(&admin)).await;
    assert_eq!(taken.status, 400, "{:?}", taken.body);
    assert!(taken.body["fields"]["email"].is_string());
    // Another union cannot take over a waiting member of this one either.
    let waiting = invite(&app, "ueda@kumiai.example.jp", "viewer").await;
    kennin_tests::other_union(&app).await;
    let (other, _) = app.staff_signed_in(kennin_tests::OTHER_UNION, StaffRole::Admin).await;
    let body = json!({ "email": "ueda@kumiai.example.jp", "name": "上田", "role": "admin" });
    let refused = app.post("/api/admin/staff", body, Some(&other)).await;
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    assert_eq!(accept(waiting).await.status, 200, "the member's own link still works");
}

async fn failed_sign_ins_lock_the_address(engine: Engine) {
    let app = spawn_app(engine).await;
    let member = enrolled(&app, "yamada@kumiai.example.jp", "viewer").await;
    // Wrong codes after the right password count as much as wrong passwords.
    for attempt in 1..=MAX_LOGIN_FAILURES {
        let (password, code) = match attempt % 2 {
            0 => ("Wrong#Password-2036", next_code(&app, &member.secret)),
            _ => (STAFF_PASSWORD, "000000".to_string()),
        };
        let refused = sign_in(&app, &member.email, password, &code).await;
        let expected = if attempt == MAX_LOGIN_FAILURES {
            (429, "staff_sign_in_locked")
        } else {
            (401, "staff_sign_in_failed")
        };
        assert_eq!((refused.status, refused.code()), expected, "attempt {attempt}");
    }
    let locked = sign_in(&app, &member.email, STAFF_PASSWORD, &next_code(&app, &member.secret)).await;
    assert_eq!((locked.status, locked.code()), (429, "staff_sign_in_locked"));
    assert!(locked.header("retry-after").is_some());

    // An unknown address locks the same way: the answers do not tell addresses apart.
    for _ in 0..MAX_LOGIN_FAILURES {
        sign_in(&app, "nobody@kumiai.example.jp", STAFF_PASSWORD, "000000").await;
    }
    let unknown = sign_in(&app, "nobody@kumiai.example.jp", STAFF_PASSWORD, "000000").await;
    assert_eq!(unknown.code(), "staff_sign_in_locked");

    app.clock.advance(kennin::lockout::LOCK_SECONDS);
    let after = sign_in(&app, &member.email, STAFF_PASSWORD, &next_code(&app, &member.secret)).await;
    assert_eq!(after.status, 200, "{:?}", after.body);
}

async fn sign_ins_failures_and_sign_outs_are_audited(engine: Engine) {
    let app = spawn_app(engine).await;
    let member = enrolled(&app, "kimura@kumiai.example.jp", "reviewer").await;
    let refused = sign_in(
        &app,
        &member.email,
        "Wrong#Password-2036",
        &next_code(&app, &member.secret),
    )
    .await;
    assert_eq!(refused.status, 401);
    let signed_in = sign_in(&app, &member.email, STAFF_PASSWORD, &next_code(&app, &member.secret)).await;
    assert_eq!(signed_in.status, 200);
    let cookie = staff_cookie(&signed_in);
    assert_eq!(
        app.send("DELETE", "/api/admin/session", None, Some(&cookie))
            .await
            .status,
        204
    );
    let code = InsurerCode::parse("0904").unwrap();
    let partition = AuditEntry::partition(&code, &AuditEntry::month_of(app.clock.unix()));
    let entries: Vec<AuditEntry> = app
        .store
        .query(&partition, "0")
        .await
        .unwrap()
        .into_iter()
        .map(|item| from_item(item).unwrap())
        .collect();
    let actions: Vec<AuditAction> = entries.iter().map(|e| e.action).collect();
    for action in [
        AuditAction::StaffInvited,
        AuditAction::InvitationAccepted,
        AuditAction::SecondFactorEnrolled,
        AuditAction::SignInFailed,
        AuditAction::SignedIn,
        AuditAction::SignedOut,
    ] {
        assert_eq!(
            actions.iter().filter(|a| **a == action).count(),
            1,
            "{action:?} in {actions:?}"
        );
    }
    let text = serde_json::to_string(&entries.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>()).unwrap();
    for secret in [STAFF_PASSWORD, "Wrong#Password-2036", member.email.as_str()] {
        assert!(!text.contains(secret), "the audit log holds {secret}");
    }
}

async fn an_admin_manages_the_unions_staff(engine: Engine) {
    let app = spawn_app(engine).await;
    let (admin, me) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let member = enrolled(&app, "mori@kumiai.example.jp", "reviewer").await;
    let list = app.get("/api/admin/staff", Some(&admin)).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let rows = list.body["staff"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["email"] == member.email.as_str())
        .expect("listed");
    assert_eq!(
        (row["role"].clone(), row["enrolled"].clone(), row["disabled"].clone()),
        (json!("reviewer"), json!(true), json!(false))
    );
    assert!(
        rows.iter()
            .all(|r| r.get("passwordHash").is_none() && r.get("totpSecret").is_none())
    );
    let id = row["id"].as_str().unwrap().to_string();

    // An address already used, anywhere: refused, nothing written, nothing mailed.
    let mails_before = app.mails().await.len();
    let again = app
        .post(
            "/api/admin/staff",
            json!({ "email": "MORI@kumiai.example.jp", "name": "森", "role": "viewer" }),
            Some(&admin),
        )
        .await;
    assert_eq!(again.status, 400);
    assert!(again.body["fields"]["email"].is_string(), "{:?}", again.body);
    assert_eq!(app.mails().await.len(), mails_before);
    let bad = app
        .post(
            "/api/admin/staff",
            json!({ "email": "x", "name": "", "role": "boss" }),
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, 400);
    for field in ["email", "name", "role"] {
        assert!(bad.body["fields"][field].is_string(), "{field}: {:?}", bad.body);
    }

    let signed_in = sign_in(&app, &member.email, STAFF_PASSWORD, &next_code(&app, &member.secret)).await;
    let member_cookie = staff_cookie(&signed_in);
    // Only an admin manages staff.
    assert_eq!(app.get("/api/admin/staff", Some(&member_cookie)).await.status, 403);

    let changed = app
        .put(
            &format!("/api/admin/staff/{id}"),
            json!({ "role": "viewer" }),
            Some(&admin),
        )
        .await;
    assert_eq!((changed.status, changed.body["role"].clone()), (200, json!("viewer")));
    // The role change ended the member's session.
    assert_eq!(app.get("/api/admin/me", Some(&member_cookie)).await.status, 401);

    // Not themselves: the union keeps its admin.
    let own = format!("/api/admin/staff/{}", me.id);
    let demote = app.put(&own, json!({ "role": "viewer" }), Some(&admin)).await;
    assert_eq!(demote.status, 400);
    assert!(demote.body["fields"]["role"].is_string());
    let disable = app.put(&own, json!({ "disabled": true }), Some(&admin)).await;
    assert_eq!(disable.status, 400);
    assert_eq!(app.get("/api/admin/me", Some(&admin)).await.status, 200);

    // Another union's member is answered as a missing one.
    kennin::roster::put_insurer(
        app.store.as_ref(),
        &InsurerCode::parse("0905").unwrap(),
        "別の健康保険組合",
        None,
    )
    .await
    .unwrap();
    let (_, other) = app.staff_signed_in("0905", StaffRole::Viewer).await;
    let theirs = app
        .put(
            &format!("/api/admin/staff/{}", other.id),
            json!({ "role": "admin" }),
            Some(&admin),
        )
        .await;
    let missing = app
        .put(
            "/api/admin/staff/0123456789abcdef0123456789abcdef",
            json!({ "role": "admin" }),
            Some(&admin),
        )
        .await;
    assert_eq!((theirs.status, theirs.code()), (404, "not_found"));
    assert_eq!(without_request_id(&theirs.body), without_request_id(&missing.body));
    let listed = app.get("/api/admin/staff", Some(&admin)).await;
    assert!(
        listed.body["staff"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != other.id.as_str()),
        "another union's member listed"
    );

    let actions = audit_actions(&app).await;
    assert!(actions.contains(&AuditAction::StaffRoleChanged), "{actions:?}");
}

on_both_engines!(
    an_invited_member_sets_a_password_enrols_totp_and_signs_in_and_out,
    every_wrong_part_of_a_sign_in_gets_the_same_answer,
    a_recovery_code_signs_in_once,
    an_invitation_expires_after_its_lifetime,
    a_member_not_yet_enrolled_is_invited_again_and_older_links_stop_working,
    failed_sign_ins_lock_the_address,
    sign_ins_failures_and_sign_outs_are_audited,
    an_admin_manages_the_unions_staff,
);

/// The operator adds a member with the CLI (the invitation goes to the data folder's outbox),
/// adds them again before they enrolled (a new invitation), and lists the union's staff; an
/// address used by another union is refused with nothing written.
#[test]
fn the_cli_adds_a_member_and_lists_the_staff() {
    let binary = std::env::var_os("KENNIN_ADMIN_BIN")
        .map(PathBuf::from)
        .expect("KENNIN_ADMIN_BIN is not set: run the tests with scripts/test.sh, which builds kennin-admin");
    let data = tempfile::tempdir().expect("temporary folder");
    let admin = |args: &[&str]| {
        Command::new(&binary)
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env_remove("KENNIN_TABLE")
            .env_remove("KENNIN_SITE_URL")
            .env_remove("RUST_LOG")
            .output()
            .expect("kennin-admin runs")
    };
    let ok = |args: &[&str]| {
        let output = admin(args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    ok(&["insurer", "put", "--code", "0904", "--name", "けんにん健康保険組合"]);
    let add = [
        "staff",
        "add",
        "--insurer",
        "0904",
        "--email",
        "sato@kumiai.example.jp",
        "--name",
        "佐藤 花子",
        "--role",
        "reviewer",
    ];
    let added = ok(&add);
    assert!(added.contains("招待メールを送信しました"), "{added}");
    let outbox: Vec<_> = std::fs::read_dir(data.path().join("outbox")).unwrap().collect();
    assert_eq!(outbox.len(), 1);

    // Added again before enrolling: invited again (a new link, the old one void).
    let again = ok(&add);
    assert!(again.contains("招待メールを送信しました"), "{again}");
    assert_eq!(std::fs::read_dir(data.path().join("outbox")).unwrap().count(), 2);
    // Another union cannot take the address.
    ok(&["insurer", "put", "--code", "0777", "--name", "別の健康保険組合"]);
    let mut elsewhere = add;
    elsewhere[3] = "0777";
    let taken = admin(&elsewhere);
    assert!(!taken.status.success());
    let stderr = String::from_utf8_lossy(&taken.stderr);
    assert!(stderr.contains("既に登録されています"), "{stderr}");
    let bad_role = admin(&[
        "staff",
        "add",
        "--insurer",
        "0904",
        "--email",
        "x@kumiai.example.jp",
        "--name",
        "X",
        "--role",
        "boss",
    ]);
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role"));

    let listed = ok(&["staff", "list", "--insurer", "0904"]);
    assert_eq!(listed.trim(), "sato@kumiai.example.jp\t佐藤 花子\treviewer\t招待中");
    let json: Vec<Value> = ok(&["staff", "list", "--insurer", "0904", "--json"])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["enrolled"], false);

    ok(&["staff", "role", "--email", "sato@kumiai.example.jp", "--role", "viewer"]);
    ok(&["staff", "disable", "--email", "sato@kumiai.example.jp"]);
    let listed = ok(&["staff", "list", "--insurer", "0904"]);
    assert_eq!(listed.trim(), "sato@kumiai.example.jp\t佐藤 花子\tviewer\t利用停止");
}
