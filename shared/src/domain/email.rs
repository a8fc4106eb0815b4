use super::{Invalid, text};
use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// メールアドレス, checked by the `email_address` crate (RFC 5322 addr-spec) with the forms that
/// no mail provider hands out refused: display names, domain literals, dotless domains.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

const INVALID: &str = "メールアドレスの形式が正しくありません。";

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = text::clean(input);
        if value.is_empty() {
            return Err(Invalid("メールアドレスを入力してください。"));
        }
        let options = Options::default().without_display_text().without_domain_literal();
        let address = EmailAddress::parse_with_options(&value, options).map_err(|_| Invalid(INVALID))?;
        let domain = address.domain();
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || !value.is_ascii() {
            return Err(Invalid(INVALID));
        }
        if value.len() > 254 {
            return Err(Invalid(INVALID));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both name the same mailbox. Providers treat the local part without regard to
    /// case, so people type their address in any case: compared case-insensitively.
    pub fn same_mailbox(&self, other: &Email) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }

    /// The address folded as `same_mailbox` compares it: what a key for the mailbox is made of.
    pub fn mailbox(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// `t***@example.com`: enough for the person to recognise the address, not enough to
    /// harvest it.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl FromStr for Email {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

super::string_form!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_folds_full_width() {
        assert_eq!(Email::parse("taro@example.com").unwrap().as_str(), "taro@example.com");
        assert_eq!(
            Email::parse("ｔａｒｏ＠example.co.jp").unwrap().as_str(),
            "taro@example.co.jp"
        );
        assert!(Email::parse("taro.kenpo+survey@mail.example.jp").is_ok());
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "taro",
            "taro@",
            "@example.com",
            "taro@example",
            "Taro <taro@example.com>",
            "taro@[127.0.0.1]",
            "ta ro@example.com",
            "taro@@example.com",
            "たろう@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_same_mailbox_in_any_case() {
        let taro = Email::parse("Taro@Example.com").unwrap();
        assert!(taro.same_mailbox(&Email::parse("taro@example.COM").unwrap()));
        assert!(!taro.same_mailbox(&Email::parse("taro2@example.com").unwrap()));
        assert_eq!(taro.mailbox(), Email::parse("taro@example.COM").unwrap().mailbox());
    }

    #[test]
    fn masks_all_but_the_first_letter_and_domain() {
        assert_eq!(Email::parse("taro@example.com").unwrap().masked(), "t***@example.com");
    }
}
