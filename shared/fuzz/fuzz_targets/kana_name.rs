//! 氏名（カナ）: whatever is typed, a kept name is full-width katakana of at most 60 characters,
//! a fixed point of the parser, and typed in hiragana it is the same name.
#![no_main]

use kennin::domain::KanaName;
use kennin_fuzz::{assert_fixed_point, assert_japanese, assert_serde_round_trip};
use libfuzzer_sys::fuzz_target;

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FD}' | '\u{30FE}')
}

/// The hiragana for each katakana that has one (the blocks are parallel, 0x60 apart).
fn as_hiragana(katakana: &str) -> String {
    katakana
        .chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fuzz_target!(|input: &str| {
    match KanaName::parse(input) {
        Ok(name) => {
            let kept = name.as_str();
            let chars: Vec<char> = kept.chars().collect();
            assert!(
                !chars.is_empty() && chars.len() <= 60,
                "{kept:?} has {} characters",
                chars.len()
            );
            for (i, &c) in chars.iter().enumerate() {
                // ー only ever lengthens the katakana before it.
                let long_vowel_after_kana = c == 'ー' && i > 0 && is_katakana(chars[i - 1]);
                assert!(is_katakana(c) || long_vowel_after_kana, "{c:?} kept in {kept:?}");
            }
            assert_fixed_point(&name, kept, KanaName::parse);
            assert_fixed_point(&name, &as_hiragana(kept), KanaName::parse);
            assert_serde_round_trip(&name);
        }
        Err(refused) => assert_japanese(refused.0),
    }
});
