use super::{Invalid, text};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// ユーザーID: 6–50 half-width letters, digits and `@ - _ , +`. Full-width input is folded to
/// half-width the same way at signup and at login. Uniqueness is case-insensitive across all
/// unions; `key()` is the form uniqueness is decided on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    /// How many characters a user ID has (all of them ASCII).
    pub const LENGTH: RangeInclusive<usize> = 6..=50;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        if value.is_empty() {
            return Err(Invalid("ユーザーIDを入力してください。"));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "@-_,+".contains(c);
        if !value.chars().all(allowed) {
            return Err(Invalid(
                "ユーザーIDは半角英字、半角数字、半角記号（@ - _ , +）で入力してください。",
            ));
        }
        if !UserId::LENGTH.contains(&value.len()) {
            return Err(Invalid(super::stated!(
                "ユーザーIDは{}文字以上{}文字以内で入力してください。",
                UserId::LENGTH.start(),
                UserId::LENGTH.end()
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form on which two IDs are the same ID.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

super::string_form!(UserId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet_and_folds_full_width() {
        assert_eq!(UserId::parse("taro_k+1@x,y-z").unwrap().as_str(), "taro_k+1@x,y-z");
        assert_eq!(UserId::parse("ｔａｒｏ１２３").unwrap().as_str(), "taro123");
        assert_eq!(
            UserId::parse("Taro.Kenpo".replace('.', "_").as_str()).unwrap().key(),
            "taro_kenpo"
        );
        assert_eq!(UserId::parse(&"a".repeat(50)).unwrap().as_str().len(), 50);
    }

    #[test]
    fn refuses_wrong_length_and_characters() {
        for bad in [
            "",
            "abcde",
            &"a".repeat(51),
            "taro kenpo",
            "taro.kenpo",
            "たろう123",
            "taro!!",
            "taro#1",
        ] {
            assert!(UserId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn uniqueness_key_ignores_case() {
        assert_eq!(
            UserId::parse("TaroKenpo").unwrap().key(),
            UserId::parse("tarokenpo").unwrap().key()
        );
    }
}
