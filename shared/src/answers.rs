//! The survey form's answers for one target dependent (調査票), as the person saves them: a
//! draft may leave anything out; submitting needs what the answers given so far make required.
//! Every field's values are the handbook's (../shared/handbook/survey.md, "The form").
//!
//! A request's answers come in through `Answers::parse` (every problem at once, in Japanese);
//! the serde derives are for answers already parsed and stored.

mod parse;
mod submit;

pub use parse::{
    AMOUNTS_YEN, MAX_INCOME_LINES, MAX_REMOVAL_DAYS_AHEAD, MAX_REMOVAL_DETAIL_CHARS, MAX_SCHOOL_NAME_CHARS,
    SCHOOL_YEARS,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the person corrects of the dependent as the roster records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Corrections {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// `YYYY-MM-DD`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// 男 or 女
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LivingAnswer {
    Together,
    Apart,
}

/// Why a dependent living apart does so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApartReason {
    /// 単身赴任 (of the insured person)
    Work,
    /// 就学
    School,
    /// 別世帯
    SeparateHousehold,
    /// 施設入所
    Facility,
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApartAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Occupation {
    /// 会社員・公務員
    Employee,
    /// パート・アルバイト
    PartTime,
    /// 自営業
    SelfEmployed,
    /// 学生
    Student,
    /// 無職
    Unemployed,
    /// 年金受給者
    Pensioner,
    /// 求職中
    JobSeeking,
    /// 病気・障害のため就労不能
    UnableToWork,
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct School {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 学年, 1–6
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
}

/// A kind of income the form asks about, line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncomeKind {
    Wages,
    Bonus,
    PensionOldAge,
    PensionSurvivor,
    PensionDisability,
    Business,
    RealEstate,
    Agriculture,
    InterestDividend,
    /// 雇用保険の失業給付 (a daily amount)
    UnemploymentBenefit,
    /// 傷病手当金 (a daily amount)
    SicknessBenefit,
    /// 出産手当金 (a daily amount)
    MaternityBenefit,
    Other,
}

impl IncomeKind {
    /// The benefits the handbook asks as a daily amount, and checks against daily limits.
    pub fn is_daily_benefit(self) -> bool {
        matches!(
            self,
            Self::UnemploymentBenefit | Self::SicknessBenefit | Self::MaternityBenefit
        )
    }
}

/// What an income line's amount is counted per: the three benefits per `day` and only so (the
/// handbook asks them as daily amounts), everything else per `month` or `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Month,
    Year,
    Day,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IncomeLine {
    pub kind: IncomeKind,
    /// Whole yen, 0–100,000,000.
    pub amount: i64,
    pub per: Per,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemittanceMethod {
    BankTransfer,
    /// 現金書留
    RegisteredMail,
    /// 手渡し
    Hand,
    Other,
}

/// 仕送り to a dependent living apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Remittance {
    /// Whole yen a month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<RemittanceMethod>,
    /// `YYYY-MM`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OtherInsurance {
    /// 加入していない
    None,
    OwnEmployee,
    DependentOfOther,
    /// 国民健康保険
    National,
    VoluntaryContinuation,
    /// 後期高齢者医療
    LateElderly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Residence {
    Japan,
    Abroad,
}

/// The exceptions under which a dependent living abroad stays a dependent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbroadException {
    Student,
    Accompanying,
    Temporary,
    RelationshipFormed,
    Other,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Continuation {
    Continue,
    Remove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// 就職
    Employment,
    /// 収入増加
    Income,
    /// 結婚
    Marriage,
    /// 別居・転出
    MovedOut,
    /// 死亡
    Death,
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Removal {
    /// `YYYY-MM-DD`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RemovalReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One dependent's answers. Every part is optional in a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = crate::api::blank_is_unanswered)]
pub struct Answers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrections: Option<Corrections>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub living: Option<LivingAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apart_reason: Option<ApartReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apart_address: Option<ApartAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<Occupation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<School>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomes: Option<Vec<IncomeLine>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remittance: Option<Remittance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_insurance: Option<OtherInsurance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<Residence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abroad_exception: Option<AbroadException>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation: Option<Continuation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal: Option<Removal>,
}
