//! The demo union's survey: dependents of several kinds and a campaign that is open from the
//! first start for 30 days, so that a newcomer sees the survey at once. Birth dates are made
//! from the campaign's reference date, so the ages stay what the descriptions say.

use kennin::campaign::{self, Settings};
use kennin::dependents;
use kennin::domain::{Day, InsurerCode};
use kennin::store::ItemStore;
use kennin::store::records::{TargetRules, UnionContact};
use time::{Date, Duration, Month};

/// Days from the first start to the demo campaign's due date.
pub const DEMO_DAYS_TO_DUE: i64 = 30;
/// Ages are counted on this; the demo's youngest child stays under it.
const DEMO_MIN_AGE: i32 = 18;

pub fn demo_contact() -> UnionContact {
    UnionContact {
        name: Some("けんにん健康保険組合 適用グループ".into()),
        phone: Some("03-1234-5678".into()),
        hours: Some("平日 10:00〜17:00".into()),
        email: kennin::domain::Email::parse("chosa@kenpo.example.jp").ok(),
    }
}

/// 4月1日 of the fiscal year `today` is in: unions count ages on it.
fn fiscal_year_start(today: Date) -> Date {
    let april = |year| Date::from_calendar_date(year, Month::April, 1).expect("April 1 exists");
    if today >= april(today.year()) {
        april(today.year())
    } else {
        april(today.year() - 1)
    }
}

/// The demo roster's dependents: for 健保 太郎 (1001-1) a spouse living together, a child of
/// 19 on the reference date, a mother of 63 living apart, and a child of 8 whom the campaign
/// does not ask about; for 田中 美咲 (2002-10) a spouse.
fn demo_dependents(reference: Date) -> String {
    let year = reference.year();
    let rows = [
        (
            "1001",
            "1",
            "1",
            "ケンポ ハナコ",
            "健保 花子",
            (year - 34, 9, 12),
            "女",
            "配偶者",
            (year - 8, 6, 1),
            "同居",
        ),
        (
            "1001",
            "1",
            "2",
            "ケンポ イチロウ",
            "健保 一郎",
            (year - 20, 6, 15),
            "男",
            "子",
            (year - 20, 7, 1),
            "同居",
        ),
        (
            "1001",
            "1",
            "3",
            "ケンポ カズコ",
            "健保 和子",
            (year - 63, 2, 20),
            "女",
            "母",
            (year - 3, 4, 1),
            "別居",
        ),
        (
            "1001",
            "1",
            "4",
            "ケンポ サクラ",
            "健保 さくら",
            (year - 9, 5, 5),
            "女",
            "子",
            (year - 9, 5, 20),
            "同居",
        ),
        (
            "2002",
            "10",
            "1",
            "タナカ ケンタ",
            "田中 健太",
            (year - 28, 11, 3),
            "男",
            "配偶者",
            (year - 2, 10, 1),
            "同居",
        ),
    ];
    let mut csv =
        String::from("symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n");
    for (symbol, number, no, kana, name, born, sex, relationship, certified, living) in rows {
        csv.push_str(&format!(
            "{symbol},{number},{no},{kana},{name},{}/{}/{},{sex},{relationship},{}/{}/{},{living}\n",
            born.0, born.1, born.2, certified.0, certified.1, certified.2
        ));
    }
    csv
}

/// The demo dependents as a union's file, for seeding on `today`.
pub fn demo_dependents_csv(today: Date) -> String {
    demo_dependents(fiscal_year_start(today))
}

/// Loads the demo dependents, puts the demo campaign (open from `today`'s start in Japan) and
/// publishes it, through the same steps as the operator CLI.
pub async fn seed(store: &dyn ItemStore, code: &InsurerCode, today: Date) -> Result<(), String> {
    let reference = fiscal_year_start(today);
    let year = today.year();
    dependents::import(store, code, year, &demo_dependents_csv(today), today, &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    let opening = format!("{}T00:00", Day::from(today).iso());
    let settings = Settings {
        title: format!("{}年度 被扶養者資格調査", reference.year()),
        opens_at: campaign::parse_opening(&opening).map_err(|e| e.to_string())?,
        due: Day::from(today + Duration::days(DEMO_DAYS_TO_DUE)),
        grace_days: 7,
        reference_date: Day::from(reference),
        rules: TargetRules {
            min_age: Some(DEMO_MIN_AGE),
            certified_by: Some(Day::from(reference - Duration::days(1))),
            ..TargetRules::default()
        },
        retention_days: campaign::DEFAULT_RETENTION_DAYS,
        reminders: vec![14, 7, 3, 1, 0],
        decision_mails: kennin::store::records::DecisionMails::default(),
    };
    settings.check().map_err(|e| e.to_string())?;
    campaign::put(store, code, year, settings)
        .await
        .map_err(|e| e.to_string())?;
    let opens = campaign::parse_opening(&opening).map_err(|e| e.to_string())?;
    campaign::publish(store, code, year, opens, &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
