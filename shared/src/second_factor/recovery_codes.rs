//! Recovery codes: when the phone with the authenticator is lost, each of ten codes shown once
//! at enrolment signs in once in place of a TOTP code. 12 characters of a 32-letter alphabet are
//! 60 bits, so, like session tokens, a code is stored as its SHA-256 alone: no key or salt is
//! needed against a guess, and a leaked table gives no code back.

use crate::domain::clean_text;
use crate::secrets::{same, token_hash};
use rand::Rng as _;

/// How many codes an enrolment gives.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Lower case letters and digits without 0, o, 1 and l, which read alike on paper and screen.
const ALPHABET: &[u8; 32] = b"23456789abcdefghijkmnpqrstuvwxyz";
const GROUPS: usize = 3;
const GROUP_LENGTH: usize = 4;

/// A new set of codes: `shown` to the staff member once (`xxxx-xxxx-xxxx`), `hashes` to store
/// in the same order. Never logged.
pub struct RecoveryCodes {
    pub shown: Vec<String>,
    pub hashes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodes(***)")
    }
}

impl RecoveryCodes {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let codes: Vec<String> = (0..RECOVERY_CODE_COUNT)
            .map(|_| {
                (0..GROUPS * GROUP_LENGTH)
                    .map(|_| char::from(ALPHABET[rng.random_range(..ALPHABET.len())]))
                    .collect()
            })
            .collect();
        Self {
            hashes: codes.iter().map(|code| token_hash(code)).collect(),
            shown: codes.iter().map(|code| grouped(code)).collect(),
        }
    }
}

fn grouped(code: &str) -> String {
    let groups: Vec<&str> = (0..GROUPS)
        .map(|group| &code[group * GROUP_LENGTH..(group + 1) * GROUP_LENGTH])
        .collect();
    groups.join("-")
}

/// A recovery code as typed, normalised: full-width forms folded (NFKC), case ignored, and
/// hyphens (or the long vowel mark a Japanese IME types for one) and spaces optional.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

impl RecoveryCode {
    pub fn parse(input: &str) -> Option<Self> {
        let code: String = clean_text(input)
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && !is_dash(*c))
            .collect();
        let well_formed = code.len() == GROUPS * GROUP_LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
        well_formed.then_some(Self(code))
    }

    /// Which of the stored hashes this code is, if any. The caller removes that hash with a
    /// write conditional on its still being there, so a code works once even when two sign-ins
    /// race. Every hash is compared, in constant time.
    pub fn find(&self, hashes: &[String]) -> Option<usize> {
        let hash = token_hash(&self.0);
        hashes
            .iter()
            .enumerate()
            .fold(None, |found, (index, stored)| match same(&hash, stored) {
                true => found.or(Some(index)),
                false => found,
            })
    }
}

/// After NFKC: the ASCII hyphen-minus (full-width forms fold to it), the Unicode hyphens and
/// dashes, the minus sign, and the long vowel mark.
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | 'ー')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ten_distinct_codes_in_groups_of_four_with_their_hashes() {
        let codes = RecoveryCodes::generate();
        assert_eq!(codes.shown.len(), RECOVERY_CODE_COUNT);
        assert_eq!(codes.hashes.len(), RECOVERY_CODE_COUNT);
        assert_eq!(codes.shown.iter().collect::<HashSet<_>>().len(), RECOVERY_CODE_COUNT);
        for (index, shown) in codes.shown.iter().enumerate() {
            assert_eq!(shown.len(), 14, "{shown}");
            assert_eq!(shown.split('-').map(str::len).collect::<Vec<_>>(), [4, 4, 4], "{shown}");
            assert!(!shown.contains(['0', 'o', '1', 'l']), "{shown}");
            let code = RecoveryCode::parse(shown).unwrap();
            assert_eq!(code.find(&codes.hashes), Some(index));
            assert_eq!(codes.hashes[index].len(), 64);
            assert!(!codes.hashes[index].contains(&shown.replace('-', "")));
        }
        assert_eq!(format!("{codes:?}"), "RecoveryCodes(***)");
    }

    #[test]
    fn the_alphabet_gives_sixty_bits_and_every_letter_is_drawn() {
        assert_eq!(ALPHABET.iter().collect::<HashSet<_>>().len(), 32);
        assert!(((GROUPS * GROUP_LENGTH) as f64) * (ALPHABET.len() as f64).log2() >= 60.0);
        let drawn: HashSet<char> = (0..20)
            .flat_map(|_| RecoveryCodes::generate().shown)
            .flat_map(|code| code.chars().collect::<Vec<_>>())
            .filter(|c| *c != '-')
            .collect();
        assert_eq!(
            drawn.len(),
            32,
            "2,400 draws miss one of 32 letters with odds below 10^-30"
        );
    }

    #[test]
    fn codes_are_normalised_as_typed() {
        let stored = [token_hash("7kq2x9mdc4tp")];
        for typed in [
            "7kq2-x9md-c4tp",
            "7KQ2-X9MD-C4TP",
            "7kq2x9mdc4tp",
            " 7kq2 x9md c4tp ",
            "７ｋｑ２－ｘ９ｍｄ－ｃ４ｔｐ",
            "７ＫＱ２　Ｘ９ＭＤ　Ｃ４ＴＰ",
            "7kq2ーx9mdーc4tp",
            "7kq2‐x9md–c4tp",
            "\u{200B}7kq2-x9md-c4tp",
        ] {
            let code = RecoveryCode::parse(typed).unwrap_or_else(|| panic!("{typed:?} is refused"));
            assert_eq!(code.find(&stored), Some(0), "{typed:?}");
        }
    }

    #[test]
    fn malformed_codes_are_refused() {
        for typed in [
            "",
            "7kq2-x9md-c4t",
            "7kq2-x9md-c4tpp",
            "7kq2-x9md-c4t0",
            "7kq2-x9md-c4to",
            "7kq2-x9md-c4t1",
            "7kq2-x9md-c4tl",
            "7kq2_x9md_c4tp",
            "287082",
            "7kq2-x9md-c4té",
        ] {
            assert_eq!(RecoveryCode::parse(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn find_answers_the_matching_index_or_none() {
        let hashes: Vec<String> = ["aaaa2222bbbb", "7kq2x9mdc4tp", "cccc3333dddd"]
            .into_iter()
            .map(token_hash)
            .collect();
        let code = RecoveryCode::parse("7kq2-x9md-c4tp").unwrap();
        assert_eq!(code.find(&hashes), Some(1));
        assert_eq!(code.find(&hashes[..1]), None);
        assert_eq!(code.find(&[]), None);
        assert_eq!(RecoveryCode::parse("7kq2-x9md-c4tq").unwrap().find(&hashes), None);
        assert_eq!(format!("{code:?}"), "RecoveryCode(***)");
    }
}
