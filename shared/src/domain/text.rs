use unicode_normalization::UnicodeNormalization;

/// NFKC folds full-width digits, letters and symbols (which Japanese IMEs produce by accident)
/// to their half-width forms, and composes half-width kana with their sound marks.
pub(crate) fn nfkc(input: &str) -> String {
    input.nfkc().collect()
}

/// Characters that are invisible on screen and only ever arrive by copy and paste.
pub(crate) fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// NFKC, zero-width characters dropped, surrounding white space (ASCII and U+3000) trimmed.
pub(crate) fn clean(input: &str) -> String {
    let folded: String = nfkc(input).chars().filter(|c| !is_zero_width(*c)).collect();
    folded.trim().to_string()
}

pub(crate) fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}
