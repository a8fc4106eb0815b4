//! The staff console's session on both engines: GET /api/admin/me with the staff cookie, the
//! console's idle and absolute timeouts, a disabled member, and the persons' and staff's
//! cookies never opening each other's routes.

use kennin::domain::StaffRole;
use kennin::staff_session::{STAFF_ABSOLUTE_TIMEOUT_SECONDS, STAFF_IDLE_TIMEOUT_SECONDS};
use kennin::store::records::Staff;
use kennin::store::{Change, ItemStore};
use kennin_tests::{Engine, TARO, on_both_engines, spawn_app};

async fn a_signed_in_member_reads_who_they_are_and_what_their_role_allows(engine: Engine) {
    let app = spawn_app(engine).await;
    for role in StaffRole::ALL {
        let (cookie, staff) = app.staff_signed_in("0904", role).await;
        let me = app.get("/api/admin/me", Some(&cookie)).await;
        assert_eq!(me.status, 200, "{:?}", me.body);
        assert_eq!(me.body["email"], staff.email.as_str());
        assert_eq!(me.body["role"], role.name());
        assert_eq!(me.body["roleLabel"], role.label());
        assert_eq!(me.body["insurer"]["code"], "0904");
        assert_eq!(me.body["idleTimeoutSeconds"], STAFF_IDLE_TIMEOUT_SECONDS);
        let permissions = serde_json::to_value(role.permissions()).unwrap();
        assert_eq!(me.body["permissions"], permissions);
    }
    assert_eq!(app.get("/api/admin/me", None).await.code(), "not_authenticated");
}

async fn persons_and_staff_cookies_never_open_each_others_routes(engine: Engine) {
    let app = spawn_app(engine).await;
    let person = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let (staff, _) = app.staff_signed_in("0904", StaffRole::Admin).await;
    let refused = app.get("/api/admin/me", Some(&person)).await;
    assert_eq!((refused.status, refused.code()), (401, "not_authenticated"));
    let refused = app.get("/api/survey", Some(&staff)).await;
    assert_eq!((refused.status, refused.code()), (401, "not_authenticated"));
    // Each still works with its own cookie.
    assert_eq!(app.get("/api/survey", Some(&person)).await.status, 200);
    assert_eq!(app.get("/api/admin/me", Some(&staff)).await.status, 200);
}

async fn the_console_signs_out_after_its_idle_and_absolute_timeouts(engine: Engine) {
    let app = spawn_app(engine).await;
    let (cookie, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    app.clock.advance(STAFF_IDLE_TIMEOUT_SECONDS - 1);
    assert_eq!(app.get("/api/admin/me", Some(&cookie)).await.status, 200);
    app.clock.advance(STAFF_IDLE_TIMEOUT_SECONDS);
    let expired = app.get("/api/admin/me", Some(&cookie)).await;
    assert_eq!((expired.status, expired.code()), (401, "session_expired"));
    assert_eq!(
        app.get("/api/admin/me", Some(&cookie)).await.code(),
        "not_authenticated"
    );

    // Busy all day: the absolute limit ends it all the same.
    let (cookie, _) = app.staff_signed_in("0904", StaffRole::Viewer).await;
    let step = STAFF_IDLE_TIMEOUT_SECONDS - 60;
    let mut elapsed = 0;
    while elapsed + step < STAFF_ABSOLUTE_TIMEOUT_SECONDS {
        app.clock.advance(step);
        elapsed += step;
        assert_eq!(
            app.get("/api/admin/me", Some(&cookie)).await.status,
            200,
            "after {elapsed} s"
        );
    }
    app.clock.advance(STAFF_ABSOLUTE_TIMEOUT_SECONDS - elapsed);
    assert_eq!(app.get("/api/admin/me", Some(&cookie)).await.code(), "session_expired");
}

async fn disabling_a_member_or_changing_their_role_ends_their_sessions(engine: Engine) {
    let app = spawn_app(engine).await;
    let (cookie, staff) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let changes = [Change::set(Staff::DISABLED, true), Change::add(Staff::SESSION_EPOCH, 1)];
    app.store.update(&staff.own_key(), &changes, None).await.unwrap();
    let refused = app.get("/api/admin/me", Some(&cookie)).await;
    assert_eq!((refused.status, refused.code()), (401, "account_disabled"));

    let (cookie, staff) = app.staff_signed_in("0904", StaffRole::Reviewer).await;
    let changes = [
        Change::set(Staff::ROLE, StaffRole::Viewer),
        Change::add(Staff::SESSION_EPOCH, 1),
    ];
    app.store.update(&staff.own_key(), &changes, None).await.unwrap();
    assert_eq!(app.get("/api/admin/me", Some(&cookie)).await.code(), "session_expired");
}

on_both_engines!(
    a_signed_in_member_reads_who_they_are_and_what_their_role_allows,
    persons_and_staff_cookies_never_open_each_others_routes,
    the_console_signs_out_after_its_idle_and_absolute_timeouts,
    disabling_a_member_or_changing_their_role_ends_their_sessions,
);
