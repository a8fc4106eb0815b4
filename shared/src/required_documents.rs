//! The documents a dependent's answers require (../shared/handbook/survey.md, "Documents the
//! answers require"): a table of documents, each with the situation that asks for it, so a person
//! is asked for nothing the answers do not need. kennin ships a default table; a union may use
//! its own in the same format, checked by `DocumentTable::from_json`.

use crate::answers::{AbroadException, Answers, IncomeKind, LivingAnswer, Occupation, Residence};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::LazyLock;

pub const MAX_DOCUMENTS: usize = 30;
pub const MAX_KIND_CHARS: usize = 40;
pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_COMMON_NOTE_CHARS: usize = 500;
/// The word the common note must contain: no document may show a My Number.
const MY_NUMBER: &str = "マイナンバー";

/// The answers that make a document required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// Every target.
    Always,
    /// Occupation 学生.
    Student,
    /// A wages or bonus line (part-time pay included).
    Wages,
    /// Any pension line.
    Pension,
    UnemploymentBenefit,
    /// A business, real estate or agriculture line.
    BusinessIncome,
    /// Living apart with a monthly remittance.
    Remittance,
    /// Living abroad under one of the exceptions.
    AbroadException,
}

impl Situation {
    fn applies(self, answers: &Answers) -> bool {
        // A line of 0 yen is an answer of "none": it needs no proof.
        let has_income = |kinds: &[IncomeKind]| {
            answers
                .incomes
                .iter()
                .flatten()
                .any(|line| line.amount > 0 && kinds.contains(&line.kind))
        };
        match self {
            Self::Always => true,
            Self::Student => answers.occupation == Some(Occupation::Student),
            Self::Wages => has_income(&[IncomeKind::Wages, IncomeKind::Bonus]),
            Self::Pension => has_income(&[
                IncomeKind::PensionOldAge,
                IncomeKind::PensionSurvivor,
                IncomeKind::PensionDisability,
            ]),
            Self::UnemploymentBenefit => has_income(&[IncomeKind::UnemploymentBenefit]),
            Self::BusinessIncome => {
                has_income(&[IncomeKind::Business, IncomeKind::RealEstate, IncomeKind::Agriculture])
            }
            Self::Remittance => {
                answers.living == Some(LivingAnswer::Apart)
                    && answers
                        .remittance
                        .as_ref()
                        .and_then(|remittance| remittance.monthly_amount)
                        .is_some_and(|amount| amount > 0)
            }
            Self::AbroadException => {
                answers.residence == Some(Residence::Abroad)
                    && answers
                        .abroad_exception
                        .is_some_and(|exception| exception != AbroadException::None)
            }
        }
    }
}

/// One document of a table and when it is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentRule {
    /// snake_case id, stable across the union's changes of wording.
    pub kind: String,
    pub label: String,
    pub when: Situation,
    /// Which answer makes it required, as the person reads it.
    pub reason: String,
    /// What to know of this document in particular, shown before the common note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A table of documents: kennin's default or a union's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentTable {
    /// Shown with every document: that a My Number must not show.
    pub note: String,
    pub documents: Vec<DocumentRule>,
}

/// A document the answers require, as the form lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequiredDocument {
    pub kind: String,
    pub label: String,
    pub reason: String,
    pub note: String,
}

/// Why a union's table was refused, for the operator who supplied it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidTable(String);

static DEFAULT: LazyLock<DocumentTable> = LazyLock::new(|| {
    DocumentTable::from_json(include_str!("../assets/required-documents.json"))
        .expect("the default documents table is valid (tested)")
});

fn is_kind(kind: &str) -> bool {
    kind.chars().count() <= MAX_KIND_CHARS
        && kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_text(text: &str, max_chars: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max_chars && !text.chars().any(char::is_control)
}

impl DocumentTable {
    /// The table of the handbook, used by every union that has not set its own.
    pub fn default_table() -> &'static Self {
        &DEFAULT
    }

    /// Reads a table as a union supplies it, refusing what the form could not show well.
    pub fn from_json(text: &str) -> Result<Self, InvalidTable> {
        let table: Self =
            serde_json::from_str(text).map_err(|e| InvalidTable(format!("添付資料の表を読めません: {e}")))?;
        table.validate()?;
        Ok(table)
    }

    pub fn validate(&self) -> Result<(), InvalidTable> {
        if !is_text(&self.note, MAX_COMMON_NOTE_CHARS) || !self.note.contains(MY_NUMBER) {
            return Err(InvalidTable(format!(
                "共通の注意書きは{MAX_COMMON_NOTE_CHARS}文字以内で、{MY_NUMBER}の記載のある書類を受理できないことを書いてください。"
            )));
        }
        if self.documents.len() > MAX_DOCUMENTS {
            return Err(InvalidTable(format!("添付資料は{MAX_DOCUMENTS}件までです。")));
        }
        let mut kinds = BTreeSet::new();
        for (index, document) in self.documents.iter().enumerate() {
            let number = index + 1;
            if !is_kind(&document.kind) {
                return Err(InvalidTable(format!(
                    "{number}件目: kind は英小文字で始まる英小文字・数字・_ の{MAX_KIND_CHARS}文字以内にしてください。"
                )));
            }
            if !kinds.insert(document.kind.as_str()) {
                return Err(InvalidTable(format!(
                    "{number}件目: kind「{}」が重複しています。",
                    document.kind
                )));
            }
            let texts = [Some(&document.label), Some(&document.reason), document.note.as_ref()];
            if texts.into_iter().flatten().any(|text| !is_text(text, MAX_TEXT_CHARS)) {
                return Err(InvalidTable(format!(
                    "{number}件目: label・reason・note は1文字以上{MAX_TEXT_CHARS}文字以内にしてください。"
                )));
            }
        }
        Ok(())
    }
}

/// The documents `answers` require under `table`, in the table's order.
pub fn required_documents(answers: &Answers, table: &DocumentTable) -> Vec<RequiredDocument> {
    table
        .documents
        .iter()
        .filter(|document| document.when.applies(answers))
        .map(|document| RequiredDocument {
            kind: document.kind.clone(),
            label: document.label.clone(),
            reason: document.reason.clone(),
            note: match &document.note {
                Some(own) => format!("{own}{}", table.note),
                None => table.note.clone(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{IncomeLine, Per, Remittance};

    fn kinds(answers: &Answers, table: &DocumentTable) -> Vec<String> {
        required_documents(answers, table)
            .into_iter()
            .map(|document| document.kind)
            .collect()
    }

    fn with_income(kind: IncomeKind, amount: i64) -> Answers {
        Answers {
            incomes: Some(vec![IncomeLine {
                kind,
                amount,
                per: Per::Month,
            }]),
            ..Answers::default()
        }
    }

    #[test]
    fn each_situation_of_the_handbook_asks_for_its_document() {
        let table = DocumentTable::default_table();
        assert_eq!(kinds(&Answers::default(), table), ["income_certificate"]);
        let student = Answers {
            occupation: Some(Occupation::Student),
            ..Answers::default()
        };
        let apart = |monthly_amount| Answers {
            living: Some(LivingAnswer::Apart),
            remittance: Some(Remittance {
                monthly_amount,
                ..Remittance::default()
            }),
            ..Answers::default()
        };
        let abroad = |exception| Answers {
            residence: Some(Residence::Abroad),
            abroad_exception: Some(exception),
            ..Answers::default()
        };
        let cases = [
            (student, Some("student_certificate")),
            (with_income(IncomeKind::Wages, 80_000), Some("pay_slips")),
            (with_income(IncomeKind::Bonus, 100_000), Some("pay_slips")),
            (with_income(IncomeKind::Wages, 0), None),
            (with_income(IncomeKind::PensionSurvivor, 50_000), Some("pension_notice")),
            (
                with_income(IncomeKind::UnemploymentBenefit, 4_000),
                Some("unemployment_benefit_certificate"),
            ),
            (with_income(IncomeKind::SicknessBenefit, 4_000), None),
            (with_income(IncomeKind::RealEstate, 30_000), Some("tax_return")),
            (with_income(IncomeKind::Agriculture, 30_000), Some("tax_return")),
            (apart(Some(50_000)), Some("remittance_proof")),
            (apart(None), None),
            (
                Answers {
                    living: Some(LivingAnswer::Together),
                    ..apart(Some(50_000))
                },
                None,
            ),
            (abroad(AbroadException::Accompanying), Some("abroad_exception_proof")),
            (abroad(AbroadException::None), None),
        ];
        for (answers, extra) in cases {
            let mut expected = vec!["income_certificate"];
            expected.extend(extra);
            assert_eq!(kinds(&answers, table), expected, "{answers:?}");
        }
    }

    #[test]
    fn each_document_says_why_and_that_a_my_number_must_not_show() {
        let answers = with_income(IncomeKind::PensionOldAge, 100_000);
        let documents = required_documents(&answers, DocumentTable::default_table());
        assert!(documents.iter().all(|document| {
            document
                .note
                .contains("マイナンバーの記載のある添付資料は受理できません。")
        }));
        let pension = &documents[1];
        assert_eq!(pension.reason, "収入に年金があると回答したため。");
        assert_eq!(
            serde_json::to_value(pension)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["kind", "label", "note", "reason"]
        );
        assert!(
            documents[0].note.starts_with("1月1日時点の住所地"),
            "{}",
            documents[0].note
        );
    }

    #[test]
    fn a_union_uses_its_own_table() {
        let own = r#"{
            "note": "マイナンバーは黒く塗りつぶしてください。",
            "documents": [
                {"kind": "student_id", "label": "学生証の写し", "when": "student", "reason": "学生のため。"},
                {"kind": "pay_slips", "label": "給与明細（直近6か月）", "when": "wages", "reason": "給与があるため。"}
            ]
        }"#;
        let table = DocumentTable::from_json(own).unwrap();
        assert!(
            kinds(&Answers::default(), &table).is_empty(),
            "no income certificate for all"
        );
        let documents = required_documents(&with_income(IncomeKind::Wages, 90_000), &table);
        assert_eq!(
            documents,
            [RequiredDocument {
                kind: "pay_slips".into(),
                label: "給与明細（直近6か月）".into(),
                reason: "給与があるため。".into(),
                note: "マイナンバーは黒く塗りつぶしてください。".into(),
            }]
        );
        let stored = serde_json::to_string(&table).unwrap();
        assert_eq!(DocumentTable::from_json(&stored).unwrap(), table);
    }

    #[test]
    fn a_table_the_form_could_not_show_is_refused() {
        let valid = DocumentTable::default_table().clone();
        let refused = |change: &dyn Fn(&mut DocumentTable)| {
            let mut table = valid.clone();
            change(&mut table);
            table.validate().unwrap_err().to_string()
        };
        assert!(refused(&|table| table.note = "書類は鮮明に撮影してください。".into()).contains("マイナンバー"));
        assert!(refused(&|table| table.documents[1].kind = "pay_slips".into()).contains("重複"));
        for bad in ["", "Pay", "1st", "pay-slips", &"a".repeat(MAX_KIND_CHARS + 1)] {
            assert!(
                refused(&|table| table.documents[0].kind = bad.into()).contains("1件目"),
                "{bad:?}"
            );
        }
        assert!(refused(&|table| table.documents[2].label = " ".into()).contains("3件目"));
        assert!(refused(&|table| table.documents[2].reason = "x".repeat(MAX_TEXT_CHARS + 1)).contains("3件目"));
        assert!(refused(&|table| table.documents[0].note = Some("改行\n".into())).contains("1件目"));
        let many = refused(&|table| {
            table.documents = (0..=MAX_DOCUMENTS)
                .map(|n| DocumentRule {
                    kind: format!("doc_{n}"),
                    ..valid.documents[0].clone()
                })
                .collect()
        });
        assert!(many.contains("件まで"), "{many}");
        let unknown = DocumentTable::from_json(r#"{"note": "マイナンバー", "documents": [], "extra": 1}"#);
        assert!(unknown.unwrap_err().to_string().starts_with("添付資料の表を読めません"));
        let unknown_situation =
            r#"{"note": "マイナンバー", "documents": [{"kind": "a", "label": "a", "when": "retired", "reason": "a"}]}"#;
        assert!(DocumentTable::from_json(unknown_situation).is_err());
    }
}
