//! The staff console's second factor: TOTP codes (RFC 6238) and single-use recovery codes, and
//! the sealed form in which a TOTP secret is stored. Primitives only: the staff records, the
//! one-use claims (TotpUse) and the sign-in flow build on them.

mod recovery_codes;
mod sealed;
mod totp;

pub use recovery_codes::{RECOVERY_CODE_COUNT, RecoveryCode, RecoveryCodes};
pub use sealed::{SealingKey, Unsealable};
pub use totp::{TotpCode, TotpSecret};

/// What a staff member typed in the sign-in's code field: six digits are a TOTP code, twelve
/// letters of the recovery alphabet a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    Totp(TotpCode),
    Recovery(RecoveryCode),
}

impl SecondFactor {
    pub fn parse(input: &str) -> Option<Self> {
        TotpCode::parse(input)
            .map(Self::Totp)
            .or_else(|| RecoveryCode::parse(input).map(Self::Recovery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_are_a_totp_code_twelve_letters_a_recovery_code() {
        assert!(matches!(SecondFactor::parse("287082"), Some(SecondFactor::Totp(_))));
        assert!(matches!(
            SecondFactor::parse("２８７ ０８２"),
            Some(SecondFactor::Totp(_))
        ));
        assert!(matches!(
            SecondFactor::parse("7kq2-x9md-c4tp"),
            Some(SecondFactor::Recovery(_))
        ));
        assert!(matches!(
            SecondFactor::parse("７ＫＱ２ーＸ９ＭＤーＣ４ＴＰ"),
            Some(SecondFactor::Recovery(_))
        ));
        assert!(matches!(
            SecondFactor::parse("234567892345"),
            Some(SecondFactor::Recovery(_))
        ));
        for neither in ["", "28708", "2870823", "7kq2-x9md", "password"] {
            assert_eq!(SecondFactor::parse(neither), None, "{neither:?}");
        }
    }
}
