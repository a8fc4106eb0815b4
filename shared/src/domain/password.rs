use super::{Invalid, UserId};
use zxcvbn::Score;

/// パスワード: 8–20 printable ASCII characters without space, at least one letter, one digit
/// and one symbol; not containing the user ID; not one of the passwords attackers try first.
/// Taken exactly as typed: never trimmed, folded or truncated. Never serialised.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(input: &str, user_id: Option<&UserId>) -> Result<Self, Invalid> {
        if input.is_empty() {
            return Err(Invalid("パスワードを入力してください。"));
        }
        if !input.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Invalid(
                "パスワードは半角英字、半角数字、半角記号で入力してください（空白や全角文字は使えません）。",
            ));
        }
        if !(8..=20).contains(&input.len()) {
            return Err(Invalid("パスワードは8文字以上20文字以内で入力してください。"));
        }
        let has = |f: fn(&char) -> bool| input.chars().any(|c| f(&c));
        if !(has(char::is_ascii_alphabetic) && has(char::is_ascii_digit) && has(char::is_ascii_punctuation)) {
            return Err(Invalid(
                "パスワードには半角英字、半角数字、記号をそれぞれ1文字以上含めてください。",
            ));
        }
        if let Some(user_id) = user_id
            && input.to_ascii_lowercase().contains(&user_id.key())
        {
            return Err(Invalid("パスワードにユーザーIDを含めることはできません。"));
        }
        // zxcvbn carries the leaked-password and common-word lists (with l33t and keyboard
        // patterns); anything it can guess within 10^6 tries is one of the passwords attackers
        // try first.
        let inputs: Vec<&str> = user_id.map(|id| vec![id.as_str()]).unwrap_or_default();
        if zxcvbn::zxcvbn(input, &inputs).score() < Score::Two {
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

    #[test]
    fn accepts_a_reasonable_password_exactly_as_typed() {
        let p = Password::parse("Sakura#2024go", Some(&uid("kenpo_taro"))).unwrap();
        assert_eq!(p.expose(), "Sakura#2024go");
        assert!(Password::parse("q7!vB2x@", None).is_ok());
        assert!(Password::parse("mZ4%kq-Lw9$e2Rt!aB7c", None).is_ok());
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
            assert!(Password::parse(bad, None).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refuses_the_user_id_inside() {
        let err = Password::parse("x!1Kenpo_Taro9", Some(&uid("kenpo_taro"))).unwrap_err();
        assert_eq!(err.0, "パスワードにユーザーIDを含めることはできません。");
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
            let err = Password::parse(common, None).unwrap_err();
            assert!(err.0.contains("推測されやすい"), "{common:?}: {}", err.0);
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("Sakura#2024go", None).unwrap();
        assert!(!format!("{p:?}").contains("Sakura"));
    }
}
