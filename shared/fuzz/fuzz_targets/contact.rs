//! The contact form (first login ⑤): 郵便番号, 電話番号 and 住所 from the same typed text. Kept
//! values keep the shape each type promises and are fixed points of their parsers.
#![no_main]

use kennin::domain::{Address, PhoneNumber, PostalCode};
use kennin_fuzz::{assert_fixed_point, assert_japanese, assert_serde_round_trip};
use libfuzzer_sys::fuzz_target;

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fuzz_target!(|input: &str| {
    match PostalCode::parse(input) {
        Ok(postal_code) => {
            let kept = postal_code.as_str();
            assert!(kept.len() == 7 && kept.bytes().all(|b| b.is_ascii_digit()), "{kept:?}");
            let shown = postal_code.to_display();
            assert_eq!(shown, format!("{}-{}", &kept[..3], &kept[3..]));
            assert_fixed_point(&postal_code, kept, PostalCode::parse);
            assert_fixed_point(&postal_code, &shown, PostalCode::parse);
            assert_serde_round_trip(&postal_code);
        }
        Err(refused) => assert_japanese(refused.0),
    }

    match PhoneNumber::parse(input) {
        Ok(phone) => {
            let kept = phone.as_str();
            assert!((10..=11).contains(&kept.len()) && kept.starts_with('0'), "{kept:?}");
            assert!(kept.bytes().all(|b| b.is_ascii_digit()), "{kept:?}");
            assert_fixed_point(&phone, kept, PhoneNumber::parse);
            assert_serde_round_trip(&phone);
        }
        Err(refused) => assert_japanese(refused.0),
    }

    match Address::parse(input) {
        Ok(address) => {
            let kept = address.as_str();
            let chars = kept.chars().count();
            assert!((1..=200).contains(&chars), "{chars} characters kept");
            assert_eq!(kept, kept.trim(), "surrounding space kept");
            assert!(!kept.chars().any(|c| c.is_control() || is_zero_width(c)), "{kept:?}");
            assert_fixed_point(&address, kept, Address::parse);
            assert_serde_round_trip(&address);
        }
        Err(refused) => assert_japanese(refused.0),
    }
});
