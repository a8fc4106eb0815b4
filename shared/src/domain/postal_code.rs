use super::{Invalid, text};
use serde::{Deserialize, Serialize};

/// 郵便番号: seven digits, typed with or without the hyphen, half- or full-width, with or
/// without the 〒 mark. Kept as the seven digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

impl PostalCode {
    pub const DIGITS: usize = 7;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value: String = text::clean(input)
            .chars()
            .filter(|c| !matches!(c, '-' | '〒' | 'ー' | '\u{2010}'..='\u{2015}' | '\u{2212}') && !c.is_whitespace())
            .collect();
        if value.is_empty() {
            return Err(Invalid("郵便番号を入力してください。"));
        }
        if value.len() != Self::DIGITS || !text::is_ascii_digits(&value) {
            return Err(Invalid(super::stated!(
                "郵便番号は{}桁の数字で入力してください（例: 100-0001）。",
                PostalCode::DIGITS
            )));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `100-0001`, as it is written on letters.
    pub fn to_display(&self) -> String {
        format!("{}-{}", &self.0[..3], &self.0[3..])
    }
}

super::string_form!(PostalCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_ways_people_write_it() {
        for input in [
            "1000001",
            "100-0001",
            "１００－０００１",
            "〒100-0001",
            " 100 0001 ",
            "100ー0001",
            "100−0001",
        ] {
            assert_eq!(PostalCode::parse(input).unwrap().as_str(), "1000001", "{input:?}");
        }
        assert_eq!(PostalCode::parse("5410041").unwrap().to_display(), "541-0041");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in ["", "100-001", "10000011", "abc-defg", "100_0001"] {
            assert!(PostalCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
