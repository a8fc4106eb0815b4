use super::{Invalid, text};
use serde::{Deserialize, Serialize};

/// 氏名（カナ）, kept as full-width katakana without spaces so that the person's input and the
/// roster compare equal however either was typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KanaName(String);

const MAX_CHARS: usize = 60;
const ONLY_KATAKANA: &str = "氏名（カナ）はカタカナで入力してください。";

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FD}' | '\u{30FE}')
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}')
}

/// Marks people type for the long vowel: the IME's ー, half-width ｰ (already ー after NFKC),
/// ASCII and full-width hyphen-minus, Unicode hyphens, dashes and the minus sign.
fn is_long_vowel_like(c: char) -> bool {
    matches!(c, 'ー' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Separators between family and given name carry no meaning for the match.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '・'
}

impl KanaName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let mut name = String::new();
        for c in text::clean(input).chars() {
            if is_separator(c) || text::is_zero_width(c) {
                continue;
            }
            if is_katakana(c) {
                name.push(c);
            } else if is_hiragana(c) {
                // The hiragana and katakana blocks are parallel: the same syllable sits 0x60 apart.
                name.push(char::from_u32(c as u32 + 0x60).ok_or(Invalid(ONLY_KATAKANA))?);
            } else if is_long_vowel_like(c) && name.chars().last().is_some_and(is_katakana) {
                name.push('ー');
            } else {
                return Err(Invalid(ONLY_KATAKANA));
            }
        }
        if name.is_empty() {
            return Err(Invalid("氏名（カナ）を入力してください。"));
        }
        if name.chars().count() > MAX_CHARS {
            return Err(Invalid("氏名（カナ）が長すぎます。"));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_form!(KanaName);

#[cfg(test)]
mod tests {
    use super::*;

    fn kana(s: &str) -> String {
        KanaName::parse(s).unwrap().as_str().to_string()
    }

    #[test]
    fn every_way_of_typing_the_same_name_is_equal() {
        for input in [
            "ケンポ タロウ",
            "ケンポタロウ",
            "ケンポ　タロウ",
            "ｹﾝﾎﾟ ﾀﾛｳ",
            "けんぽ たろう",
            "ケンポ\u{200B}タロウ",
            "  ケンポ  タロウ ",
            "ケンポ・タロウ",
        ] {
            assert_eq!(kana(input), "ケンポタロウ", "{input:?}");
        }
    }

    #[test]
    fn voiced_half_width_kana_compose() {
        assert_eq!(kana("ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ"), "ガギグパピ");
        assert_eq!(kana("ｳﾞｧｲｵﾘﾝ"), "ヴァイオリン");
    }

    #[test]
    fn hyphen_like_marks_after_kana_read_as_long_vowel() {
        for input in ["ルーシー", "ルｰシｰ", "ル-シ-", "ル‐シ‐", "ル−シ−", "ル－シ－", "ﾙｰｼｰ"]
        {
            assert_eq!(kana(input), "ルーシー", "{input:?}");
        }
    }

    #[test]
    fn anything_else_asks_for_katakana() {
        for bad in [
            "",
            "   ",
            "健保 太郎",
            "Kenpo Taro",
            "ケンポ1",
            "-ケンポ",
            "ケンポ!",
            "ﾞ",
        ] {
            assert!(KanaName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(KanaName::parse("山田").unwrap_err().0, ONLY_KATAKANA);
    }
}
