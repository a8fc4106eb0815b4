use super::{Invalid, text};
use rand::Rng;

/// 認証番号: six digits from a CSPRNG. Never serialised; only its HMAC is stored.
pub struct VerificationCode(String);

impl std::fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationCode(***)")
    }
}

impl VerificationCode {
    pub const DIGITS: usize = 6;

    pub fn generate() -> Self {
        // rand's thread RNG is a CSPRNG seeded from the OS; random_range has no modulo bias.
        let code = rand::rng().random_range(0..10u32.pow(Self::DIGITS as u32));
        Self(format!("{code:0width$}", width = Self::DIGITS))
    }

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value: String = text::clean(input).chars().filter(|c| !c.is_whitespace()).collect();
        if value.is_empty() {
            return Err(Invalid("認証番号を入力してください。"));
        }
        if value.len() != Self::DIGITS || !text::is_ascii_digits(&value) {
            return Err(Invalid(super::stated!(
                "認証番号は{}桁の数字で入力してください。",
                VerificationCode::DIGITS
            )));
        }
        Ok(Self(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..50)
            .map(|_| VerificationCode::generate().expose().to_string())
            .collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.len() > 40);
    }

    #[test]
    fn parse_accepts_full_width_and_spaces() {
        assert_eq!(VerificationCode::parse("６１１８９８").unwrap().expose(), "611898");
        assert_eq!(VerificationCode::parse("611 898").unwrap().expose(), "611898");
        for bad in ["", "61189", "6118988", "61189a"] {
            assert!(VerificationCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
