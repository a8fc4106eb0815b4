//! Reading a draft of the answers from the request's JSON. serde would stop at the first
//! problem and name it in English; here every problem is reported at once, in Japanese, keyed
//! by its JSON path (`answers.incomes[2].amount`). Each object's keys are taken one by one, and
//! whatever is left over is not part of the form.
//!
//! An answer not given may be absent, `null` or a blank string (an empty input): all three read
//! as not answered, and a draft may leave anything unanswered.

use super::{Answers, ApartAddress, Corrections, IncomeKind, IncomeLine, Per, Remittance, Removal, School};
use crate::domain::{Address, Invalid, KanaName, PostalCode, Sex, clean_text, grouped, stated};
use crate::error::{Error, Fields};
use crate::roster::MAX_NAME_CHARS;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::ops::RangeInclusive;
use time::{Date, Duration, Month};

/// Whole yen, for an income line and the monthly remittance.
pub const AMOUNTS_YEN: RangeInclusive<i64> = 0..=100_000_000;
pub const SCHOOL_YEARS: RangeInclusive<i64> = 1..=6;
pub const MAX_INCOME_LINES: usize = 30;
pub const MAX_SCHOOL_NAME_CHARS: usize = 100;
pub const MAX_REMOVAL_DETAIL_CHARS: usize = 500;
/// A removal may be announced ahead (employment from next April), not years ahead. (No public
/// source: our choice.)
pub const MAX_REMOVAL_DAYS_AHEAD: i64 = 365;
/// The earliest year a date of the form may lie in, as for birth dates on the roster.
const FIRST_YEAR: i32 = 1900;

const UNKNOWN_KEY: &str = "この項目は調査票にありません。";
const WHOLE_YEN: &str = "金額は円単位の整数で入力してください。";

impl Answers {
    /// A draft as the person sends it (the request's `answers`), or every problem in it.
    /// `today` is the caller's clock: birth dates lie before it, a remittance began by its
    /// month.
    pub fn parse(value: &Value, today: Date) -> Result<Answers, Error> {
        let Value::Object(map) = value else {
            return Err(Error::field("answers", "回答の形式が正しくありません。"));
        };
        let mut object = Object {
            path: String::from("answers"),
            map: map.clone(),
        };
        let mut reader = Reader {
            fields: Fields::default(),
            today,
        };
        let answers = reader.answers(&mut object);
        reader.refuse_unknown(object);
        reader.fields.finish().map(|()| answers)
    }
}

/// An object of the form whose keys are being taken.
struct Object {
    path: String,
    map: Map<String, Value>,
}

impl Object {
    fn path_of(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The answer at `key` with its path, if one was given.
    fn take(&mut self, key: &str) -> Option<(String, Value)> {
        let value = self.map.remove(key)?;
        let unanswered = match &value {
            Value::Null => true,
            // Blank as the free texts are cleaned: controls alone are no answer either.
            Value::String(text) => crate::domain::is_blank(&one_line(text)),
            _ => false,
        };
        (!unanswered).then(|| (self.path_of(key), value))
    }
}

struct Reader {
    fields: Fields,
    today: Date,
}

impl Reader {
    /// The keys nobody took are not part of the form.
    fn refuse_unknown(&mut self, object: Object) {
        for key in object.map.keys() {
            self.fields.add(object.path_of(key), UNKNOWN_KEY);
        }
    }

    /// The object `value`, read with `read`.
    fn read<T>(
        &mut self,
        path: String,
        value: Value,
        label: &str,
        read: impl FnOnce(&mut Self, &mut Object) -> T,
    ) -> Option<T> {
        let Value::Object(map) = value else {
            self.fields.add(path, format!("{label}の形式が正しくありません。"));
            return None;
        };
        let mut object = Object { path, map };
        let read = read(self, &mut object);
        self.refuse_unknown(object);
        Some(read)
    }

    /// The nested object at `key`, read with `read`.
    fn nested<T>(
        &mut self,
        object: &mut Object,
        key: &str,
        label: &str,
        read: impl FnOnce(&mut Self, &mut Object) -> T,
    ) -> Option<T> {
        let (path, value) = object.take(key)?;
        self.read(path, value, label, read)
    }

    /// The single value at `key`, read with `parse`.
    fn value<T>(
        &mut self,
        object: &mut Object,
        key: &str,
        parse: impl FnOnce(Value) -> Result<T, String>,
    ) -> Option<T> {
        let (path, value) = object.take(key)?;
        parse(value).map_err(|message| self.fields.add(path, message)).ok()
    }

    /// As `value`, for an answer that its object cannot do without. (A refused value keeps its
    /// own message: a field's first message stays.)
    fn required<T>(
        &mut self,
        object: &mut Object,
        key: &str,
        missing: &str,
        parse: impl FnOnce(Value) -> Result<T, String>,
    ) -> Option<T> {
        let path = object.path_of(key);
        let given = self.value(object, key, parse);
        if given.is_none() {
            self.fields.add(path, missing);
        }
        given
    }

    fn answers(&mut self, o: &mut Object) -> Answers {
        Answers {
            corrections: self.nested(o, "corrections", "訂正", Self::corrections),
            living: self.value(o, "living", choice("同居・別居")),
            apart_reason: self.value(o, "apartReason", choice("別居の理由")),
            apart_address: self.nested(o, "apartAddress", "別居先の住所", Self::apart_address),
            occupation: self.value(o, "occupation", choice("職業")),
            school: self.nested(o, "school", "学校", Self::school),
            incomes: self.incomes(o),
            remittance: self.nested(o, "remittance", "仕送り", Self::remittance),
            disabled: self.value(o, "disabled", |value| {
                value
                    .as_bool()
                    .ok_or_else(|| "障害の有無の値が正しくありません。".to_string())
            }),
            other_insurance: self.value(o, "otherInsurance", choice("ほかの健康保険")),
            residence: self.value(o, "residence", choice("お住まい")),
            abroad_exception: self.value(o, "abroadException", choice("海外に住んでいる理由")),
            continuation: self.value(o, "continuation", choice("今後の扶養")),
            removal: self.nested(o, "removal", "扶養から外れる手続き", Self::removal),
        }
    }

    fn corrections(&mut self, o: &mut Object) -> Corrections {
        let today = self.today;
        Corrections {
            name: self.value(o, "name", |value| {
                text(
                    value,
                    MAX_NAME_CHARS,
                    stated!("氏名は{MAX_NAME_CHARS}文字以内で入力してください。"),
                )
            }),
            name_kana: self.value(o, "nameKana", |value| {
                let kana = KanaName::parse(string(&value)?).map_err(message)?;
                Ok(kana.as_str().to_string())
            }),
            birth_date: self.value(o, "birthDate", |value| {
                let day = string(&value)?;
                if calendar(day, "生年月日", true)? >= today {
                    return Err("生年月日に今日以降の日付は入力できません。".into());
                }
                Ok(day.to_string())
            }),
            sex: self.value(o, "sex", |value| {
                let sex = Sex::parse(value.as_str().unwrap_or_default()).map_err(message)?;
                Ok(sex.label().to_string())
            }),
        }
    }

    fn apart_address(&mut self, o: &mut Object) -> ApartAddress {
        ApartAddress {
            postal_code: self.value(o, "postalCode", |value| {
                let code = PostalCode::parse(string(&value)?).map_err(message)?;
                Ok(code.as_str().to_string())
            }),
            address: self.value(o, "address", |value| {
                let address = Address::parse(string(&value)?).map_err(message)?;
                Ok(address.as_str().to_string())
            }),
        }
    }

    fn school(&mut self, o: &mut Object) -> School {
        School {
            name: self.value(o, "name", |value| {
                text(
                    value,
                    MAX_SCHOOL_NAME_CHARS,
                    stated!("学校名は{MAX_SCHOOL_NAME_CHARS}文字以内で入力してください。"),
                )
            }),
            year: self.value(o, "year", |value| {
                value
                    .as_i64()
                    .filter(|year| SCHOOL_YEARS.contains(year))
                    .ok_or_else(|| {
                        stated!(
                            "学年は{}から{}までの数字で入力してください。",
                            SCHOOL_YEARS.start(),
                            SCHOOL_YEARS.end()
                        )
                        .to_string()
                    })
            }),
        }
    }

    /// An empty list is an answer: no income.
    fn incomes(&mut self, o: &mut Object) -> Option<Vec<IncomeLine>> {
        let (path, value) = o.take("incomes")?;
        let Value::Array(lines) = value else {
            self.fields.add(path, "収入の形式が正しくありません。");
            return None;
        };
        if lines.len() > MAX_INCOME_LINES {
            self.fields
                .add(path, stated!("収入は{MAX_INCOME_LINES}件まで入力できます。"));
            return None;
        }
        let lines: Vec<Option<IncomeLine>> = lines
            .into_iter()
            .enumerate()
            .map(|(index, line)| {
                self.read(format!("{path}[{index}]"), line, "収入", Self::income_line)
                    .flatten()
            })
            .collect();
        lines.into_iter().collect()
    }

    fn income_line(&mut self, o: &mut Object) -> Option<IncomeLine> {
        let kind: Option<IncomeKind> = self.required(o, "kind", "収入の種類を選択してください。", choice("収入の種類"));
        let amount = self.required(o, "amount", "金額を入力してください。", yen);
        let per_path = o.path_of("per");
        let per = self.required(
            o,
            "per",
            "月額・年額・日額を選択してください。",
            choice("月額・年額・日額"),
        );
        let (kind, per) = (kind?, per?);
        // The handbook asks the benefits as daily amounts and checks them against daily limits.
        if kind.is_daily_benefit() != (per == Per::Day) {
            let message = if kind.is_daily_benefit() {
                "失業給付・傷病手当金・出産手当金は日額で入力してください。"
            } else {
                "日額は失業給付・傷病手当金・出産手当金にだけ使えます。"
            };
            self.fields.add(per_path, message);
            return None;
        }
        Some(IncomeLine {
            kind,
            amount: amount?,
            per,
        })
    }

    fn remittance(&mut self, o: &mut Object) -> Remittance {
        let today = self.today;
        Remittance {
            monthly_amount: self.value(o, "monthlyAmount", yen),
            method: self.value(o, "method", choice("仕送りの方法")),
            since: self.value(o, "since", |value| {
                let month = string(&value)?;
                let since = calendar(month, "仕送りを始めた年月", false)?;
                if (since.year(), since.month()) > (today.year(), today.month()) {
                    return Err("仕送りを始めた年月に来月以降は入力できません。".into());
                }
                Ok(month.to_string())
            }),
        }
    }

    fn removal(&mut self, o: &mut Object) -> Removal {
        let latest = self.today + Duration::days(MAX_REMOVAL_DAYS_AHEAD);
        Removal {
            date: self.value(o, "date", |value| {
                let day = string(&value)?;
                if calendar(day, "扶養から外れる日", true)? > latest {
                    return Err(stated!(
                        "扶養から外れる日は今日から{MAX_REMOVAL_DAYS_AHEAD}日以内の日付を入力してください。"
                    )
                    .into());
                }
                Ok(day.to_string())
            }),
            reason: self.value(o, "reason", choice("扶養から外れる理由")),
            detail: self.value(o, "detail", |value| {
                text(
                    value,
                    MAX_REMOVAL_DETAIL_CHARS,
                    stated!("詳細は{MAX_REMOVAL_DETAIL_CHARS}文字以内で入力してください。"),
                )
            }),
        }
    }
}

/// One of an enumeration's values, by its name in the JSON.
fn choice<T: DeserializeOwned>(label: &str) -> impl FnOnce(Value) -> Result<T, String> + '_ {
    move |value| {
        // serde would also read `{"work": null}` as the name alone.
        let named = value.is_string().then(|| serde_json::from_value(value).ok()).flatten();
        named.ok_or_else(|| format!("{label}は選択肢から選んでください。"))
    }
}

fn yen(value: Value) -> Result<i64, String> {
    match value.as_i64() {
        Some(amount) if AMOUNTS_YEN.contains(&amount) => Ok(amount),
        _ if value.is_i64() || value.is_u64() => Err(stated!(
            "金額は{}円から{}円までで入力してください。",
            AMOUNTS_YEN.start(),
            grouped(*AMOUNTS_YEN.end())
        )
        .into()),
        _ => Err(WHOLE_YEN.into()),
    }
}

fn message(refusal: Invalid) -> String {
    refusal.0.into()
}

fn string(value: &Value) -> Result<&str, String> {
    value.as_str().ok_or_else(|| "文字で入力してください。".into())
}

/// Line breaks and other controls as spaces, before the cleaning trims: a control at either end
/// leaves no space behind (and the text stored parses to itself again).
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Free text, cleaned as everywhere (NFKC, invisible characters dropped, trimmed), on one line.
fn text(value: Value, max_chars: usize, too_long: &str) -> Result<String, String> {
    let cleaned = clean_text(&one_line(string(&value)?));
    if cleaned.chars().count() > max_chars {
        return Err(too_long.into());
    }
    Ok(cleaned)
}

/// `YYYY-MM-DD`, or `YYYY-MM` without `day` (the first of the month), as the portal's date and
/// month inputs send them.
fn calendar(text: &str, label: &str, day: bool) -> Result<Date, String> {
    let (widths, example): (&[usize], _) = if day {
        (&[4, 2, 2], "2001-04-01")
    } else {
        (&[4, 2], "2001-04")
    };
    let parts: Vec<&str> = text.split('-').collect();
    let shaped = parts.len() == widths.len()
        && parts
            .iter()
            .zip(widths)
            .all(|(part, width)| part.len() == *width && part.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return Err(format!("{label}は {example} の形で入力してください。"));
    }
    let number = |index: usize| parts.get(index).map_or(Some(1), |part| part.parse::<u8>().ok());
    let year: i32 = parts[0].parse().unwrap_or_default();
    if year < FIRST_YEAR {
        return Err(format!("{label}の年が正しくありません。"));
    }
    number(1)
        .and_then(|month| Month::try_from(month).ok())
        .zip(number(2))
        .and_then(|(month, day)| Date::from_calendar_date(year, month, day).ok())
        .ok_or_else(|| format!("{label}に存在しない日付が入力されています。"))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::answers::{LivingAnswer, RemittanceMethod};
    use serde_json::json;
    use std::collections::BTreeMap;
    use time::macros::date;

    pub const TODAY: Date = date!(2026 - 12 - 06);

    /// Every part of the form answered, at the edges of its rules.
    pub fn complete() -> Value {
        json!({
            "corrections": {"name": "健保 花子", "nameKana": "ケンポハナコ", "birthDate": "2026-12-05", "sex": "女"},
            "living": "apart",
            "apartReason": "school",
            "apartAddress": {"postalCode": "1000001", "address": "東京都千代田区千代田1-1"},
            "occupation": "student",
            "school": {"name": "健保大学", "year": 6},
            "incomes": [
                {"kind": "wages", "amount": 0, "per": "month"},
                {"kind": "bonus", "amount": 100_000_000, "per": "year"},
                {"kind": "sickness_benefit", "amount": 3_611, "per": "day"}
            ],
            "remittance": {"monthlyAmount": 80_000, "method": "bank_transfer", "since": "2026-12"},
            "disabled": false,
            "otherInsurance": "none",
            "residence": "abroad",
            "abroadException": "student",
            "continuation": "remove",
            "removal": {"date": "2027-12-06", "reason": "employment", "detail": "就職予定"}
        })
    }

    pub fn parsed(value: Value) -> Answers {
        Answers::parse(&value, TODAY).unwrap_or_else(|e| panic!("{value} refused: {e:?}"))
    }

    fn refused(value: Value) -> BTreeMap<String, String> {
        match Answers::parse(&value, TODAY) {
            Err(Error::Invalid(fields)) => fields,
            other => panic!("{value} gave {other:?}"),
        }
    }

    /// `complete()` with `key` (a path inside the answers) set to `value`.
    fn with(key: &str, value: Value) -> Value {
        let mut answers = complete();
        let pointer = format!("/{}", key.replace('.', "/"));
        *answers
            .pointer_mut(&pointer)
            .unwrap_or_else(|| panic!("{key} is not in complete()")) = value;
        answers
    }

    #[test]
    fn a_complete_form_reads_and_round_trips() {
        let answers = parsed(complete());
        assert_eq!(answers.living, Some(LivingAnswer::Apart));
        assert_eq!(answers.incomes.as_ref().map(Vec::len), Some(3));
        assert_eq!(
            answers.remittance.as_ref().and_then(|r| r.method),
            Some(RemittanceMethod::BankTransfer)
        );
        let written = serde_json::to_value(&answers).expect("answers serialise");
        assert_eq!(written, complete());
        assert_eq!(parsed(written), answers);
    }

    #[test]
    fn an_empty_draft_is_fine_and_unanswered_is_absent_null_or_blank() {
        assert_eq!(parsed(json!({})), Answers::default());
        let answers = parsed(json!({"living": null, "occupation": " ", "school": {"name": "", "year": null}}));
        assert_eq!(answers.living, None);
        assert_eq!(answers.occupation, None);
        assert_eq!(answers.school, Some(School::default()));
        assert_eq!(parsed(json!({"incomes": []})).incomes, Some(vec![]));
    }

    #[test]
    fn texts_are_kept_as_the_rule_types_normalise_them() {
        let answers = parsed(json!({
            "corrections": {"name": "  健保　花子 ", "nameKana": "けんぽ はなこ", "sex": "女性"},
            "apartAddress": {"postalCode": "〒100-0001", "address": " 東京都千代田区 "},
            "school": {"name": "ＫＥＮＰＯ高校"}
        }));
        let corrections = answers.corrections.expect("corrections");
        assert_eq!(corrections.name.as_deref(), Some("健保 花子"));
        assert_eq!(corrections.name_kana.as_deref(), Some("ケンポハナコ"));
        assert_eq!(corrections.sex.as_deref(), Some("女"));
        let address = answers.apart_address.expect("address");
        assert_eq!(address.postal_code.as_deref(), Some("1000001"));
        assert_eq!(address.address.as_deref(), Some("東京都千代田区"));
        assert_eq!(answers.school.and_then(|s| s.name).as_deref(), Some("KENPO高校"));
    }

    /// A control character at an end (found by the survey_answers fuzz target) leaves no space
    /// behind: the stored text parses to itself.
    #[test]
    fn controls_at_the_ends_of_a_text_leave_no_space() {
        let answers = parsed(json!({"corrections": {"name": "健保 花子\u{7f}"}, "school": {"name": "\n健保高校\t"}}));
        assert_eq!(answers.corrections.and_then(|c| c.name).as_deref(), Some("健保 花子"));
        assert_eq!(answers.school.and_then(|s| s.name).as_deref(), Some("健保高校"));
    }

    /// A text of controls alone is no answer, as a blank one is (the survey_answers fuzz target
    /// found it kept as an empty name, which stored and read again was no name).
    #[test]
    fn a_text_of_controls_alone_is_no_answer() {
        let answers = parsed(json!({"corrections": {"name": "\u{7f}"}, "school": {"name": "\n\t"}}));
        assert_eq!(answers.corrections.expect("corrections").name, None);
        assert_eq!(answers.school.expect("school").name, None);
    }

    #[test]
    fn every_rule_accepts_its_edges() {
        let long = |n: usize| json!("あ".repeat(n));
        for (key, value) in [
            ("corrections.name", long(MAX_NAME_CHARS)),
            ("corrections.birthDate", json!("1900-01-01")),
            ("corrections.birthDate", json!("2024-02-29")),
            ("corrections.sex", json!("男")),
            ("school.year", json!(1)),
            ("school.name", long(MAX_SCHOOL_NAME_CHARS)),
            ("incomes", json!([])),
            (
                "incomes",
                json!(vec![
                    json!({"kind": "pension_old_age", "amount": 1, "per": "year"});
                    MAX_INCOME_LINES
                ]),
            ),
            (
                "incomes/0",
                json!({"kind": "unemployment_benefit", "amount": 5_000, "per": "day"}),
            ),
            (
                "incomes/0",
                json!({"kind": "maternity_benefit", "amount": 4_167, "per": "day"}),
            ),
            ("incomes/0", json!({"kind": "other", "amount": 1, "per": "month"})),
            ("remittance.monthlyAmount", json!(0)),
            ("remittance.monthlyAmount", json!(100_000_000)),
            ("remittance.since", json!("1990-01")),
            ("removal.date", json!("2001-04-01")),
            ("removal.date", json!("2027-12-06")),
            ("removal.detail", long(MAX_REMOVAL_DETAIL_CHARS)),
            ("disabled", json!(true)),
            ("otherInsurance", json!("late_elderly")),
            ("abroadException", json!("relationship_formed")),
            ("continuation", json!("continue")),
        ] {
            parsed(with(key, value));
        }
    }

    #[test]
    fn every_rule_refuses_a_bad_value_at_its_path_in_japanese() {
        let long = |n: usize| json!("あ".repeat(n + 1));
        for (key, value, path) in [
            ("corrections.name", long(MAX_NAME_CHARS), "answers.corrections.name"),
            ("corrections.name", json!(1), "answers.corrections.name"),
            ("corrections.nameKana", json!("健保"), "answers.corrections.nameKana"),
            (
                "corrections.birthDate",
                json!("2026-12-06"),
                "answers.corrections.birthDate",
            ),
            (
                "corrections.birthDate",
                json!("2023-02-29"),
                "answers.corrections.birthDate",
            ),
            (
                "corrections.birthDate",
                json!("2001-13-01"),
                "answers.corrections.birthDate",
            ),
            (
                "corrections.birthDate",
                json!("2001/04/01"),
                "answers.corrections.birthDate",
            ),
            (
                "corrections.birthDate",
                json!("2001-4-1"),
                "answers.corrections.birthDate",
            ),
            (
                "corrections.birthDate",
                json!("1899-12-31"),
                "answers.corrections.birthDate",
            ),
            ("corrections.sex", json!("F"), "answers.corrections.sex"),
            ("corrections", json!("健保"), "answers.corrections"),
            ("living", json!("far"), "answers.living"),
            ("living", json!(1), "answers.living"),
            ("living", json!({"together": null}), "answers.living"),
            ("apartReason", json!("holiday"), "answers.apartReason"),
            (
                "apartAddress.postalCode",
                json!("100-001"),
                "answers.apartAddress.postalCode",
            ),
            (
                "apartAddress.address",
                json!("東".repeat(201)),
                "answers.apartAddress.address",
            ),
            ("apartAddress", json!([]), "answers.apartAddress"),
            ("occupation", json!("astronaut"), "answers.occupation"),
            ("school.name", long(MAX_SCHOOL_NAME_CHARS), "answers.school.name"),
            ("school.year", json!(0), "answers.school.year"),
            ("school.year", json!(7), "answers.school.year"),
            ("school.year", json!("1"), "answers.school.year"),
            ("school.year", json!(1.5), "answers.school.year"),
            ("incomes", json!({}), "answers.incomes"),
            (
                "incomes",
                json!(vec![
                    json!({"kind": "wages", "amount": 1, "per": "month"});
                    MAX_INCOME_LINES + 1
                ]),
                "answers.incomes",
            ),
            ("incomes/1", json!("wages"), "answers.incomes[1]"),
            ("incomes/1/kind", json!("lottery"), "answers.incomes[1].kind"),
            ("incomes/1/amount", json!(-1), "answers.incomes[1].amount"),
            ("incomes/1/amount", json!(100_000_001), "answers.incomes[1].amount"),
            ("incomes/1/amount", json!(u64::MAX), "answers.incomes[1].amount"),
            ("incomes/1/amount", json!(1000.5), "answers.incomes[1].amount"),
            ("incomes/1/amount", json!(1000.0), "answers.incomes[1].amount"),
            ("incomes/1/amount", json!("1000"), "answers.incomes[1].amount"),
            ("incomes/1/per", json!("week"), "answers.incomes[1].per"),
            ("incomes/1/per", json!("day"), "answers.incomes[1].per"),
            ("incomes/2/per", json!("month"), "answers.incomes[2].per"),
            ("incomes/2/per", json!("year"), "answers.incomes[2].per"),
            (
                "remittance.monthlyAmount",
                json!(100_000_001),
                "answers.remittance.monthlyAmount",
            ),
            ("remittance.method", json!("pigeon"), "answers.remittance.method"),
            ("remittance.since", json!("2027-01"), "answers.remittance.since"),
            ("remittance.since", json!("2026-13"), "answers.remittance.since"),
            ("remittance.since", json!("2026-1"), "answers.remittance.since"),
            ("remittance.since", json!("2026-12-01"), "answers.remittance.since"),
            ("disabled", json!("yes"), "answers.disabled"),
            ("otherInsurance", json!("private"), "answers.otherInsurance"),
            ("residence", json!("moon"), "answers.residence"),
            ("abroadException", json!("long_stay"), "answers.abroadException"),
            ("continuation", json!("maybe"), "answers.continuation"),
            ("removal.date", json!("2027-12-07"), "answers.removal.date"),
            ("removal.date", json!("2027-02-29"), "answers.removal.date"),
            ("removal.reason", json!("boredom"), "answers.removal.reason"),
            (
                "removal.detail",
                long(MAX_REMOVAL_DETAIL_CHARS),
                "answers.removal.detail",
            ),
        ] {
            let fields = refused(with(key, value.clone()));
            assert_eq!(fields.keys().collect::<Vec<_>>(), [path], "{key} = {value}");
            let message = &fields[path];
            assert!(
                message.ends_with('。') && !message.is_ascii(),
                "{key} = {value}: {message}"
            );
        }
    }

    #[test]
    fn messages_state_the_limits() {
        let fields = refused(json!({
            "school": {"year": 9},
            "incomes": [{"kind": "wages", "amount": 100_000_001, "per": "month"}],
            "removal": {"detail": "あ".repeat(501)}
        }));
        assert_eq!(
            fields["answers.school.year"],
            "学年は1から6までの数字で入力してください。"
        );
        assert_eq!(
            fields["answers.incomes[0].amount"],
            "金額は0円から100,000,000円までで入力してください。"
        );
        assert_eq!(
            fields["answers.removal.detail"],
            "詳細は500文字以内で入力してください。"
        );
    }

    #[test]
    fn unknown_keys_are_refused_at_every_depth() {
        let mut answers = complete();
        answers["nickname"] = json!("ハナ");
        answers["school"]["grade"] = json!(2);
        answers["incomes"][1]["note"] = json!("冬");
        answers["corrections"]["address"] = json!("東京");
        answers["removal"]["when"] = json!("2027-01-01");
        let fields = refused(answers);
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            [
                "answers.corrections.address",
                "answers.incomes[1].note",
                "answers.nickname",
                "answers.removal.when",
                "answers.school.grade",
            ]
        );
        assert!(fields.values().all(|message| message == UNKNOWN_KEY));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let fields = refused(json!({
            "living": "far",
            "occupation": 3,
            "incomes": [{"amount": 1.5}, {"kind": "sickness_benefit", "amount": 3000, "per": "month"}],
            "remittance": {"since": "2026-02-30"},
            "extra": true
        }));
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            [
                "answers.extra",
                "answers.incomes[0].amount",
                "answers.incomes[0].kind",
                "answers.incomes[0].per",
                "answers.incomes[1].per",
                "answers.living",
                "answers.occupation",
                "answers.remittance.since",
            ]
        );
        assert_eq!(fields["answers.incomes[0].kind"], "収入の種類を選択してください。");
        assert_eq!(fields["answers.incomes[0].amount"], WHOLE_YEN);
        assert_eq!(
            fields["answers.remittance.since"],
            "仕送りを始めた年月は 2001-04 の形で入力してください。"
        );
    }

    #[test]
    fn answers_that_are_not_an_object_are_refused_whole() {
        for value in [json!([]), json!("together"), json!(null)] {
            assert_eq!(refused(value).keys().collect::<Vec<_>>(), ["answers"]);
        }
    }
}
