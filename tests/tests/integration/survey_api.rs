//! GET /api/survey through the local runner, on both engines: the demo person's targets, the
//! window from before the opening minute to after the grace days, the steps it needs, and
//! isolation between persons and unions.

use kennin::campaign::{self, Settings};
use kennin::domain::{Day, InsurerCode};
use kennin::store::records::TargetRules;
use kennin_tests::{
    Engine, HANAKO, OTHER, SURVEY_YEAR, TARO, TestApp, campaign_settings, on_both_engines, other_union, spawn_app,
};
use serde_json::Value;
use std::collections::HashSet;

const DAY: i64 = 24 * 60 * 60;

fn demo() -> InsurerCode {
    InsurerCode::parse("0904").unwrap()
}

fn day(iso: &str) -> Day {
    serde_json::from_value(serde_json::json!(iso)).unwrap()
}

fn ids(survey: &Value) -> HashSet<String> {
    survey["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

async fn the_demo_person_sees_their_targets_with_the_deadline_and_the_unions_contact(engine: Engine) {
    let app = spawn_app(engine).await;
    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let survey = app.get("/api/survey", Some(&session)).await;
    assert_eq!(survey.status, 200, "{:?}", survey.body);
    let body = &survey.body;
    assert_eq!(body["campaign"]["state"], "open");
    assert_eq!(body["campaign"]["pastDue"], false);
    // Seeded on 2036-06-01 in Japan, due 30 days later; the whole due day counts.
    assert_eq!(body["campaign"]["dueDate"], "2036-07-01");
    assert_eq!(body["campaign"]["dueAt"], "2036-07-01T14:59:59Z");
    assert_eq!(body["campaign"]["opensAt"], "2036-05-31T15:00:00Z");
    assert_eq!(body["contact"]["phone"], "03-1234-5678");
    assert_eq!(body["contact"]["hours"], "平日 10:00〜17:00");
    let targets = body["targets"].as_array().unwrap();
    let rows: Vec<(&str, &str, &str, &str)> = targets
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["relationship"].as_str().unwrap(),
                t["living"].as_str().unwrap(),
                t["statusLabel"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("健保 花子", "配偶者", "同居", "未回答"),
            ("健保 一郎", "子", "同居", "未回答"),
            ("健保 和子", "母", "別居", "未回答"),
        ],
        "the 8-year-old child is not a target"
    );
    assert!(targets.iter().all(|t| t["status"] == "not_started"));
    assert_eq!(targets[0]["nameKana"], "ケンポハナコ");
    assert_eq!(targets[0]["sex"], "女");
    assert!(targets[1]["birthDate"].as_str().unwrap().starts_with("2016-"));

    // A person of the demo union with no dependent is asked nothing this year.
    let hanako = app.at_home(&HANAKO, "hanako_sakura", "hanako@example.com").await;
    let theirs = app.get("/api/survey", Some(&hanako)).await;
    assert_eq!(theirs.body["campaign"]["state"], "open");
    assert_eq!(theirs.body["targets"], serde_json::json!([]));
}

async fn the_survey_needs_a_session_and_the_first_login_finished(engine: Engine) {
    let app = spawn_app(engine).await;
    assert_eq!(app.get("/api/survey", None).await.status, 401);
    let session = app.logged_in(&TARO, "taro_kenpo", "taro@example.com").await;
    let early = app.get("/api/survey", Some(&session)).await;
    assert_eq!(early.status, 403, "{:?}", early.body);
    assert_eq!(early.code(), "step_required");
    assert!(early.body.get("targets").is_none());
}

/// The top page's one call: `GET /api/me?include=survey` carries exactly what `GET /api/survey`
/// answers once first login is finished, and nothing before; any other `include` is refused.
async fn the_top_page_gets_the_survey_with_who_is_logged_in(engine: Engine) {
    let app = spawn_app(engine).await;
    let early = app.logged_in(&HANAKO, "hanako_sakura", "hanako@example.com").await;
    let me = app.get("/api/me?include=survey", Some(&early)).await;
    assert_eq!((me.status, &me.body["next"]), (200, &serde_json::json!("terms")));
    assert!(me.body.get("survey").is_none(), "{:?}", me.body);

    let session = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let alone = app.get("/api/me", Some(&session)).await;
    assert!(alone.body.get("survey").is_none(), "only when asked for");
    let me = app.get("/api/me?include=survey", Some(&session)).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["name"], alone.body["name"]);
    assert_eq!(me.body["survey"], app.get("/api/survey", Some(&session)).await.body);
    assert_eq!(me.body["survey"]["campaign"]["state"], "open");
    assert_eq!(me.body["survey"]["targets"].as_array().map(Vec::len), Some(3));

    for wrong in ["surveys", "notices", "survey,notices"] {
        let refused = app.get(&format!("/api/me?include={wrong}"), Some(&session)).await;
        assert_eq!((refused.status, refused.code()), (400, "invalid_input"), "{wrong}");
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{3000}'),
            "{:?}",
            refused.body
        );
    }
}

/// Logs in again (sessions end while the test moves the clock by days) and reads the survey.
async fn survey_at(app: &TestApp, at: i64) -> Value {
    let now = kennin::clock::Clock::unix(app.clock.as_ref());
    app.clock.advance(at - now);
    let login = app.login("taro_kenpo", kennin_tests::PASSWORD).await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let session = login.cookie(kennin::http::SESSION_COOKIE).unwrap();
    let survey = app.get("/api/survey", Some(&session)).await;
    assert_eq!(survey.status, 200, "{:?}", survey.body);
    survey.body
}

async fn the_window_opens_on_its_minute_and_closes_after_the_grace_days(engine: Engine) {
    let app = spawn_app(engine).await;
    app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    // Opens 2036-06-10 09:00 in Japan, due 2036-06-20, three grace days.
    let opens = campaign::parse_opening("2036-06-10T09:00").unwrap();
    let settings = Settings {
        grace_days: 3,
        rules: TargetRules {
            min_age: Some(18),
            ..TargetRules::default()
        },
        ..campaign_settings("2036年度 被扶養者資格調査", opens, day("2036-06-20"), day("2036-04-01"))
    };
    campaign::put(app.store.as_ref(), &demo(), SURVEY_YEAR, settings)
        .await
        .unwrap();
    let due_day_ends = campaign::parse_opening("2036-06-21T00:00").unwrap();

    let before = survey_at(&app, opens - 60).await;
    assert_eq!(before["campaign"]["state"], "upcoming");
    assert_eq!(before["campaign"]["opensAt"], "2036-06-10T00:00:00Z");
    let opening = survey_at(&app, opens).await;
    assert_eq!(opening["campaign"]["state"], "open");
    assert_eq!(ids(&opening).len(), 3);
    let due_day = survey_at(&app, due_day_ends - 1).await;
    assert_eq!(
        (&due_day["campaign"]["state"], &due_day["campaign"]["pastDue"]),
        (&"open".into(), &false.into())
    );
    let past_due = survey_at(&app, due_day_ends).await;
    assert_eq!(
        (&past_due["campaign"]["state"], &past_due["campaign"]["pastDue"]),
        (&"open".into(), &true.into())
    );
    let last_grace_second = survey_at(&app, due_day_ends + 3 * DAY - 1).await;
    assert_eq!(last_grace_second["campaign"]["state"], "open");
    let closed = survey_at(&app, due_day_ends + 3 * DAY).await;
    assert_eq!(closed["campaign"]["state"], "closed");
    assert_eq!(closed["contact"]["name"], "けんにん健康保険組合 適用グループ");
    assert_eq!(
        ids(&closed),
        ids(&opening),
        "a closed survey still shows what was asked"
    );
}

async fn nobody_sees_another_persons_or_another_unions_targets(engine: Engine) {
    let app = spawn_app(engine).await;
    other_union(&app).await;
    let taro = app.at_home(&TARO, "taro_kenpo", "taro@example.com").await;
    let hanako = app.at_home(&HANAKO, "hanako_sakura", "hanako@example.com").await;
    let other = app.at_home(&OTHER, "taro_other", "taro@example.org").await;

    let of = |session: String| {
        let app = &app;
        async move { app.get("/api/survey", Some(&session)).await.body }
    };
    let (taro_survey, hanako_survey, other_survey) = (
        of(taro.clone()).await,
        of(hanako.clone()).await,
        of(other.clone()).await,
    );
    let taro_ids = ids(&taro_survey);
    let other_ids = ids(&other_survey);
    assert_eq!(taro_ids.len(), 3);
    assert_eq!(other_ids.len(), 1);
    assert!(taro_ids.is_disjoint(&other_ids));
    assert_eq!(other_survey["targets"][0]["name"], "別 花子");
    assert_eq!(other_survey["campaign"]["title"], "別組合の調査");
    assert!(other_survey["contact"].is_null(), "the other union set no contact");
    assert!(ids(&hanako_survey).is_empty());

    // Every id there is, tried by everyone else every way a request can carry it: the list is
    // always the asker's own, and no route takes an id.
    let everyone = [(&taro, &taro_ids), (&hanako, &HashSet::new()), (&other, &other_ids)];
    for id in taro_ids.iter().chain(&other_ids) {
        for (session, own) in &everyone {
            let asked = app
                .get(&format!("/api/survey?id={id}&targetId={id}"), Some(session))
                .await;
            assert_eq!(&ids(&asked.body), *own);
            assert_eq!(app.get(&format!("/api/survey/{id}"), Some(session)).await.status, 404);
        }
    }
}

on_both_engines!(
    the_top_page_gets_the_survey_with_who_is_logged_in,
    the_demo_person_sees_their_targets_with_the_deadline_and_the_unions_contact,
    the_survey_needs_a_session_and_the_first_login_finished,
    the_window_opens_on_its_minute_and_closes_after_the_grace_days,
    nobody_sees_another_persons_or_another_unions_targets,
);
