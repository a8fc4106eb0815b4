use super::{Invalid, text};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// 住所 as the person writes it (full-width kept: addresses are written in Japanese), with
/// invisible characters dropped and surrounding space trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address(String);

const MAX_ADDRESS_CHARS: usize = 200;
const PHONE_DIGITS: RangeInclusive<usize> = 10..=11;

impl Address {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value: String = input
            .chars()
            .filter(|c| !text::is_zero_width(*c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let value = value.trim().to_string();
        if value.is_empty() {
            return Err(Invalid("住所を入力してください。"));
        }
        if value.chars().count() > MAX_ADDRESS_CHARS {
            return Err(Invalid(super::stated!(
                "住所は{MAX_ADDRESS_CHARS}文字以内で入力してください。"
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_form!(Address);

/// 電話番号: the digits only (the manual asks for no hyphens; we remove them, and spaces and
/// full-width forms, rather than refuse them). A Japanese number: 10 or 11 digits from 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value: String = text::clean(input)
            .chars()
            .filter(|c| {
                !matches!(c, '-' | 'ー' | '(' | ')' | '\u{2010}'..='\u{2015}' | '\u{2212}') && !c.is_whitespace()
            })
            .collect();
        if value.is_empty() {
            return Err(Invalid("電話番号を入力してください。"));
        }
        if !text::is_ascii_digits(&value) || !PHONE_DIGITS.contains(&value.len()) || !value.starts_with('0') {
            return Err(Invalid(super::stated!(
                "電話番号は0から始まる{}桁または{}桁の数字で入力してください（例: 09012345678）。",
                PHONE_DIGITS.start(),
                PHONE_DIGITS.end()
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_form!(PhoneNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_lose_hyphens_spaces_and_width() {
        for (input, digits) in [
            ("09012345678", "09012345678"),
            ("090-1234-5678", "09012345678"),
            ("０９０－１２３４－５６７８", "09012345678"),
            ("03 1234 5678", "0312345678"),
            ("(03)1234-5678", "0312345678"),
            ("06ー6220ー6172", "0662206172"),
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), digits, "{input:?}");
        }
    }

    #[test]
    fn phone_numbers_must_be_japanese_numbers() {
        for bad in [
            "",
            "9012345678",
            "031234567",
            "090123456789",
            "+819012345678",
            "0901234567a",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn addresses_are_kept_as_written_within_limits() {
        assert_eq!(
            Address::parse("  東京都千代田区千代田１－１\u{200B} ")
                .unwrap()
                .as_str(),
            "東京都千代田区千代田１－１"
        );
        assert!(Address::parse("   ").is_err());
        assert!(Address::parse(&"あ".repeat(201)).is_err());
        assert_eq!(Address::parse("大阪市\n中央区").unwrap().as_str(), "大阪市 中央区");
    }
}
