use super::{InsurerCode, Invalid, text};
use serde::{Deserialize, Serialize};

// 記号 and 番号 are compared as the digit strings printed on the card, leading zeros kept:
// "0012" and "12" are different cards. Unions print them zero-padded and their core systems
// export them the same way, so stripping zeros would only create false matches.
const MAX_DIGITS: usize = 10;

macro_rules! card_part {
    ($name:ident, $label:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, Invalid> {
                let value = text::clean(input);
                if value.is_empty() {
                    return Err(Invalid(concat!($label, "を入力してください。")));
                }
                if value.len() > MAX_DIGITS || !text::is_ascii_digits(&value) {
                    return Err(Invalid(super::stated!(
                        "{}は数字（{MAX_DIGITS}桁以内）で入力してください。",
                        $label
                    )));
                }
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        super::string_form!($name);
    };
}

card_part!(CardSymbol, "記号");
card_part!(CardNumber, "番号");

/// 記号-番号 as one text (`1001-23`), half or full width: what a call-center operator types
/// from the card the person reads out.
pub fn parse_card(input: &str) -> Result<(CardSymbol, CardNumber), Invalid> {
    let value = text::clean(input);
    let Some((symbol, number)) = value.split_once(['-', '\u{2212}', 'ー']) else {
        return Err(Invalid("記号と番号を「-」でつないで入力してください（例: 1001-23）。"));
    };
    Ok((CardSymbol::parse(symbol)?, CardNumber::parse(number)?))
}

/// One insurance card (the union, 記号 and 番号) as one value, for what is counted per card
/// (the identity and user-ID throttles). It is personal: only its keyed fingerprint is stored.
pub fn card_value(insurer: &InsurerCode, symbol: &CardSymbol, number: &CardNumber) -> String {
    format!("{insurer}\0{}\0{}", symbol.as_str(), number.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_spaces_are_normalised_leading_zeros_kept() {
        assert_eq!(CardSymbol::parse("１２３").unwrap().as_str(), "123");
        assert_eq!(CardNumber::parse("  0045 ").unwrap().as_str(), "0045");
        assert_ne!(CardNumber::parse("0045").unwrap(), CardNumber::parse("45").unwrap());
    }

    #[test]
    fn a_card_is_symbol_and_number_joined_by_a_hyphen_in_either_width() {
        for typed in ["1001-23", "１００１－２３", " 1001 - 23 ", "1001ー23"] {
            let (symbol, number) = parse_card(typed).unwrap();
            assert_eq!((symbol.as_str(), number.as_str()), ("1001", "23"), "{typed:?}");
        }
        for bad in ["100123", "1001-", "-23", "1001-2-3", "abc-1"] {
            assert!(parse_card(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refuses_non_digits() {
        for bad in ["", "12-3", "abc", "12 3", "12345678901"] {
            assert!(CardSymbol::parse(bad).is_err(), "{bad:?}");
        }
    }
}
