use super::{BirthDate, CardNumber, CardSymbol, InsurerCode, Invalid, UserId, text};
use std::ops::RangeInclusive;
use zxcvbn::Score;

/// パスワード: 8–20 printable ASCII characters without space, at least one letter, one digit
/// and one symbol; not containing the user ID or a context word (`PasswordContext`); not one of
/// the passwords attackers try first. Taken exactly as typed: never trimmed, folded or
/// truncated. Never serialised.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The service, the survey and health insurance in romaji, as people spell them (V6.1.2). They
/// are refused inside any password, whoever sets it. Shorter spellings already catch the
/// longer ones inside a password; the longer ones are kept because zxcvbn matches whole words.
pub const SERVICE_WORDS: &[&str] = &[
    "kennin",
    "kenpo",
    "kenpou",
    "kempo",
    "kenko",
    "kenkou",
    "hoken",
    "hihokensha",
    "fuyo",
    "fuyou",
    "chosa",
    "chousa",
    "kumiai",
];

/// Context words shorter than this (a one-digit 番号) are too common to refuse; zxcvbn still
/// gets them.
const MIN_REFUSED_WORD: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordKind {
    Service,
    Insurer,
    Card,
    BirthDate,
}

impl WordKind {
    /// Names what is wrong without repeating any part of the password.
    fn message(self) -> &'static str {
        match self {
            WordKind::Service => {
                "パスワードにサービス名や健康保険に関する語（kenpo、hoken、fuyo など）を含めることはできません。"
            }
            WordKind::Insurer => "パスワードに保険者指定コードや保険者名を含めることはできません。",
            WordKind::Card => "パスワードに被保険者証の記号・番号を含めることはできません。",
            WordKind::BirthDate => "パスワードに生年月日を含めることはできません。",
        }
    }
}

/// What is known about the person setting a password, as words an attacker who knows them
/// would try first (V6.2.11): the user ID, the union's insurer code and the romaji in its
/// name, the 記号・番号, and the birth date in the usual digit forms, besides `SERVICE_WORDS`.
/// A word is refused when the password contains it, case-folded and with symbols between
/// characters ignored (`Hoken-1990.01.01` contains both `hoken` and `19900101`); every word
/// also goes to zxcvbn as a user input.
#[derive(Debug, Clone)]
pub struct PasswordContext {
    user_id: Option<UserId>,
    refused: Vec<(WordKind, String)>,
    zxcvbn_only: Vec<String>,
}

impl PasswordContext {
    /// The service words, and the user ID when there is one.
    pub fn for_user(user_id: Option<&UserId>) -> Self {
        let mut context = Self {
            user_id: user_id.cloned(),
            refused: Vec::new(),
            zxcvbn_only: Vec::new(),
        };
        for word in SERVICE_WORDS {
            context.add(WordKind::Service, word.to_string());
        }
        context
    }

    fn add(&mut self, kind: WordKind, word: String) {
        if word.len() >= MIN_REFUSED_WORD {
            self.refused.push((kind, word));
        } else {
            self.zxcvbn_only.push(word);
        }
    }

    /// The union: its insurer code, and any word of Latin letters or digits in its name.
    pub fn insurer(mut self, code: &InsurerCode, name: &str) -> Self {
        self.add(WordKind::Insurer, code.as_str().to_string());
        let name = text::nfkc(name).to_ascii_lowercase();
        for word in name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            self.add(WordKind::Insurer, word.to_string());
        }
        self
    }

    /// The 記号 and 番号, each and together.
    pub fn card(mut self, symbol: &CardSymbol, number: &CardNumber) -> Self {
        for word in [
            symbol.as_str().to_string(),
            number.as_str().to_string(),
            format!("{}{}", symbol.as_str(), number.as_str()),
        ] {
            self.add(WordKind::Card, word);
        }
        self
    }

    /// 19900101, 900101 and 0101; the year alone (1990) only for zxcvbn.
    pub fn birth_date(mut self, birth_date: &BirthDate) -> Self {
        let date = birth_date.date();
        let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
        for word in [
            format!("{year:04}{month:02}{day:02}"),
            format!("{:02}{month:02}{day:02}", year % 100),
            format!("{month:02}{day:02}"),
        ] {
            self.add(WordKind::BirthDate, word);
        }
        // A year alone is in too many passwords that have nothing to do with the person.
        self.zxcvbn_only.push(format!("{year:04}"));
        self
    }

    fn refused_word_in(&self, password: &str) -> Option<WordKind> {
        let compact: String = password
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        self.refused
            .iter()
            .find(|(_, word)| compact.contains(word.as_str()))
            .map(|(kind, _)| *kind)
    }

    fn zxcvbn_inputs(&self) -> Vec<&str> {
        let user_id = self.user_id.as_ref().map(UserId::as_str);
        let refused = self.refused.iter().map(|(_, word)| word.as_str());
        user_id
            .into_iter()
            .chain(refused)
            .chain(self.zxcvbn_only.iter().map(String::as_str))
            .collect()
    }
}

impl Password {
    /// How many characters a new password has (all of them ASCII).
    pub const LENGTH: RangeInclusive<usize> = 8..=20;
    /// A staff member's: longer, since the console opens every member's data of the union.
    pub const STAFF_LENGTH: RangeInclusive<usize> = 12..=64;

    pub fn parse(input: &str, context: &PasswordContext) -> Result<Self, Invalid> {
        Self::parse_within(input, context, Self::LENGTH)
    }

    /// A staff member's new password: the same rules, `STAFF_LENGTH` characters.
    pub fn parse_for_staff(input: &str, context: &PasswordContext) -> Result<Self, Invalid> {
        Self::parse_within(input, context, Self::STAFF_LENGTH)
    }

    fn parse_within(input: &str, context: &PasswordContext, length: RangeInclusive<usize>) -> Result<Self, Invalid> {
        if input.is_empty() {
            return Err(Invalid("パスワードを入力してください。"));
        }
        if !input.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Invalid(
                "パスワードは半角英字、半角数字、半角記号で入力してください（空白や全角文字は使えません）。",
            ));
        }
        if !length.contains(&input.len()) {
            return Err(Invalid(if length == Password::STAFF_LENGTH {
                super::stated!(
                    "パスワードは{}文字以上{}文字以内で入力してください。",
                    Password::STAFF_LENGTH.start(),
                    Password::STAFF_LENGTH.end()
                )
            } else {
                super::stated!(
                    "パスワードは{}文字以上{}文字以内で入力してください。",
                    Password::LENGTH.start(),
                    Password::LENGTH.end()
                )
            }));
        }
        let has = |f: fn(&char) -> bool| input.chars().any(|c| f(&c));
        if !(has(char::is_ascii_alphabetic) && has(char::is_ascii_digit) && has(char::is_ascii_punctuation)) {
            return Err(Invalid(
                "パスワードには半角英字、半角数字、記号をそれぞれ1文字以上含めてください。",
            ));
        }
        if let Some(user_id) = &context.user_id
            && input.to_ascii_lowercase().contains(&user_id.key())
        {
            return Err(Invalid("パスワードにユーザーIDを含めることはできません。"));
        }
        if let Some(kind) = context.refused_word_in(input) {
            return Err(Invalid(kind.message()));
        }
        // zxcvbn carries the leaked-password and common-word lists (with l33t and keyboard
        // patterns); anything it can guess within 10^6 tries is one of the passwords attackers
        // try first.
        if zxcvbn::zxcvbn(input, &context.zxcvbn_inputs()).score() < Score::Two {
            return Err(Invalid(
                "このパスワードはよく使われていて推測されやすいため使えません。別のパスワードを設定してください。",
            ));
        }
        Ok(Self(input.to_string()))
    }

    /// For checking a login attempt: only non-empty, nothing else, so that a person whose
    /// password predates a rule can still log in.
    pub fn for_login(input: &str) -> Result<Self, Invalid> {
        if input.is_empty() {
            return Err(Invalid("パスワードを入力してください。"));
        }
        if input.len() > 256 {
            return Err(Invalid("パスワードが長すぎます。"));
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn anyone() -> PasswordContext {
        PasswordContext::for_user(None)
    }

    /// 健保 太郎 of the demo union: 0904, 1001-1, born 1990/01/01.
    fn taro() -> PasswordContext {
        let today = time::macros::date!(2036 - 06 - 01);
        PasswordContext::for_user(Some(&uid("kenpo_taro")))
            .insurer(&InsurerCode::parse("0904").unwrap(), "けんにん健康保険組合（デモ）")
            .card(&CardSymbol::parse("1001").unwrap(), &CardNumber::parse("1").unwrap())
            .birth_date(&BirthDate::parse("1990/01/01", today).unwrap())
    }

    #[test]
    fn accepts_a_reasonable_password_exactly_as_typed() {
        let p = Password::parse("Sakura#2024go", &taro()).unwrap();
        assert_eq!(p.expose(), "Sakura#2024go");
        assert!(Password::parse("q7!vB2x@", &anyone()).is_ok());
        assert!(Password::parse("mZ4%kq-Lw9$e2Rt!aB7c", &anyone()).is_ok());
    }

    #[test]
    fn refuses_each_rule() {
        for bad in [
            "",
            "Ab1!x",                 // too short
            "Abcdefgh1!Abcdefgh1!x", // 21 characters
            "abcdefgh12",            // no symbol
            "abcdefgh!!",            // no digit
            "12345678!!",            // no letter
            " Sakura#2024go",        // leading space is not trimmed, it is refused
            "Sakura#2024ご",         // full-width
            "Ｓａｋｕｒａ#2024",     // full-width letters are not folded
        ] {
            assert!(Password::parse(bad, &anyone()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refuses_the_user_id_inside() {
        let err = Password::parse("x!1Kenpo_Taro9", &PasswordContext::for_user(Some(&uid("kenpo_taro")))).unwrap_err();
        assert_eq!(err.0, "パスワードにユーザーIDを含めることはできません。");
    }

    #[test]
    fn refuses_service_words_for_everyone() {
        for bad in [
            "Kenpo#2931x",
            "my-HOKEN!72q",
            "Fu.yo9!Wq7z",
            "x7!Chousa3b",
            "kenNIN!839a",
            "Kumiai$6710",
        ] {
            let err = Password::parse(bad, &anyone()).unwrap_err();
            assert_eq!(
                err.0,
                "パスワードにサービス名や健康保険に関する語（kenpo、hoken、fuyo など）を含めることはできません。",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_what_is_known_about_the_person_without_repeating_it() {
        for (bad, message) in [
            ("Sakura#19900101", "パスワードに生年月日を含めることはできません。"),
            ("Sakura#1990/01/01", "パスワードに生年月日を含めることはできません。"),
            ("Sakura#900101", "パスワードに生年月日を含めることはできません。"),
            ("q7!vB0101x", "パスワードに生年月日を含めることはできません。"),
            (
                "Sakura#10011",
                "パスワードに被保険者証の記号・番号を含めることはできません。",
            ),
            (
                "Sak#1001ura",
                "パスワードに被保険者証の記号・番号を含めることはできません。",
            ),
            (
                "Sakura#0904z",
                "パスワードに保険者指定コードや保険者名を含めることはできません。",
            ),
        ] {
            let err = Password::parse(bad, &taro()).unwrap_err();
            assert_eq!(err.0, message, "{bad:?}");
            assert!(!err.0.contains(bad), "the message never repeats the password");
        }
        // The same passwords are fine for someone else, and a lone 番号 or year is not refused.
        assert!(Password::parse("Sakura#19900101", &anyone()).is_ok());
        assert!(Password::parse("Sakura#1go1990x", &taro()).is_ok());
    }

    #[test]
    fn the_union_name_gives_its_latin_words() {
        let context = anyone().insurer(&InsurerCode::parse("0123").unwrap(), "ＡＢＣＤ健康保険組合");
        let err = Password::parse("Abcd#5821qz", &context).unwrap_err();
        assert_eq!(
            err.0,
            "パスワードに保険者指定コードや保険者名を含めることはできません。"
        );
    }

    #[test]
    fn context_words_reach_zxcvbn() {
        // Not contained as a refused word (a 3-character 番号), but zxcvbn is told about it.
        let context = anyone().card(&CardSymbol::parse("77").unwrap(), &CardNumber::parse("583").unwrap());
        assert!(context.zxcvbn_inputs().contains(&"583"));
        assert!(taro().zxcvbn_inputs().contains(&"1990"));
        assert!(taro().zxcvbn_inputs().contains(&"kenpo_taro"));
    }

    #[test]
    fn refuses_well_known_passwords_that_meet_the_rule() {
        for common in [
            "Password1!",
            "P@ssw0rd",
            "P@ssw0rd1",
            "Passw0rd!",
            "Qwerty123!",
            "abc123!!",
            "Password123!",
            "1qaz!QAZ",
        ] {
            let err = Password::parse(common, &anyone()).unwrap_err();
            assert!(err.0.contains("推測されやすい"), "{common:?}: {}", err.0);
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("Sakura#2024go", &anyone()).unwrap();
        assert!(!format!("{p:?}").contains("Sakura"));
    }
}
