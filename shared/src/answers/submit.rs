//! What submitting needs, given the answers so far: the form asks some parts only when an
//! earlier answer makes them apply (別居, 学生, 海外, 扶養から外れる).

use super::{Answers, ApartReason, Continuation, LivingAnswer, Occupation, Residence};
use crate::error::{Error, Fields};

impl Answers {
    /// Every answer still missing for a submit, each under its JSON path with what to do.
    /// `incomes` must be answered, and `[]` is the answer "no income"; `disabled` and
    /// `corrections` may stay unanswered (not disabled, nothing to correct).
    pub fn missing_for_submit(&self) -> Result<(), Error> {
        let apart = self.living == Some(LivingAnswer::Apart);
        // The issue exempts 単身赴任: the family is not kept by a remittance then.
        let remitted = apart && self.apart_reason != Some(ApartReason::Work);
        let student = self.occupation == Some(Occupation::Student);
        let abroad = self.residence == Some(Residence::Abroad);
        let removed = self.continuation == Some(Continuation::Remove);
        let address = self.apart_address.as_ref();
        let school = self.school.as_ref();
        let remittance = self.remittance.as_ref();
        let removal = self.removal.as_ref();
        let required = [
            (true, "living", self.living.is_some(), "同居・別居を選択してください。"),
            (
                apart,
                "apartReason",
                self.apart_reason.is_some(),
                "別居の理由を選択してください。",
            ),
            (
                apart,
                "apartAddress.postalCode",
                address.is_some_and(|a| a.postal_code.is_some()),
                "別居先の郵便番号を入力してください。",
            ),
            (
                apart,
                "apartAddress.address",
                address.is_some_and(|a| a.address.is_some()),
                "別居先の住所を入力してください。",
            ),
            (
                true,
                "occupation",
                self.occupation.is_some(),
                "職業を選択してください。",
            ),
            (
                student,
                "school.name",
                school.is_some_and(|s| s.name.is_some()),
                "学校名を入力してください。",
            ),
            (
                student,
                "school.year",
                school.is_some_and(|s| s.year.is_some()),
                "学年を入力してください。",
            ),
            (
                true,
                "incomes",
                self.incomes.is_some(),
                "収入を入力してください。収入がない場合は、収入なしと回答してください。",
            ),
            (
                remitted,
                "remittance.monthlyAmount",
                remittance.is_some_and(|r| r.monthly_amount.is_some()),
                "仕送りの月額を入力してください。",
            ),
            (
                remitted,
                "remittance.method",
                remittance.is_some_and(|r| r.method.is_some()),
                "仕送りの方法を選択してください。",
            ),
            (
                remitted,
                "remittance.since",
                remittance.is_some_and(|r| r.since.is_some()),
                "仕送りを始めた年月を入力してください。",
            ),
            (
                true,
                "otherInsurance",
                self.other_insurance.is_some(),
                "ほかの健康保険を選択してください。",
            ),
            (
                true,
                "residence",
                self.residence.is_some(),
                "日本国内に住んでいるかどうかを選択してください。",
            ),
            (
                abroad,
                "abroadException",
                self.abroad_exception.is_some(),
                "海外に住んでいる理由を選択してください。",
            ),
            (
                true,
                "continuation",
                self.continuation.is_some(),
                "今後の扶養を選択してください。",
            ),
            (
                removed,
                "removal.date",
                removal.is_some_and(|r| r.date.is_some()),
                "扶養から外れる日を入力してください。",
            ),
            (
                removed,
                "removal.reason",
                removal.is_some_and(|r| r.reason.is_some()),
                "扶養から外れる理由を選択してください。",
            ),
        ];
        let mut fields = Fields::default();
        for (applies, key, given, message) in required {
            if applies && !given {
                fields.add(format!("answers.{key}"), message);
            }
        }
        fields.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::parse::tests::{complete, parsed};
    use serde_json::{Value, json};

    fn missing(answers: Value) -> Vec<String> {
        match parsed(answers).missing_for_submit() {
            Ok(()) => vec![],
            Err(Error::Invalid(fields)) => {
                assert!(fields.values().all(|message| message.ends_with("してください。")));
                fields.into_keys().collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    /// A complete form of a dependent living together, employed, in Japan, staying.
    fn together() -> Value {
        json!({
            "living": "together",
            "occupation": "part_time",
            "incomes": [{"kind": "wages", "amount": 80_000, "per": "month"}],
            "otherInsurance": "none",
            "residence": "japan",
            "continuation": "continue"
        })
    }

    fn together_with(changes: Value) -> Value {
        let mut answers = together();
        for (key, value) in changes.as_object().expect("changes are an object") {
            answers[key] = value.clone();
        }
        answers
    }

    #[test]
    fn complete_forms_can_be_submitted() {
        assert_eq!(missing(complete()), Vec::<String>::new());
        assert_eq!(missing(together()), Vec::<String>::new());
        assert_eq!(missing(together_with(json!({"incomes": []}))), Vec::<String>::new());
    }

    #[test]
    fn an_empty_draft_misses_every_unconditional_answer() {
        assert_eq!(
            missing(json!({})),
            [
                "answers.continuation",
                "answers.incomes",
                "answers.living",
                "answers.occupation",
                "answers.otherInsurance",
                "answers.residence",
            ]
        );
    }

    #[test]
    fn conditional_answers_are_missing_only_when_they_apply() {
        for (changes, expected) in [
            (
                json!({"living": "apart"}),
                &[
                    "answers.apartAddress.address",
                    "answers.apartAddress.postalCode",
                    "answers.apartReason",
                    "answers.remittance.method",
                    "answers.remittance.monthlyAmount",
                    "answers.remittance.since",
                ][..],
            ),
            (
                json!({"living": "apart", "apartReason": "work", "apartAddress": {"postalCode": "1000001"}}),
                &["answers.apartAddress.address"],
            ),
            (
                json!({
                    "living": "apart",
                    "apartReason": "facility",
                    "apartAddress": {"postalCode": "1000001", "address": "東京都"},
                    "remittance": {"monthlyAmount": 50_000, "method": "hand"}
                }),
                &["answers.remittance.since"],
            ),
            (
                json!({"occupation": "student"}),
                &["answers.school.name", "answers.school.year"],
            ),
            (
                json!({"occupation": "student", "school": {"year": 2}}),
                &["answers.school.name"],
            ),
            (json!({"residence": "abroad"}), &["answers.abroadException"]),
            (
                json!({"continuation": "remove"}),
                &["answers.removal.date", "answers.removal.reason"],
            ),
            (
                json!({"continuation": "remove", "removal": {"date": "2027-04-01"}}),
                &["answers.removal.reason"],
            ),
            (json!({"incomes": null}), &["answers.incomes"]),
            // Answers that do not apply are not asked for, even when left half done.
            (
                json!({"school": {"name": "健保高校"}, "remittance": {}, "removal": {"detail": "未定"}}),
                &[],
            ),
        ] {
            assert_eq!(missing(together_with(changes.clone())), expected, "{changes}");
        }
    }
}
