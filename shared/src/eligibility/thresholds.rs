//! The numbers the eligibility rules compare against, as dated data: ministerial notices change
//! them (the 19–22 band began on 2025-10-01), so each value carries the days it is in force and
//! a campaign uses the set in force on its reference date. A new notice is a new line in
//! `shared/assets/eligibility-thresholds.json`, not a change of code.

use crate::domain::Day;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Which number a line of the data gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdRule {
    /// Expected yearly income must stay below it (yen).
    YearlyIncomeLimit,
    /// The same for people at or above `SeniorAge`, or disabled.
    YearlyIncomeLimitSenior,
    /// The same for people aged `YoungAgeFrom` to below `YoungAgeBelow` on 12/31, spouses excepted.
    YearlyIncomeLimitYoung,
    /// A daily benefit (失業給付, 傷病手当金) must stay below it (yen a day).
    DailyBenefitLimit,
    DailyBenefitLimitSenior,
    DailyBenefitLimitYoung,
    /// Days a daily amount counts for in a year: the daily limits are the yearly ones divided by it.
    BenefitDaysPerYear,
    SeniorAge,
    YoungAgeFrom,
    YoungAgeBelow,
    /// From this age a person is insured by 後期高齢者医療 and cannot be a dependent.
    LateElderlyAge,
}

impl ThresholdRule {
    const ALL: [Self; 11] = [
        Self::YearlyIncomeLimit,
        Self::YearlyIncomeLimitSenior,
        Self::YearlyIncomeLimitYoung,
        Self::DailyBenefitLimit,
        Self::DailyBenefitLimitSenior,
        Self::DailyBenefitLimitYoung,
        Self::BenefitDaysPerYear,
        Self::SeniorAge,
        Self::YoungAgeFrom,
        Self::YoungAgeBelow,
        Self::LateElderlyAge,
    ];

    /// The 19–22 band's rules exist only from the notice that made it: they are in force together
    /// or not at all. Every other rule is in force on every day from the data's start.
    fn is_young_band(self) -> bool {
        matches!(
            self,
            Self::YearlyIncomeLimitYoung | Self::DailyBenefitLimitYoung | Self::YoungAgeFrom | Self::YoungAgeBelow
        )
    }
}

/// One value and the days it is in force, both ends included.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Line {
    rule: ThresholdRule,
    value: i64,
    valid_from: Day,
    #[serde(default)]
    valid_until: Option<Day>,
    /// The notice the value comes from, for the people who maintain the file.
    #[serde(default, rename = "source")]
    _source: Option<String>,
}

impl Line {
    fn covers(&self, day: Day) -> bool {
        self.valid_from <= day && self.valid_until.is_none_or(|until| day <= until)
    }
}

/// Why a thresholds file was refused.
#[derive(Debug, thiserror::Error)]
pub enum InvalidThresholds {
    #[error("the thresholds are not a list of rule lines: {0}")]
    Format(#[from] serde_json::Error),
    #[error("{0:?}: {1}")]
    Rule(ThresholdRule, &'static str),
    #[error("the 19–22 band's rules are not in force on the same days")]
    YoungBandApart,
}

/// Every dated value of the rules, checked for consistency when read.
#[derive(Debug, Clone)]
pub struct ThresholdTable {
    lines: Vec<Line>,
}

/// The yearly and daily limits of one group of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub yearly: i64,
    pub daily: i64,
}

/// The 19–22 band: ages counted on 12/31 of the campaign's year, spouses excepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YoungBand {
    pub age_from: i64,
    pub age_below: i64,
    pub limit: Limit,
}

/// The values in force on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub general: Limit,
    pub senior: Limit,
    pub senior_age: i64,
    pub young: Option<YoungBand>,
    pub benefit_days_per_year: i64,
    pub late_elderly_age: i64,
}

static BUILT_IN: LazyLock<ThresholdTable> = LazyLock::new(|| {
    ThresholdTable::from_json(include_str!("../../assets/eligibility-thresholds.json"))
        .expect("the built-in thresholds are consistent (tested)")
});

impl ThresholdTable {
    /// The values kennin ships with.
    pub fn built_in() -> &'static Self {
        &BUILT_IN
    }

    /// Reads a thresholds file: for each rule, periods that do not overlap; every rule but the
    /// 19–22 band's in force without a gap from its first day on; the band's rules on the same days.
    pub fn from_json(text: &str) -> Result<Self, InvalidThresholds> {
        let mut lines: Vec<Line> = serde_json::from_str(text)?;
        lines.sort_by_key(|line| (line.rule, line.valid_from));
        let mut periods: BTreeMap<ThresholdRule, Vec<(Day, Option<Day>)>> = BTreeMap::new();
        for line in &lines {
            periods
                .entry(line.rule)
                .or_default()
                .push((line.valid_from, line.valid_until));
        }
        for rule in ThresholdRule::ALL {
            let rule_periods = periods.get(&rule).map(Vec::as_slice).unwrap_or_default();
            check_periods(rule, rule_periods)?;
        }
        for line in &lines {
            if line.value <= 0 {
                return Err(InvalidThresholds::Rule(line.rule, "a value is not positive"));
            }
        }
        let young: Vec<_> = ThresholdRule::ALL
            .into_iter()
            .filter(|rule| rule.is_young_band())
            .map(|rule| periods.get(&rule))
            .collect();
        if young.windows(2).any(|pair| pair[0] != pair[1]) {
            return Err(InvalidThresholds::YoungBandApart);
        }
        Ok(Self { lines })
    }

    fn value(&self, rule: ThresholdRule, day: Day) -> Option<i64> {
        self.lines
            .iter()
            .find(|line| line.rule == rule && line.covers(day))
            .map(|line| line.value)
    }

    /// The values in force on `day` (a campaign's reference date); none before the data's start.
    pub fn in_force(&self, day: Day) -> Option<Thresholds> {
        let value = |rule| self.value(rule, day);
        let young = || {
            Some(YoungBand {
                age_from: value(ThresholdRule::YoungAgeFrom)?,
                age_below: value(ThresholdRule::YoungAgeBelow)?,
                limit: Limit {
                    yearly: value(ThresholdRule::YearlyIncomeLimitYoung)?,
                    daily: value(ThresholdRule::DailyBenefitLimitYoung)?,
                },
            })
        };
        Some(Thresholds {
            general: Limit {
                yearly: value(ThresholdRule::YearlyIncomeLimit)?,
                daily: value(ThresholdRule::DailyBenefitLimit)?,
            },
            senior: Limit {
                yearly: value(ThresholdRule::YearlyIncomeLimitSenior)?,
                daily: value(ThresholdRule::DailyBenefitLimitSenior)?,
            },
            senior_age: value(ThresholdRule::SeniorAge)?,
            young: young(),
            benefit_days_per_year: value(ThresholdRule::BenefitDaysPerYear)?,
            late_elderly_age: value(ThresholdRule::LateElderlyAge)?,
        })
    }
}

/// One rule's periods, sorted by their first day.
fn check_periods(rule: ThresholdRule, periods: &[(Day, Option<Day>)]) -> Result<(), InvalidThresholds> {
    let refuse = |why| Err(InvalidThresholds::Rule(rule, why));
    if periods
        .iter()
        .any(|(from, until)| until.is_some_and(|until| until < *from))
    {
        return refuse("a period ends before it starts");
    }
    for pair in periods.windows(2) {
        let ((_, Some(until)), (next_from, _)) = (pair[0], pair[1]) else {
            return refuse("an open-ended period is followed by another");
        };
        if next_from <= until {
            return refuse("two periods overlap");
        }
        if !rule.is_young_band() && until.date().next_day() != Some(next_from.date()) {
            return refuse("a gap between two periods");
        }
    }
    if rule.is_young_band() {
        return Ok(());
    }
    match periods.last() {
        None => refuse("no value"),
        Some((_, Some(_))) => refuse("the last period ends: the rule would be missing after it"),
        Some((_, None)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use time::macros::date;

    fn day(date: time::Date) -> Day {
        Day::from(date)
    }

    /// The built-in lines as JSON, for tests that change them.
    fn built_in_lines() -> Vec<Value> {
        serde_json::from_str(include_str!("../../assets/eligibility-thresholds.json")).unwrap()
    }

    fn table(lines: &[Value]) -> Result<ThresholdTable, InvalidThresholds> {
        ThresholdTable::from_json(&Value::from(lines.to_vec()).to_string())
    }

    fn line_of(lines: &[Value], rule: &str) -> usize {
        lines.iter().position(|line| line["rule"] == rule).unwrap()
    }

    #[test]
    fn the_built_in_data_is_consistent_and_gives_the_handbooks_numbers() {
        let table = ThresholdTable::built_in();
        let now = table.in_force(day(date!(2026 - 04 - 01))).unwrap();
        assert_eq!(
            now.general,
            Limit {
                yearly: 1_300_000,
                daily: 3_612
            }
        );
        assert_eq!(
            now.senior,
            Limit {
                yearly: 1_800_000,
                daily: 5_000
            }
        );
        assert_eq!(
            (now.senior_age, now.late_elderly_age, now.benefit_days_per_year),
            (60, 75, 360)
        );
        assert_eq!(
            now.young,
            Some(YoungBand {
                age_from: 19,
                age_below: 23,
                limit: Limit {
                    yearly: 1_500_000,
                    daily: 4_167
                }
            })
        );
        assert!(
            table.in_force(day(date!(2008 - 03 - 31))).is_none(),
            "before the data's start"
        );
    }

    #[test]
    fn the_19_to_22_band_starts_on_2025_10_01() {
        let table = ThresholdTable::built_in();
        assert_eq!(table.in_force(day(date!(2025 - 09 - 30))).unwrap().young, None);
        assert!(table.in_force(day(date!(2025 - 10 - 01))).unwrap().young.is_some());
    }

    #[test]
    fn a_new_notice_is_a_new_line_picked_by_date() {
        let mut lines = built_in_lines();
        let general = line_of(&lines, "yearly_income_limit");
        lines[general]["validUntil"] = json!("2027-03-31");
        lines.push(json!({"rule": "yearly_income_limit", "value": 1_400_000, "validFrom": "2027-04-01"}));
        let table = table(&lines).unwrap();
        let yearly = |date| table.in_force(day(date)).unwrap().general.yearly;
        assert_eq!(yearly(date!(2027 - 03 - 31)), 1_300_000);
        assert_eq!(yearly(date!(2027 - 04 - 01)), 1_400_000);
    }

    #[test]
    fn inconsistent_data_is_refused_when_read() {
        let refused = |change: &dyn Fn(&mut Vec<Value>)| {
            let mut lines = built_in_lines();
            change(&mut lines);
            table(&lines).unwrap_err().to_string()
        };
        let overlap = refused(&|lines| {
            lines.push(json!({"rule": "senior_age", "value": 65, "validFrom": "2030-01-01"}));
        });
        assert!(overlap.contains("SeniorAge"), "{overlap}");
        let gap = refused(&|lines| {
            let at = line_of(lines, "late_elderly_age");
            lines[at]["validUntil"] = json!("2029-12-31");
            lines.push(json!({"rule": "late_elderly_age", "value": 76, "validFrom": "2030-02-01"}));
        });
        assert!(gap.contains("gap"), "{gap}");
        let ends = refused(&|lines| {
            let at = line_of(lines, "benefit_days_per_year");
            lines[at]["validUntil"] = json!("2029-12-31");
        });
        assert!(ends.contains("missing after"), "{ends}");
        let missing = refused(&|lines| {
            let at = line_of(lines, "daily_benefit_limit");
            lines.remove(at);
        });
        assert!(missing.contains("no value"), "{missing}");
        let backwards = refused(&|lines| {
            let at = line_of(lines, "young_age_from");
            lines[at]["validUntil"] = json!("2025-01-01");
        });
        assert!(backwards.contains("ends before"), "{backwards}");
        let band_apart = refused(&|lines| {
            let at = line_of(lines, "daily_benefit_limit_young");
            lines[at]["validFrom"] = json!("2025-11-01");
        });
        assert!(band_apart.contains("19–22"), "{band_apart}");
        let unknown = refused(&|lines| {
            lines.push(json!({"rule": "yearly_income_limit_child", "value": 1, "validFrom": "2030-01-01"}))
        });
        assert!(unknown.contains("not a list"), "{unknown}");
        let zero = refused(&|lines| {
            let at = line_of(lines, "senior_age");
            lines[at]["value"] = json!(0);
        });
        assert!(zero.contains("positive"), "{zero}");
    }
}
