//! 生年月日: a kept date is a real date from 1900 up to yesterday, shown as `YYYY/MM/DD`, and
//! every notation the rule accepts (slashes, hyphens, no padding, eight digits) reads back as it.
#![no_main]

use kennin::domain::BirthDate;
use kennin_fuzz::{assert_fixed_point, assert_japanese, assert_serde_round_trip};
use libfuzzer_sys::fuzz_target;
use time::Date;
use time::macros::date;

/// The test harness's clock (tests/src/lib.rs START).
const TODAY: Date = date!(2036 - 06 - 01);

fuzz_target!(|input: &str| {
    let parse = |s: &str| BirthDate::parse(s, TODAY);
    match parse(input) {
        Ok(birth_date) => {
            let date = birth_date.date();
            assert!(date < TODAY && date.year() >= 1900, "{date} kept");
            let shown = birth_date.to_display();
            let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
            assert_eq!(shown, format!("{year:04}/{month:02}/{day:02}"));
            for notation in [
                shown.clone(),
                format!("{year}-{month:02}-{day:02}"),
                format!("{year}/{month}/{day}"),
                format!("{year}{month:02}{day:02}"),
            ] {
                assert_fixed_point(&birth_date, &notation, parse);
            }
            assert_serde_round_trip(&birth_date);
        }
        Err(refused) => assert_japanese(refused.0),
    }
});
