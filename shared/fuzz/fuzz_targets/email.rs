//! メールアドレス: a kept address is ASCII, at most 254 bytes, a dotted domain, a fixed point of
//! the parser, and its masked form shows only the first character and the domain.
#![no_main]

use kennin::domain::Email;
use kennin_fuzz::{assert_fixed_point, assert_japanese, assert_serde_round_trip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    match Email::parse(input) {
        Ok(email) => {
            let kept = email.as_str();
            assert!(kept.is_ascii() && kept.len() <= 254, "{kept:?}");
            let (local, domain) = kept.rsplit_once('@').unwrap_or_else(|| panic!("{kept:?} has no @"));
            assert!(!local.is_empty(), "{kept:?}");
            assert!(
                domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'),
                "{kept:?}"
            );
            assert_fixed_point(&email, kept, Email::parse);
            assert_serde_round_trip(&email);
            let masked = email.masked();
            assert_eq!(masked, format!("{}***@{domain}", &local[..1]), "{kept:?}");
        }
        Err(refused) => assert_japanese(refused.0),
    }
});
