//! Choosing and publishing a campaign's targets, on both engines: each rule at its boundary,
//! preview counts equal to what publish writes, and publishing again after a roster change adds
//! and marks without losing an answer.

use kennin::campaign::{self, Exclusion, Settings};
use kennin::dependents;
use kennin::domain::{CardNumber, CardSymbol, Day, InsuredKind, InsurerCode, TargetStatus};
use kennin::roster;
use kennin::store::records::{Target, TargetRules, from_item};
use kennin::store::{Change, ItemStore};
use kennin_tests::{Engine, fresh_store, on_both_engines};
use time::macros::date;

const YEAR: i32 = 2026;
const TODAY: time::Date = date!(2026 - 06 - 01);
const ROSTER: &str = "symbol,number,birth_date,name_kana,name,kind,overseas\n\
1,1,1970/01/01,イッパン タロウ,一般 太郎,一般,0\n\
1,2,1960/01/01,ニンイ ジロウ,任意 次郎,任意継続,0\n\
1,3,1955/01/01,トクレイ サブロウ,特例 三郎,特例退職,0\n\
1,4,1975/01/01,カイガイ シロウ,海外 四郎,一般,1\n";
const HEADER: &str = "symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n";
/// Reference date 2026-04-01, ages 18–74, certified on or before 2026-03-31.
const DEPENDENTS: &[(&str, &str, &str, &str)] = &[
    // (card, 枝番, birth date, certified on): who is a target and why not
    ("1,1", "1", "2008/04/01", "2010/01/01"), // 18 on the reference date: target
    ("1,1", "2", "2008/04/02", "2010/01/01"), // 17: younger than the minimum
    ("1,1", "3", "1951/04/02", "2010/01/01"), // 74: target
    ("1,1", "4", "1951/04/01", "2010/01/01"), // 75: older than the maximum
    ("1,1", "5", "1980/01/01", "2026/03/31"), // certified on the cut-off day: target
    ("1,1", "6", "1980/01/01", "2026/04/01"), // certified the day after: left out
    ("1,2", "1", "1980/01/01", "2010/01/01"), // 任意継続: left out
    ("1,3", "1", "1980/01/01", "2010/01/01"), // 特例退職: left out
    ("1,4", "1", "1980/01/01", "2010/01/01"), // posted overseas: left out
];

fn code() -> InsurerCode {
    InsurerCode::parse("0123").unwrap()
}

fn day(iso: &str) -> Day {
    serde_json::from_value(serde_json::json!(iso)).unwrap()
}

fn dependents_file(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from(HEADER);
    for (card, no, born, certified) in rows {
        text.push_str(&format!("{card},{no},カゾク,家族,{born},女,子,{certified},同居\n"));
    }
    text
}

fn settings() -> Settings {
    Settings {
        title: "2026年度 被扶養者資格調査".into(),
        opens_at: campaign::parse_opening("2026-07-01T09:00").unwrap(),
        due: day("2026-07-31"),
        grace_days: 7,
        reference_date: day("2026-04-01"),
        rules: TargetRules {
            min_age: Some(18),
            max_age: Some(74),
            certified_by: Some(day("2026-03-31")),
            excluded_kinds: vec![InsuredKind::VoluntaryContinuation, InsuredKind::SpecialRetiree],
            exclude_overseas: true,
        },
        retention_days: campaign::DEFAULT_RETENTION_DAYS,
        reminders: Vec::new(),
        decision_mails: kennin::store::records::DecisionMails::default(),
    }
}

async fn union(store: &dyn ItemStore) {
    roster::put_insurer(store, &code(), "テスト健保", None).await.unwrap();
    let people = roster::parse(ROSTER, &code(), YEAR, TODAY).unwrap();
    roster::import(store, &code(), YEAR, people, &mut |_| {}).await.unwrap();
    dependents::import(store, &code(), YEAR, &dependents_file(DEPENDENTS), TODAY, &mut |_| {})
        .await
        .unwrap();
    campaign::put(store, &code(), YEAR, settings()).await.unwrap();
}

/// Every target of the roster's persons, by card and 枝番.
async fn targets(store: &dyn ItemStore) -> Vec<Target> {
    let mut all = Vec::new();
    for number in 1..=4 {
        let partition = Target::partition(
            &code(),
            YEAR,
            &CardSymbol::parse("1").unwrap(),
            &CardNumber::parse(&number.to_string()).unwrap(),
        );
        for item in store.query(&partition, Target::SK_PREFIX).await.unwrap() {
            all.push(from_item::<Target>(item).unwrap());
        }
    }
    all.sort_by(|a, b| {
        (a.number.as_str(), &a.recorded.dependent_no).cmp(&(b.number.as_str(), &b.recorded.dependent_no))
    });
    all
}

async fn each_rule_holds_at_its_boundary_and_preview_counts_what_publish_writes(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    union(store.as_ref()).await;
    let preview = campaign::preview(store.as_ref(), &code(), YEAR).await.unwrap();
    assert_eq!(preview.dependents, 9);
    assert_eq!(preview.targets, 3);
    let excluded = |rule| preview.excluded.get(&rule).copied().unwrap_or(0);
    assert_eq!(excluded(Exclusion::YoungerThanMin), 1);
    assert_eq!(excluded(Exclusion::OlderThanMax), 1);
    assert_eq!(excluded(Exclusion::CertifiedAfter), 1);
    assert_eq!(excluded(Exclusion::InsuredKind(InsuredKind::VoluntaryContinuation)), 1);
    assert_eq!(excluded(Exclusion::InsuredKind(InsuredKind::SpecialRetiree)), 1);
    assert_eq!(excluded(Exclusion::Overseas), 1);
    assert!(targets(store.as_ref()).await.is_empty(), "preview writes nothing");

    let published = campaign::publish(store.as_ref(), &code(), YEAR, 1_000, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(published.selection, preview);
    assert_eq!(published.added, 3);
    let written = targets(store.as_ref()).await;
    assert_eq!(written.len(), preview.targets);
    let chosen: Vec<&str> = written.iter().map(|t| t.recorded.dependent_no.as_str()).collect();
    assert_eq!(chosen, ["01", "03", "05"]);
    assert!(
        written
            .iter()
            .all(|t| t.status == TargetStatus::NotStarted && t.number.as_str() == "1")
    );
    assert_eq!(written[0].id.len(), 32);
    assert!(written.windows(2).all(|pair| pair[0].id != pair[1].id));
}

async fn publishing_again_after_a_roster_change_adds_and_marks_without_losing_answers(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    union(store.as_ref()).await;
    campaign::publish(store.as_ref(), &code(), YEAR, 1_000, &mut |_| {})
        .await
        .unwrap();
    let before = targets(store.as_ref()).await;
    // The person has started answering for the dependent who will leave.
    let answered = before
        .iter()
        .find(|t| t.recorded.dependent_no.as_str() == "03")
        .unwrap();
    store
        .update(
            &answered.own_key(),
            &[
                Change::set(Target::STATUS, TargetStatus::InProgress),
                Change::set(Target::VERSION, 4),
            ],
            None,
        )
        .await
        .unwrap();

    // Publishing again with no change adds nothing.
    let again = campaign::publish(store.as_ref(), &code(), YEAR, 2_000, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((again.added, again.kept, again.marked_left), (0, 3, 0));

    // 枝番 3 leaves the roster, 枝番 7 joins.
    let mut changed: Vec<_> = DEPENDENTS.iter().filter(|d| d.1 != "3").copied().collect();
    changed.push(("1,1", "7", "1990/01/01", "2015/01/01"));
    dependents::import(
        store.as_ref(),
        &code(),
        YEAR,
        &dependents_file(&changed),
        TODAY,
        &mut |_| {},
    )
    .await
    .unwrap();
    let preview = campaign::preview(store.as_ref(), &code(), YEAR).await.unwrap();
    let republished = campaign::publish(store.as_ref(), &code(), YEAR, 3_000, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(republished.selection, preview);
    assert_eq!(republished.selection.excluded.get(&Exclusion::LeftRoster), Some(&1));
    assert_eq!(
        (republished.added, republished.kept, republished.marked_left),
        (1, 2, 1)
    );

    let after = targets(store.as_ref()).await;
    assert_eq!(after.len(), 4, "no target is deleted");
    let left = after.iter().find(|t| t.id == answered.id).unwrap();
    assert!(left.left_roster);
    assert_eq!(
        (left.status, left.version),
        (TargetStatus::InProgress, 5),
        "the answer is kept, and the mark raised the version so that no open form saves over it"
    );
    for target in &before {
        if target.id != answered.id {
            assert_eq!(after.iter().find(|t| t.id == target.id), Some(target), "untouched");
        }
    }
    // Marked once: a further publish changes nothing.
    let settled = campaign::publish(store.as_ref(), &code(), YEAR, 4_000, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((settled.added, settled.marked_left), (0, 0));
}

async fn a_campaign_keeps_its_target_ids_when_its_settings_change(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    union(store.as_ref()).await;
    campaign::publish(store.as_ref(), &code(), YEAR, 1_000, &mut |_| {})
        .await
        .unwrap();
    let mut wider = settings();
    wider.rules.min_age = Some(0);
    wider.title = "2026年度 被扶養者資格調査（再設定）".into();
    campaign::put(store.as_ref(), &code(), YEAR, wider).await.unwrap();
    let republished = campaign::publish(store.as_ref(), &code(), YEAR, 2_000, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        (republished.added, republished.kept),
        (1, 3),
        "the 17-year-old is added; the rest are found"
    );
    assert_eq!(targets(store.as_ref()).await.len(), 4);
    let counts = campaign::status_counts(
        store.as_ref(),
        &campaign::get(store.as_ref(), &code(), YEAR).await.unwrap().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(counts.get(&TargetStatus::NotStarted), Some(&4));
}

on_both_engines!(
    each_rule_holds_at_its_boundary_and_preview_counts_what_publish_writes,
    publishing_again_after_a_roster_change_adds_and_marks_without_losing_answers,
    a_campaign_keeps_its_target_ids_when_its_settings_change,
);
