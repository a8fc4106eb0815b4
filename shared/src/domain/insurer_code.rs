use super::{Invalid, text};
use serde::{Deserialize, Serialize};

/// 保険者指定コード: four digits that select the union (e.g. `0904`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InsurerCode(String);

impl InsurerCode {
    pub const DIGITS: usize = 4;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        if value.is_empty() {
            return Err(Invalid("保険者指定コードを入力してください。"));
        }
        if value.len() != Self::DIGITS || !text::is_ascii_digits(&value) {
            return Err(Invalid(super::stated!(
                "保険者指定コードは{}桁の数字で入力してください。",
                InsurerCode::DIGITS
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_form!(InsurerCode);

impl std::fmt::Display for InsurerCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_four_digits_half_or_full_width() {
        assert_eq!(InsurerCode::parse("0904").unwrap().as_str(), "0904");
        assert_eq!(InsurerCode::parse("０９０４").unwrap().as_str(), "0904");
        assert_eq!(InsurerCode::parse(" 0904　").unwrap().as_str(), "0904");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in ["", "904", "09045", "09a4", "０９０", "-904"] {
            assert!(InsurerCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
