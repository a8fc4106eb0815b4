//! The identity check's digit fields (first login ①) and the emailed code: 保険者指定コード,
//! 記号, 番号 and 認証番号. Kept values are ASCII digits of the promised length, leading zeros
//! kept, and fixed points of their parsers.
#![no_main]

use kennin::domain::{CardNumber, CardSymbol, InsurerCode, VerificationCode};
use kennin_fuzz::{assert_fixed_point, assert_japanese, assert_serde_round_trip};
use libfuzzer_sys::fuzz_target;

fn digits(s: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|input: &str| {
    match InsurerCode::parse(input) {
        Ok(code) => {
            assert!(digits(code.as_str(), 4..=4), "{code:?}");
            assert_fixed_point(&code, code.as_str(), InsurerCode::parse);
            assert_serde_round_trip(&code);
        }
        Err(refused) => assert_japanese(refused.0),
    }

    match CardSymbol::parse(input) {
        Ok(symbol) => {
            assert!(digits(symbol.as_str(), 1..=10), "{symbol:?}");
            assert_fixed_point(&symbol, symbol.as_str(), CardSymbol::parse);
            assert_serde_round_trip(&symbol);
        }
        Err(refused) => assert_japanese(refused.0),
    }

    match CardNumber::parse(input) {
        Ok(number) => {
            assert!(digits(number.as_str(), 1..=10), "{number:?}");
            // Leading zeros are significant: typed as ASCII digits, the digits are kept as typed.
            let typed = input.trim_matches(' ');
            if typed.bytes().all(|b| b.is_ascii_digit()) {
                assert_eq!(number.as_str(), typed);
            }
            assert_fixed_point(&number, number.as_str(), CardNumber::parse);
            assert_serde_round_trip(&number);
        }
        Err(refused) => assert_japanese(refused.0),
    }

    match VerificationCode::parse(input) {
        Ok(code) => {
            assert!(digits(code.expose(), 6..=6), "{code:?}");
            let again = VerificationCode::parse(code.expose()).expect("six digits parse again");
            assert_eq!(again.expose(), code.expose());
        }
        Err(refused) => assert_japanese(refused.0),
    }
});
