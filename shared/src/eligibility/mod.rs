//! The pre-check: the survey's answers against the eligibility rules (../shared/handbook/survey.md,
//! "Eligibility rules"), shown to the person as they answer and to the union's reviewer alike.
//! It never blocks submitting: the union decides, with the documents in hand.
//!
//! Levels: a fact that alone ends the status in law (75 or older, insured elsewhere, abroad
//! without an exception, a relative who must live in the same household living apart) is
//! `ineligible`. Income above a limit is a `warning`: the figures are the person's own estimate
//! of the next 12 months, which the union checks against the documents and may still accept
//! (the insured person as the household's main earner, a one-off income that will not recur).

mod thresholds;

pub use thresholds::{InvalidThresholds, Limit, ThresholdRule, ThresholdTable, Thresholds, YoungBand};

use crate::answers::{
    AbroadException, Answers, ApartReason, Continuation, IncomeLine, LivingAnswer, OtherInsurance, Per,
    RemittanceMethod, Residence,
};
use crate::domain::{BirthDate, Day, Relationship, age_on, grouped};
use crate::store::records::{Campaign, Target};
use schemars::JsonSchema;
use serde::Serialize;
use time::{Date, Month};

/// What the target's record and the campaign say about the dependent: the answers are checked
/// against these, not against the person's corrections, which the union has yet to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    pub relationship: Relationship,
    pub birth_date: BirthDate,
    /// The campaign's 基準日: ages and the thresholds in force are taken on it.
    pub reference_date: Day,
    /// The campaign's year: the 19–22 band counts ages on its 31 December.
    pub year: i32,
}

impl TargetFacts {
    pub fn of(target: &Target, campaign: &Campaign) -> Self {
        Self {
            relationship: target.recorded.relationship.clone(),
            birth_date: target.recorded.birth_date,
            reference_date: campaign.reference_date,
            year: campaign.year,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    YearlyIncome,
    DailyBenefit,
    RemittanceBelowIncome,
    RemittanceByHand,
    LateElderlyAge,
    OtherInsurance,
    ResidenceAbroad,
    RelationshipApart,
    Removal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warning,
    Ineligible,
}

/// The numbers a check compared, for the screen to show beside the answer (yen, or years).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_yearly: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yearly_remittance: Option<i64>,
    /// The amount the figure must stay below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<i64>,
}

/// One finding of the pre-check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub rule: Rule,
    pub level: Level,
    /// Japanese, naming the rule and showing the figures.
    pub message: String,
    pub figures: Figures,
}

/// A line's amount over a year: a month's twelve times, a year's (and a bonus given per year)
/// as is, a daily benefit's for the days the daily limits are derived with (360), so a daily
/// amount below its limit is also below the yearly one.
fn yearly(line: &IncomeLine, thresholds: &Thresholds) -> i64 {
    let times = match line.per {
        Per::Month => 12,
        Per::Year => 1,
        Per::Day => thresholds.benefit_days_per_year,
    };
    line.amount.saturating_mul(times)
}

pub fn expected_yearly_income(incomes: &[IncomeLine], thresholds: &Thresholds) -> i64 {
    incomes
        .iter()
        .fold(0, |sum: i64, line| sum.saturating_add(yearly(line, thresholds)))
}

/// The limit that applies to the dependent (`age` on the reference date) and its group's name in
/// messages: the most generous group they belong to.
fn limit_for(answers: &Answers, facts: &TargetFacts, thresholds: &Thresholds, age: i64) -> (Limit, Option<String>) {
    if age >= thresholds.senior_age || answers.disabled == Some(true) {
        let group = format!("{}歳以上または障害のある方", grouped(thresholds.senior_age));
        return (thresholds.senior, Some(group));
    }
    let year_end = Date::from_calendar_date(facts.year, Month::December, 31).ok();
    if let (Some(band), Some(year_end)) = (thresholds.young, year_end)
        && !facts.relationship.is_spouse()
        && (band.age_from..band.age_below).contains(&i64::from(age_on(facts.birth_date.date(), year_end)))
    {
        let group = format!("{}歳以上{}歳未満の方", grouped(band.age_from), grouped(band.age_below));
        return (band.limit, Some(group));
    }
    (thresholds.general, None)
}

/// The insurance the dependent is covered by elsewhere, as messages name it.
fn other_insurance(insurance: OtherInsurance) -> Option<&'static str> {
    match insurance {
        OtherInsurance::None => None,
        OtherInsurance::OwnEmployee => Some("勤務先の健康保険"),
        OtherInsurance::DependentOfOther => Some("ほかの方の被扶養者として健康保険"),
        OtherInsurance::National => Some("国民健康保険"),
        OtherInsurance::VoluntaryContinuation => Some("任意継続の健康保険"),
        OtherInsurance::LateElderly => Some("後期高齢者医療制度"),
    }
}

/// The relationships that may live apart; other relatives must share the household.
fn may_live_apart(relationship: &Relationship) -> bool {
    Relationship::KNOWN
        .iter()
        .filter(|known| **known != "その他")
        .any(|known| *known == relationship.as_str())
}

/// The answers so far against the rules in force on the campaign's reference date. Parts not
/// answered yet are not checked.
pub fn check(answers: &Answers, facts: &TargetFacts, thresholds: &Thresholds) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut push = |rule, level, message, figures| {
        checks.push(Check {
            rule,
            level,
            message,
            figures,
        })
    };
    let age = i64::from(age_on(facts.birth_date.date(), facts.reference_date.date()));
    if age >= thresholds.late_elderly_age {
        push(
            Rule::LateElderlyAge,
            Level::Ineligible,
            format!(
                "年齢の基準：基準日（{}）時点で {}歳 ／ {}歳以上の方は後期高齢者医療制度に加入するため被扶養者になれません。",
                facts.reference_date.japanese(),
                grouped(age),
                grouped(thresholds.late_elderly_age)
            ),
            Figures {
                age: Some(age),
                limit: Some(thresholds.late_elderly_age),
                ..Figures::default()
            },
        );
    }
    let apart = answers.living == Some(LivingAnswer::Apart);
    if apart && !may_live_apart(&facts.relationship) {
        push(
            Rule::RelationshipApart,
            Level::Ineligible,
            format!(
                "続柄と別居：続柄「{}」の方は、同居（同一世帯）でなければ被扶養者になれません。",
                facts.relationship.as_str()
            ),
            Figures::default(),
        );
    }
    // With the insured person away for work, the dependent keeps the household: no remittance
    // is asked for, so none is judged.
    let remittance = answers
        .remittance
        .as_ref()
        .filter(|_| apart && answers.apart_reason != Some(ApartReason::Work));
    let (limit, group) = limit_for(answers, facts, thresholds, age);
    let group = group.map(|group| format!("（{group}）")).unwrap_or_default();
    if let Some(incomes) = &answers.incomes {
        let expected = expected_yearly_income(incomes, thresholds);
        if expected >= limit.yearly {
            push(
                Rule::YearlyIncome,
                Level::Warning,
                format!(
                    "収入の基準{group}：見込み年収 {}円 ／ 基準 {}円未満",
                    grouped(expected),
                    grouped(limit.yearly)
                ),
                Figures {
                    expected_yearly: Some(expected),
                    limit: Some(limit.yearly),
                    ..Figures::default()
                },
            );
        }
        for line in incomes
            .iter()
            .filter(|line| line.per == Per::Day && line.amount >= limit.daily)
        {
            push(
                Rule::DailyBenefit,
                Level::Warning,
                format!(
                    "給付の日額の基準{group}：日額 {}円 ／ 基準 {}円未満",
                    grouped(line.amount),
                    grouped(limit.daily)
                ),
                Figures {
                    daily_amount: Some(line.amount),
                    limit: Some(limit.daily),
                    ..Figures::default()
                },
            );
        }
        if let Some(monthly) = remittance.and_then(|remittance| remittance.monthly_amount) {
            let yearly_remittance = monthly.saturating_mul(12);
            if expected >= yearly_remittance {
                push(
                    Rule::RemittanceBelowIncome,
                    Level::Warning,
                    format!(
                        "仕送りの基準：見込み年収 {}円 ／ 基準 仕送り額（年額）{}円未満",
                        grouped(expected),
                        grouped(yearly_remittance)
                    ),
                    Figures {
                        expected_yearly: Some(expected),
                        yearly_remittance: Some(yearly_remittance),
                        limit: Some(yearly_remittance),
                        ..Figures::default()
                    },
                );
            }
        }
    }
    if remittance.and_then(|remittance| remittance.method) == Some(RemittanceMethod::Hand) {
        push(
            Rule::RemittanceByHand,
            Level::Warning,
            "仕送りの方法：手渡しの仕送りは確認できないため認められません。振込または現金書留で毎月送金してください。"
                .to_string(),
            Figures::default(),
        );
    }
    if let Some(insurance) = answers.other_insurance.and_then(other_insurance) {
        push(
            Rule::OtherInsurance,
            Level::Ineligible,
            format!("ほかの健康保険：{insurance}に加入している方は被扶養者になれません。"),
            Figures::default(),
        );
    }
    if answers.residence == Some(Residence::Abroad)
        && matches!(answers.abroad_exception, None | Some(AbroadException::None))
    {
        push(
            Rule::ResidenceAbroad,
            Level::Ineligible,
            "国内居住の要件：海外に住んでいる方は、留学・海外赴任への同行などの例外に当たる場合のみ被扶養者になれます。"
                .to_string(),
            Figures::default(),
        );
    }
    if answers.continuation == Some(Continuation::Remove) {
        push(
            Rule::Removal,
            Level::Info,
            "今後の扶養：扶養から外れる場合は、この回答とは別に「被扶養者異動届」の提出と保険証の返却が必要です。"
                .to_string(),
            Figures::default(),
        );
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{IncomeKind, Remittance};
    use time::macros::date;

    const REFERENCE_DATE: Date = date!(2026 - 04 - 01);

    fn facts(relationship: &str, birth: Date) -> TargetFacts {
        TargetFacts {
            relationship: Relationship::parse(relationship).unwrap(),
            birth_date: BirthDate::parse(&birth.to_string(), date!(2100 - 01 - 01)).unwrap(),
            reference_date: Day::from(REFERENCE_DATE),
            year: 2026,
        }
    }

    fn thresholds_on(date: Date) -> Thresholds {
        ThresholdTable::built_in().in_force(Day::from(date)).unwrap()
    }

    fn with_income(kind: IncomeKind, amount: i64, per: Per) -> Answers {
        Answers {
            incomes: Some(vec![IncomeLine { kind, amount, per }]),
            ..Answers::default()
        }
    }

    fn yearly_wages(amount: i64) -> Answers {
        with_income(IncomeKind::Wages, amount, Per::Year)
    }

    /// The checks' rules and levels, for the boundary tables.
    fn found(answers: &Answers, facts: &TargetFacts) -> Vec<(Rule, Level)> {
        check(answers, facts, &thresholds_on(REFERENCE_DATE))
            .into_iter()
            .map(|check| (check.rule, check.level))
            .collect()
    }

    /// The yearly limit a check names, or none when the income is below it.
    fn yearly_limit_hit(answers: &Answers, facts: &TargetFacts) -> Option<i64> {
        check(answers, facts, &thresholds_on(REFERENCE_DATE))
            .into_iter()
            .find(|check| check.rule == Rule::YearlyIncome)
            .and_then(|check| check.figures.limit)
    }

    const ADULT: Date = date!(1990 - 06 - 15);

    #[test]
    fn yearly_income_counts_every_line_over_a_year() {
        let incomes = [
            IncomeLine {
                kind: IncomeKind::Wages,
                amount: 80_000,
                per: Per::Month,
            },
            IncomeLine {
                kind: IncomeKind::Bonus,
                amount: 100_000,
                per: Per::Year,
            },
            IncomeLine {
                kind: IncomeKind::SicknessBenefit,
                amount: 1_000,
                per: Per::Day,
            },
        ];
        let thresholds = thresholds_on(REFERENCE_DATE);
        assert_eq!(
            expected_yearly_income(&incomes, &thresholds),
            960_000 + 100_000 + 360_000
        );
    }

    #[test]
    fn the_general_limit_is_1_300_000_exclusive() {
        let child = facts("子", ADULT);
        assert!(found(&yearly_wages(1_299_999), &child).is_empty());
        let over = check(&yearly_wages(1_300_000), &child, &thresholds_on(REFERENCE_DATE));
        assert_eq!(over.len(), 1);
        assert_eq!((over[0].rule, over[0].level), (Rule::YearlyIncome, Level::Warning));
        assert_eq!(
            over[0].message,
            "収入の基準：見込み年収 1,300,000円 ／ 基準 1,300,000円未満"
        );
        assert_eq!(
            serde_json::to_value(&over[0]).unwrap(),
            serde_json::json!({
                "rule": "yearly_income",
                "level": "warning",
                "message": over[0].message,
                "figures": {"expectedYearly": 1_300_000, "limit": 1_300_000}
            })
        );
    }

    #[test]
    fn from_60_on_the_reference_date_or_disabled_the_limit_is_1_800_000() {
        let aged_59 = facts("父", date!(1966 - 04 - 02));
        let aged_60 = facts("父", date!(1966 - 04 - 01));
        assert_eq!(yearly_limit_hit(&yearly_wages(1_500_000), &aged_59), Some(1_300_000));
        assert_eq!(yearly_limit_hit(&yearly_wages(1_799_999), &aged_60), None);
        assert_eq!(yearly_limit_hit(&yearly_wages(1_800_000), &aged_60), Some(1_800_000));
        let disabled = |amount| Answers {
            disabled: Some(true),
            ..yearly_wages(amount)
        };
        let adult = facts("子", ADULT);
        assert_eq!(yearly_limit_hit(&disabled(1_799_999), &adult), None);
        let message = &check(&disabled(1_800_000), &adult, &thresholds_on(REFERENCE_DATE))[0].message;
        assert!(
            message.starts_with("収入の基準（60歳以上または障害のある方）："),
            "{message}"
        );
    }

    #[test]
    fn ages_19_to_22_on_31_december_have_1_500_000_unless_a_spouse() {
        let aged_18 = date!(2008 - 01 - 01);
        let aged_19 = date!(2007 - 12 - 31);
        let aged_22 = date!(2004 - 01 - 01);
        let aged_23 = date!(2003 - 12 - 31);
        let income = yearly_wages(1_400_000);
        assert_eq!(yearly_limit_hit(&income, &facts("子", aged_18)), Some(1_300_000));
        assert_eq!(yearly_limit_hit(&income, &facts("子", aged_19)), None);
        assert_eq!(yearly_limit_hit(&income, &facts("子", aged_22)), None);
        assert_eq!(yearly_limit_hit(&income, &facts("子", aged_23)), Some(1_300_000));
        assert_eq!(yearly_limit_hit(&income, &facts("配偶者", aged_19)), Some(1_300_000));
        assert_eq!(yearly_limit_hit(&income, &facts("配偶者", aged_22)), Some(1_300_000));
        assert_eq!(
            yearly_limit_hit(&yearly_wages(1_500_000), &facts("孫", aged_19)),
            Some(1_500_000)
        );
        let message = &check(
            &yearly_wages(1_500_000),
            &facts("子", aged_22),
            &thresholds_on(REFERENCE_DATE),
        )[0]
        .message;
        assert!(message.starts_with("収入の基準（19歳以上23歳未満の方）："), "{message}");
    }

    #[test]
    fn the_19_to_22_band_applies_only_from_2025_10_01() {
        let answers = yearly_wages(1_400_000);
        // A campaign whose reference date falls on each side of the notice.
        let limit_on = |date| {
            let student = TargetFacts {
                reference_date: Day::from(date),
                year: 2025,
                ..facts("子", date!(2005 - 05 - 01))
            };
            check(&answers, &student, &thresholds_on(date))
                .first()
                .and_then(|check| check.figures.limit)
        };
        assert_eq!(limit_on(date!(2025 - 09 - 30)), Some(1_300_000));
        assert_eq!(limit_on(date!(2025 - 10 - 01)), None);
    }

    #[test]
    fn daily_benefits_against_the_daily_limit_of_the_group() {
        let daily = |amount| with_income(IncomeKind::UnemploymentBenefit, amount, Per::Day);
        let daily_hits = |answers: &Answers, facts: &TargetFacts| {
            found(answers, facts).contains(&(Rule::DailyBenefit, Level::Warning))
        };
        let adult = facts("子", ADULT);
        assert!(!daily_hits(&daily(3_611), &adult));
        assert!(daily_hits(&daily(3_612), &adult));
        let aged_60 = facts("母", date!(1966 - 04 - 01));
        assert!(!daily_hits(&daily(4_999), &aged_60));
        assert!(daily_hits(&daily(5_000), &aged_60));
        let aged_20 = facts("子", date!(2006 - 05 - 01));
        assert!(!daily_hits(&daily(4_166), &aged_20));
        assert!(daily_hits(&daily(4_167), &aged_20));
        let message = &check(&daily(3_612), &adult, &thresholds_on(REFERENCE_DATE))[1].message;
        assert_eq!(message, "給付の日額の基準：日額 3,612円 ／ 基準 3,612円未満");
    }

    #[test]
    fn from_75_on_the_reference_date_a_person_is_ineligible() {
        let aged_74 = facts("父", date!(1951 - 04 - 02));
        let aged_75 = facts("父", date!(1951 - 04 - 01));
        assert!(!found(&Answers::default(), &aged_74).contains(&(Rule::LateElderlyAge, Level::Ineligible)));
        let checks = check(&Answers::default(), &aged_75, &thresholds_on(REFERENCE_DATE));
        assert_eq!(
            (checks[0].rule, checks[0].level),
            (Rule::LateElderlyAge, Level::Ineligible)
        );
        assert_eq!(
            checks[0].message,
            "年齢の基準：基準日（2026年4月1日）時点で 75歳 ／ 75歳以上の方は後期高齢者医療制度に加入するため被扶養者になれません。"
        );
    }

    fn apart(reason: ApartReason, remittance: Remittance, yearly_income: i64) -> Answers {
        Answers {
            living: Some(LivingAnswer::Apart),
            apart_reason: Some(reason),
            remittance: Some(remittance),
            ..yearly_wages(yearly_income)
        }
    }

    fn remittance(monthly: i64, method: RemittanceMethod) -> Remittance {
        Remittance {
            monthly_amount: Some(monthly),
            method: Some(method),
            since: Some("2024-04".into()),
        }
    }

    #[test]
    fn living_apart_income_stays_below_a_traceable_remittance() {
        let mother = facts("母", date!(1970 - 01 - 01));
        let by_bank = |monthly| remittance(monthly, RemittanceMethod::BankTransfer);
        assert!(
            found(
                &apart(ApartReason::SeparateHousehold, by_bank(50_001), 600_000),
                &mother
            )
            .is_empty()
        );
        let checks = check(
            &apart(ApartReason::SeparateHousehold, by_bank(50_000), 600_000),
            &mother,
            &thresholds_on(REFERENCE_DATE),
        );
        assert_eq!(
            (checks[0].rule, checks[0].level),
            (Rule::RemittanceBelowIncome, Level::Warning)
        );
        assert_eq!(
            checks[0].message,
            "仕送りの基準：見込み年収 600,000円 ／ 基準 仕送り額（年額）600,000円未満"
        );
        assert_eq!(checks[0].figures.yearly_remittance, Some(600_000));
        let by_hand = apart(ApartReason::School, remittance(100_000, RemittanceMethod::Hand), 0);
        assert_eq!(found(&by_hand, &mother), [(Rule::RemittanceByHand, Level::Warning)]);
        let registered = apart(
            ApartReason::School,
            remittance(100_000, RemittanceMethod::RegisteredMail),
            0,
        );
        assert!(found(&registered, &mother).is_empty());
        let insured_away = apart(ApartReason::Work, remittance(10_000, RemittanceMethod::Hand), 600_000);
        assert!(found(&insured_away, &mother).is_empty(), "no remittance is asked for");
        let together = Answers {
            living: Some(LivingAnswer::Together),
            ..by_hand
        };
        assert!(found(&together, &mother).is_empty());
    }

    #[test]
    fn relatives_beyond_the_close_family_must_not_live_apart() {
        let apart = Answers {
            living: Some(LivingAnswer::Apart),
            ..Answers::default()
        };
        let together = Answers {
            living: Some(LivingAnswer::Together),
            ..Answers::default()
        };
        for relationship in ["甥", "義父", "その他"] {
            assert_eq!(
                found(&apart, &facts(relationship, ADULT)),
                [(Rule::RelationshipApart, Level::Ineligible)],
                "{relationship}"
            );
            assert!(found(&together, &facts(relationship, ADULT)).is_empty());
        }
        for relationship in ["配偶者", "子", "父", "母", "祖父", "祖母", "孫", "兄", "姉", "弟", "妹"] {
            assert!(found(&apart, &facts(relationship, ADULT)).is_empty(), "{relationship}");
        }
        let message = &check(&apart, &facts("甥", ADULT), &thresholds_on(REFERENCE_DATE))[0].message;
        assert!(message.contains("続柄「甥」"), "{message}");
    }

    #[test]
    fn insured_elsewhere_or_abroad_without_an_exception_is_ineligible() {
        let adult = facts("子", ADULT);
        let insured = |insurance| Answers {
            other_insurance: Some(insurance),
            ..Answers::default()
        };
        assert!(found(&insured(OtherInsurance::None), &adult).is_empty());
        assert_eq!(
            found(&insured(OtherInsurance::National), &adult),
            [(Rule::OtherInsurance, Level::Ineligible)]
        );
        let national = check(
            &insured(OtherInsurance::National),
            &adult,
            &thresholds_on(REFERENCE_DATE),
        );
        assert_eq!(
            national[0].message,
            "ほかの健康保険：国民健康保険に加入している方は被扶養者になれません。"
        );
        let abroad = |exception| Answers {
            residence: Some(Residence::Abroad),
            abroad_exception: exception,
            ..Answers::default()
        };
        for without in [None, Some(AbroadException::None)] {
            assert_eq!(
                found(&abroad(without), &adult),
                [(Rule::ResidenceAbroad, Level::Ineligible)]
            );
        }
        assert!(found(&abroad(Some(AbroadException::Student)), &adult).is_empty());
        let in_japan = Answers {
            residence: Some(Residence::Japan),
            ..Answers::default()
        };
        assert!(found(&in_japan, &adult).is_empty());
    }

    #[test]
    fn a_removal_reminds_of_the_formal_notice() {
        let removing = Answers {
            continuation: Some(Continuation::Remove),
            ..Answers::default()
        };
        let checks = check(&removing, &facts("子", ADULT), &thresholds_on(REFERENCE_DATE));
        assert_eq!((checks[0].rule, checks[0].level), (Rule::Removal, Level::Info));
        assert!(checks[0].message.contains("被扶養者異動届"));
        let staying = Answers {
            continuation: Some(Continuation::Continue),
            ..Answers::default()
        };
        assert!(found(&staying, &facts("子", ADULT)).is_empty());
    }
}
