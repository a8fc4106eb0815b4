//! What a union's roster records of a dependent (被扶養者) and of the insured person's
//! standing, as the dependents and roster files state them.

use super::{Invalid, text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "男")]
    Male,
    #[serde(rename = "女")]
    Female,
}

impl Sex {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match text::clean(input).as_str() {
            "男" | "男性" => Ok(Self::Male),
            "女" | "女性" => Ok(Self::Female),
            _ => Err(Invalid("性別は 男 または 女 で入力してください。")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// Whether the dependent lives with the insured person: 別居 brings the remittance rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Living {
    #[serde(rename = "同居")]
    Together,
    #[serde(rename = "別居")]
    Apart,
}

impl Living {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match text::clean(input).as_str() {
            "同居" => Ok(Self::Together),
            "別居" => Ok(Self::Apart),
            _ => Err(Invalid("同居・別居は 同居 または 別居 で入力してください。")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Together => "同居",
            Self::Apart => "別居",
        }
    }
}

const MAX_RELATIONSHIP_CHARS: usize = 20;

/// 続柄 as the union's system writes it: the common ones by name, any other as written
/// (甥, 義父, 配偶者の子 …), which the eligibility rules treat as "other relatives".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Relationship(String);

impl Relationship {
    /// The relationships the survey's rules name.
    pub const KNOWN: [&str; 12] = [
        "配偶者",
        "子",
        "父",
        "母",
        "祖父",
        "祖母",
        "孫",
        "兄",
        "姉",
        "弟",
        "妹",
        "その他",
    ];

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        if value.is_empty() {
            return Err(Invalid("続柄を入力してください。"));
        }
        if value.chars().count() > MAX_RELATIONSHIP_CHARS || value.chars().any(char::is_control) {
            return Err(Invalid(stated!(
                "続柄は{MAX_RELATIONSHIP_CHARS}文字以内で入力してください。"
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_spouse(&self) -> bool {
        self.0 == "配偶者"
    }
}

super::string_form!(Relationship);

const MAX_DEPENDENT_NO: u16 = 999;

/// 枝番: which dependent of the card. "1" and "01" are the same dependent; stored two digits
/// wide at least, as cards print it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DependentNo(String);

impl DependentNo {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        match value.parse::<u16>() {
            Ok(number @ 1..=MAX_DEPENDENT_NO) if text::is_ascii_digits(&value) => Ok(Self(format!("{number:02}"))),
            _ => Err(Invalid(stated!(
                "枝番は1から{MAX_DEPENDENT_NO}までの数字で入力してください。"
            ))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_form!(DependentNo);

/// How the insured person is insured: unions often leave 任意継続 and 特例退職 out of the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub enum InsuredKind {
    #[default]
    #[serde(rename = "一般")]
    General,
    #[serde(rename = "任意継続")]
    VoluntaryContinuation,
    #[serde(rename = "特例退職")]
    SpecialRetiree,
}

impl InsuredKind {
    pub const ALL: [Self; 3] = [Self::General, Self::VoluntaryContinuation, Self::SpecialRetiree];

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        Self::ALL.into_iter().find(|kind| kind.label() == value).ok_or(Invalid(
            "種別は 一般・任意継続・特例退職 のいずれかで入力してください。",
        ))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::General => "一般",
            Self::VoluntaryContinuation => "任意継続",
            Self::SpecialRetiree => "特例退職",
        }
    }
}

const MAX_OFFICE_CODE_CHARS: usize = 20;

/// 事業所コード: the employer's office in the union's own numbering (letters, digits, hyphens).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficeCode(String);

impl OfficeCode {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        if value.is_empty()
            || value.len() > MAX_OFFICE_CODE_CHARS
            || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(Invalid(stated!(
                "事業所コードは英数字とハイフン{MAX_OFFICE_CODE_CHARS}文字以内で入力してください。"
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_form!(OfficeCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_read_as_people_and_spreadsheets_write_it() {
        assert_eq!(Sex::parse(" 女 ").unwrap(), Sex::Female);
        assert!(Sex::parse("F").is_err());
        assert_eq!(Living::parse("別居").unwrap(), Living::Apart);
        assert!(Living::parse("").is_err());
        assert_eq!(DependentNo::parse("１").unwrap().as_str(), "01");
        assert_eq!(DependentNo::parse("01").unwrap(), DependentNo::parse("1").unwrap());
        for bad in ["0", "1000", "a", "-1", ""] {
            assert!(DependentNo::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            InsuredKind::parse("任意継続").unwrap(),
            InsuredKind::VoluntaryContinuation
        );
        assert!(InsuredKind::parse("退職").is_err());
        assert_eq!(Relationship::parse("義父").unwrap().as_str(), "義父");
        assert!(Relationship::parse(&"子".repeat(MAX_RELATIONSHIP_CHARS + 1)).is_err());
        assert!(OfficeCode::parse("A-001").is_ok() && OfficeCode::parse("本社").is_err());
    }
}
