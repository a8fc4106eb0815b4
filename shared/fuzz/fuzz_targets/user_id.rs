//! ユーザーID: a kept ID is 6–50 of `A-Z a-z 0-9 @ - _ , +`, a fixed point of the parser, and
//! its uniqueness key is the same for every case-variant of it.
#![no_main]

use kennin::domain::UserId;
use kennin_fuzz::{assert_fixed_point, assert_japanese, assert_serde_round_trip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    match UserId::parse(input) {
        Ok(user_id) => {
            let kept = user_id.as_str();
            assert!((6..=50).contains(&kept.len()), "{kept:?}");
            assert!(
                kept.chars().all(|c| c.is_ascii_alphanumeric() || "@-_,+".contains(c)),
                "{kept:?}"
            );
            assert_fixed_point(&user_id, kept, UserId::parse);
            let key = user_id.key();
            for variant in [kept.to_ascii_uppercase(), kept.to_ascii_lowercase()] {
                let variant = UserId::parse(&variant).unwrap_or_else(|e| panic!("{variant:?} refused: {e}"));
                assert_eq!(variant.key(), key, "case changed the uniqueness key of {kept:?}");
            }
            assert_serde_round_trip(&user_id);
        }
        Err(refused) => assert_japanese(refused.0),
    }
});
