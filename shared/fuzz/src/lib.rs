//! What every target checks besides "no panic": a refused input is answered in Japanese, and a
//! parsed value is a fixed point of its own parser (normalising twice changes nothing).

use std::fmt::Debug;

/// A message for the person who typed the input: Japanese (kana or kanji), one line, no
/// control characters, and not a Rust or serde message leaking through.
pub fn assert_japanese(message: &str) {
    assert!(!message.trim().is_empty(), "empty message");
    assert!(
        message
            .chars()
            .any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}')),
        "not a Japanese message: {message:?}"
    );
    assert!(
        !message.chars().any(char::is_control),
        "control character in message: {message:?}"
    );
}

/// `parse` applied to a parsed value's string form gives the same value.
pub fn assert_fixed_point<T: PartialEq + Debug, E: Debug>(value: &T, form: &str, parse: impl Fn(&str) -> Result<T, E>) {
    match parse(form) {
        Ok(again) => assert_eq!(&again, value, "{form:?} parsed again to another value"),
        Err(e) => panic!("{form:?}, the normalised form of {value:?}, is refused: {e:?}"),
    }
}

/// Serde goes through `parse` both ways: the JSON string form reads back as the same value.
pub fn assert_serde_round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).expect("a rule type serialises");
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
    assert_eq!(&back, value, "{json} reads back as another value");
}
