//! The union's printable leaflet on both engines: GET /api/admin/leaflet for the roles that may
//! see the campaign's progress (403 for any other, 401 without a staff session, 404 without a
//! campaign), a self-contained A4 page under its own policy with the union's name, the
//! window, the signup address carrying the union's code, that address's QR code and the contact,
//! and nothing of any person; and `kennin-admin insurer leaflet` (KENNIN_ADMIN_BIN) writing the
//! same page for the address an operator gives.

use kennin::domain::{InsurerCode, Permission, StaffRole};
use kennin::store::records::{Campaign, Insurer, from_item};
use kennin::store::{ItemStore, Write};
use kennin_local::DEMO_INSURER_NAME;
use kennin_tests::admin_cli::AdminCli;
use kennin_tests::{Engine, TARO, on_both_engines, spawn_app};

const DEMO: &str = "0904";

/// What no leaflet may hold: the demo persons' names, kana, birth dates and cards as typed.
const PERSONAL: [&str; 8] = [
    "健保 太郎",
    "ケンポ",
    "1990/01/01",
    "1990-01-01",
    "2000/02/29",
    "田中",
    "記号 1001",
    "1001-1",
];

async fn demo_campaign(store: &dyn ItemStore) -> (Insurer, Campaign) {
    let code = InsurerCode::parse(DEMO).unwrap();
    let insurer: Insurer = from_item(store.get(&Insurer::key(&code)).await.unwrap().expect("the demo union")).unwrap();
    let year = insurer.current_year.expect("a roster year");
    let campaign = kennin::campaign::get(store, &code, year)
        .await
        .unwrap()
        .expect("the demo campaign");
    (insurer, campaign)
}

/// The page holds the union, the window, the address with the code, its QR code, the contact,
/// and nothing personal.
fn assert_is_the_leaflet(page: &str, site: &str, campaign: &Campaign) {
    let signup = format!("{site}/portal/signup?insurer={DEMO}");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("@page { size: A4;"));
    assert!(page.contains(DEMO_INSURER_NAME), "the union's name");
    assert!(page.contains(&format!("<p class=\"url\">{signup}</p>")), "{page}");
    let svg = kennin::qr::qr_svg(&signup).unwrap();
    let modules = svg.split(" d=\"").nth(1).unwrap();
    assert!(page.contains(modules), "the QR code of the signup address");
    assert!(page.contains(&format!("{}（", campaign.due.japanese())), "the due day");
    assert!(page.contains(&campaign.title));
    for contact in [
        "適用グループ",
        "電話 03-1234-5678",
        "受付時間 平日 10:00〜17:00",
        "メール chosa@kenpo.example.jp",
    ] {
        assert!(page.contains(contact), "{contact}");
    }
    for value in PERSONAL.into_iter().chain([TARO.birth_date, TARO.name_kana]) {
        assert!(!page.contains(value), "{value} in the leaflet");
    }
    assert!(!page.contains("<script"));
}

async fn the_roles_that_see_progress_get_the_page(engine: Engine) {
    let app = spawn_app(engine).await;
    let (_, campaign) = demo_campaign(app.store.as_ref()).await;
    // The roles that see the campaign's progress, and only they (whichever they are).
    let mut allowed = 0;
    for role in StaffRole::ALL {
        let (cookie, _) = app.staff_signed_in(DEMO, role).await;
        let reply = app.get("/api/admin/leaflet", Some(&cookie)).await;
        if !role.allows(Permission::ViewProgress) {
            assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{role:?}");
            continue;
        }
        allowed += 1;
        assert_eq!(reply.status, 200, "{role:?}: {:?}", reply.body);
        assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(
            reply.header("content-security-policy"),
            Some(kennin::leaflet::content_security_policy())
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(reply.header("content-disposition").is_none(), "shown, not saved");
        let page = reply.body.as_str().expect("an HTML page");
        // The page points at the site the console was reached at.
        assert_is_the_leaflet(page, &app.base, &campaign);
    }
    assert!(allowed >= 3, "admin, reviewer and viewer at least");
    let anonymous = app.get("/api/admin/leaflet", None).await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "not_authenticated"));
}

async fn a_union_without_a_campaign_has_no_leaflet(engine: Engine) {
    let app = spawn_app(engine).await;
    let (insurer, campaign) = demo_campaign(app.store.as_ref()).await;
    app.store
        .transact(vec![Write::delete(Campaign::key(&insurer.code, campaign.year))])
        .await
        .unwrap();
    let (admin, _) = app.staff_signed_in(DEMO, StaffRole::Admin).await;
    let reply = app.get("/api/admin/leaflet", Some(&admin)).await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
}

async fn the_cli_writes_the_same_page_for_the_address_given(engine: Engine) {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+9))
        .date();
    let admin = AdminCli::new(engine).await;
    let store = admin.store().await;
    kennin_local::seed_demo(store.as_ref(), today).await.unwrap();
    let (_, campaign) = demo_campaign(store.as_ref()).await;
    let site = "https://kennin.example.jp";
    let out = admin.work.path().join("leaflet.html");
    let said = admin.succeeds(&[
        "insurer",
        "leaflet",
        "--insurer",
        DEMO,
        "--site-url",
        "https://kennin.example.jp/",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        said.contains("https://kennin.example.jp/portal/signup?insurer=0904"),
        "{said}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert_is_the_leaflet(&written, site, &campaign);
    // Without --out the page is printed, the same page; --year names the campaign's year.
    let year = campaign.year.to_string();
    let printed = admin.succeeds(&[
        "insurer",
        "leaflet",
        "--insurer",
        DEMO,
        "--year",
        &year,
        "--site-url",
        site,
    ]);
    assert_eq!(printed.trim_end(), written.trim_end());

    let next_year = (campaign.year + 1).to_string();
    for (args, message) in [
        (
            vec!["--insurer", "0999", "--site-url", site],
            "保険者 0999 が登録されていません",
        ),
        (
            vec!["--insurer", DEMO, "--year", &next_year, "--site-url", site],
            "年度の調査が登録されていません",
        ),
        (
            vec!["--insurer", DEMO, "--site-url", "https://kennin.example.jp/portal"],
            "--site-url: サイトのアドレスは",
        ),
        (
            vec!["--insurer", "09", "--site-url", site],
            "保険者指定コードは4桁の数字",
        ),
    ] {
        let mut all = vec!["insurer", "leaflet"];
        all.extend(args);
        let stderr = admin.fails(&all);
        assert!(stderr.contains(message), "{all:?}: {stderr}");
    }
    // Against a table no local address is assumed.
    if matches!(engine, Engine::Dynamo) {
        let stderr = admin.fails(&["insurer", "leaflet", "--insurer", DEMO]);
        assert!(stderr.contains("--site-url"), "{stderr}");
    } else {
        let local = admin.succeeds(&["insurer", "leaflet", "--insurer", DEMO]);
        assert!(local.contains("http://127.0.0.1:3000/portal/signup?insurer=0904"));
    }
}

on_both_engines!(
    the_roles_that_see_progress_get_the_page,
    a_union_without_a_campaign_has_no_leaflet,
    the_cli_writes_the_same_page_for_the_address_given,
);
