//! Time-based one-time passwords (RFC 6238) as every authenticator app reads them: HMAC-SHA-1,
//! 30-second steps, 6 digits, and one step of clock skew either way (RFC 6238 §5.2).

use super::sealed::{SealingKey, Unsealable};
use crate::domain::clean_text;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use totp_rs::{Algorithm, Builder, Secret, Totp};

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// One step either side: a phone's clock a little off, or a code typed as it turned over.
const SKEW_STEPS: u16 = 1;
/// RFC 4226 §4 recommends 160 bits.
const SECRET_BYTES: usize = 20;

/// What the label and the query may keep as they are: RFC 3986's unreserved characters. An
/// address's `@` and a union's name in kanji are percent-encoded (UTF-8), a space as `%20`
/// (authenticator apps read `+` literally).
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A staff member's shared TOTP secret. Never logged: `Debug` shows no byte of it.
#[derive(Clone)]
pub struct TotpSecret([u8; SECRET_BYTES]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

impl TotpSecret {
    /// 160 random bits from rand's thread RNG (a CSPRNG seeded from the OS).
    pub fn generate() -> Self {
        Self(rand::random())
    }

    /// The secret as an authenticator app takes it typed in: RFC 4648 base32 without padding
    /// (32 characters).
    pub fn base32(&self) -> String {
        Secret::new_stack(self.0).to_base32()
    }

    /// Reads the base32 text back (what a test or an app makes of the otpauth URI); spaces and
    /// lower case, as apps show it, are accepted.
    pub fn from_base32(text: &str) -> Option<Self> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = Secret::try_from_base32(compact.to_ascii_uppercase()).ok()?;
        bytes.as_bytes().try_into().ok().map(Self)
    }

    /// The enrolment URI (Google's Key Uri Format, which every authenticator app reads):
    /// `otpauth://totp/{issuer}:{account}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
    /// The issuer is what the app shows above the code (`kennin`, or with the union's name), the
    /// account tells the staff member's entries apart (their address). Neither should contain a
    /// colon, which separates them in the label.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = utf8_percent_encode(issuer, URI_COMPONENT);
        let account = utf8_percent_encode(account, URI_COMPONENT);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            secret = self.base32()
        )
    }

    /// The time step whose code `code` is, if it is the code of the step at `unix_time` or of
    /// the step before or after it. A code must work only once (RFC 6238 §5.2): the caller
    /// claims the returned step with a conditional write (TotpUse `TOTP#{timeStep}`) and refuses
    /// the code if the step was claimed already. The comparison takes the same time whatever
    /// digits match.
    pub fn verify(&self, code: &TotpCode, unix_time: i64) -> Option<u64> {
        let unix_time = u64::try_from(unix_time).ok()?;
        self.totp().check(&code.0, unix_time)
    }

    /// The code an authenticator app shows at `unix_time` (for the tests, which play the app).
    pub fn code_at(&self, unix_time: u64) -> String {
        self.totp().generate(unix_time).to_string()
    }

    /// Sealed for storage in the staff member's record (AES-256-GCM, see `SealingKey`), bound
    /// to `owner` (the staff id): a sealed secret copied into another record does not open.
    pub fn seal(&self, key: &SealingKey, owner: &str) -> String {
        key.seal(&self.0, owner)
    }

    /// The secret from its stored form; an altered value, another owner or another key is an
    /// error.
    pub fn open(sealed: &str, key: &SealingKey, owner: &str) -> Result<Self, Unsealable> {
        let bytes = key.open(sealed, owner)?;
        bytes.as_slice().try_into().map(Self).map_err(|_| Unsealable)
    }

    fn totp(&self) -> Totp {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS as u8)
            .with_step_duration(STEP_SECONDS)
            .with_skew(SKEW_STEPS)
            .with_secret(Secret::new_stack(self.0))
            .build()
            .expect("a 160-bit secret, 6 digits and 30-second steps are what RFC 6238 asks")
    }
}

/// Six digits as typed: full-width digits (a Japanese IME's) and spaces (apps show `123 456`)
/// are accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl std::fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCode(***)")
    }
}

impl TotpCode {
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = clean_text(input).chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Self(digits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 secret, the ASCII of "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret(*b"12345678901234567890")
    }

    fn code(text: &str) -> TotpCode {
        TotpCode::parse(text).unwrap()
    }

    #[test]
    fn rfc_6238_sha1_vectors_truncated_to_six_digits() {
        // Appendix B's 8-digit values; a 6-digit code is the same number modulo 10^6.
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        let secret = rfc_secret();
        for (time, eight) in vectors {
            let six = &eight[2..];
            assert_eq!(secret.code_at(time), six, "at {time}");
            assert_eq!(secret.verify(&code(six), time as i64), Some(time / 30), "at {time}");
        }
    }

    #[test]
    fn one_step_of_skew_either_side_and_no_more() {
        let secret = rfc_secret();
        let now = 1_111_111_111_i64;
        let step = now as u64 / 30;
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let its_step = step.checked_add_signed(offset).unwrap();
            let typed = code(&secret.code_at(its_step * 30));
            let expected = accepted.then_some(its_step);
            assert_eq!(secret.verify(&typed, now), expected, "a code {offset} steps away");
        }
    }

    #[test]
    fn the_step_boundary_moves_the_window() {
        let secret = rfc_secret();
        // 1_111_111_110 is the first second of step 37_037_037.
        let first_second = 1_111_111_110_i64;
        let earlier = code(&secret.code_at(37_037_035 * 30));
        assert_eq!(secret.verify(&earlier, first_second - 1), Some(37_037_035));
        assert_eq!(secret.verify(&earlier, first_second), None);
        let later = code(&secret.code_at(37_037_038 * 30));
        assert_eq!(secret.verify(&later, first_second - 1), None);
        assert_eq!(secret.verify(&later, first_second), Some(37_037_038));
    }

    #[test]
    fn the_returned_step_is_the_codes_own_and_the_epoch_does_not_underflow() {
        let secret = rfc_secret();
        let current = code(&secret.code_at(1_234_567_890));
        assert_eq!(secret.verify(&current, 1_234_567_890 + 30), Some(1_234_567_890 / 30));
        assert_eq!(secret.verify(&code(&secret.code_at(0)), 0), Some(0));
        assert_eq!(secret.verify(&code(&secret.code_at(0)), -1), None);
    }

    #[test]
    fn a_wrong_code_or_another_secret_fails() {
        let secret = rfc_secret();
        let right = secret.code_at(59);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(secret.verify(&code(&wrong), 59), None);
        assert_eq!(TotpSecret::generate().verify(&code(&right), 59), None);
    }

    #[test]
    fn codes_are_parsed_from_what_people_type() {
        assert_eq!(TotpCode::parse(" 287082 "), Some(TotpCode("287082".into())));
        assert_eq!(TotpCode::parse("２８７０８２"), Some(TotpCode("287082".into())));
        assert_eq!(TotpCode::parse("287 082"), Some(TotpCode("287082".into())));
        assert_eq!(TotpCode::parse("287\u{3000}082"), Some(TotpCode("287082".into())));
        for refused in ["", "28708", "2870822", "28708a", "+87082", "-87082", "２８７０８"] {
            assert_eq!(TotpCode::parse(refused), None, "{refused:?}");
        }
        assert_eq!(format!("{:?}", code("287082")), "TotpCode(***)");
    }

    #[test]
    fn secrets_are_random_160_bits_and_round_trip_through_base32() {
        let (a, b) = (TotpSecret::generate(), TotpSecret::generate());
        assert_ne!(a.0, b.0);
        assert_eq!(a.base32().len(), 32);
        assert_eq!(TotpSecret::from_base32(&a.base32()).map(|s| s.0), Some(a.0));
        assert_eq!(rfc_secret().base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let typed = TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq");
        assert_eq!(typed.map(|s| s.0), Some(rfc_secret().0));
        assert!(TotpSecret::from_base32("GEZDGNBVGY3TQOJQ").is_none(), "80 bits");
        assert!(TotpSecret::from_base32("not base32!").is_none());
        assert_eq!(format!("{a:?}"), "TotpSecret(***)");
    }

    #[test]
    fn the_otpauth_uri_is_percent_encoded() {
        let uri = rfc_secret().otpauth_uri("kennin", "sato.hanako+staff@kenpo.example.jp");
        assert_eq!(
            uri,
            "otpauth://totp/kennin:sato.hanako%2Bstaff%40kenpo.example.jp\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=kennin&algorithm=SHA1&digits=6&period=30"
        );
        let uri = rfc_secret().otpauth_uri("kennin 関東健保", "a@b.jp");
        assert!(
            uri.starts_with("otpauth://totp/kennin%20%E9%96%A2%E6%9D%B1%E5%81%A5%E4%BF%9D:a%40b.jp?"),
            "{uri}"
        );
        assert!(
            uri.contains("&issuer=kennin%20%E9%96%A2%E6%9D%B1%E5%81%A5%E4%BF%9D&"),
            "{uri}"
        );
        let uri = rfc_secret().otpauth_uri("a&b=c?#", "x");
        assert!(uri.contains("issuer=a%26b%3Dc%3F%23&"), "{uri}");
    }

    #[test]
    fn a_sealed_secret_opens_to_itself_for_its_owner_only() {
        let key = SealingKey::for_totp_secrets(b"0123456789abcdef0123456789abcdef");
        let secret = TotpSecret::generate();
        let sealed = secret.seal(&key, "staff-1");
        assert_eq!(TotpSecret::open(&sealed, &key, "staff-1").map(|s| s.0), Ok(secret.0));
        assert!(TotpSecret::open(&sealed, &key, "staff-2").is_err());
    }
}
