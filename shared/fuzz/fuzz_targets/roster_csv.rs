//! The roster CSV as the operator CLI reads it: bytes in UTF-8 (BOM or not) or Shift_JIS, then
//! rows. A roster that is read holds only valid, distinct people; written back as CSV (columns in
//! another order, an extra column) and read again, in UTF-8 and in Shift_JIS, it is the same
//! roster. A refused file is explained in Japanese, row by row with line numbers.
#![no_main]

use encoding_rs::SHIFT_JIS;
use kennin::domain::{BirthDate, CardNumber, CardSymbol, InsurerCode, KanaName};
use kennin::import_file::{self, ImportError};
use kennin::roster;
use kennin::store::records::RosterPerson;
use kennin_fuzz::{assert_fixed_point, assert_japanese};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2036 - 06 - 01);
const YEAR: i32 = 2036;
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn read(text: &str, insurer: &InsurerCode) -> Result<Vec<RosterPerson>, ImportError> {
    roster::parse(text, insurer, YEAR, TODAY)
}

fn write_back(people: &[RosterPerson]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let rows = people.iter().map(|p| {
        [
            p.name.clone(),
            "x".to_string(),
            p.name_kana.as_str().to_string(),
            p.birth_date.to_display(),
            p.number.as_str().to_string(),
            p.symbol.as_str().to_string(),
            p.kind.label().to_string(),
            p.office.as_ref().map(|o| o.as_str().to_string()).unwrap_or_default(),
            p.office_name.clone().unwrap_or_default(),
            if p.overseas { "1" } else { "0" }.to_string(),
            p.email.as_ref().map(|e| e.as_str().to_string()).unwrap_or_default(),
        ]
    });
    let header = [
        "name",
        "extra",
        "name_kana",
        "birth_date",
        "number",
        "symbol",
        "kind",
        "office",
        "office_name",
        "overseas",
        "email",
    ];
    for row in std::iter::once(header.map(String::from)).chain(rows) {
        writer.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("the fields are UTF-8")
}

fn check_person(person: &RosterPerson, insurer: &InsurerCode) {
    assert_eq!(&person.insurer, insurer);
    assert_eq!(person.year, YEAR);
    assert_fixed_point(&person.symbol, person.symbol.as_str(), CardSymbol::parse);
    assert_fixed_point(&person.number, person.number.as_str(), CardNumber::parse);
    assert_fixed_point(&person.birth_date, &person.birth_date.to_display(), |s| {
        BirthDate::parse(s, TODAY)
    });
    assert_fixed_point(&person.name_kana, person.name_kana.as_str(), KanaName::parse);
    let name_chars = person.name.chars().count();
    assert!((1..=100).contains(&name_chars), "name of {name_chars} characters");
    assert_eq!(person.name, person.name.trim(), "name kept with surrounding space");
    assert_eq!(person.claimed_by, None, "a fresh roster row is claimed by nobody");
}

fuzz_target!(|bytes: &[u8]| {
    let insurer = InsurerCode::parse("0904").expect("a valid insurer code");
    let without_bom = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = match import_file::decode(bytes) {
        Ok(text) => text,
        Err(refused) => {
            assert!(matches!(refused, ImportError::Encoding), "{refused:?}");
            assert!(std::str::from_utf8(without_bom).is_err(), "UTF-8 refused");
            assert_japanese(&refused.to_string());
            return;
        }
    };
    if let Ok(utf8) = std::str::from_utf8(without_bom) {
        assert_eq!(text, utf8, "UTF-8 was not taken as it is");
    } else {
        assert!(!bytes.starts_with(BOM), "a BOM file that is not UTF-8 was read");
    }

    match read(&text, &insurer) {
        Ok(people) => {
            let mut cards = HashSet::new();
            for person in &people {
                check_person(person, &insurer);
                assert!(cards.insert(person.own_key().sk), "the same card twice in one roster");
            }
            let written = write_back(&people);
            match read(&written, &insurer) {
                Ok(again) => assert_eq!(again, people, "written back, the roster reads differently"),
                Err(e) => panic!("the roster written back is refused: {e}\n{written}"),
            }
            // The same roster as a union's core system exports it, when Shift_JIS holds its text
            // exactly (it has no ヷ, and its encoder maps ¥ to \\). A Shift_JIS file that happens
            // to be valid UTF-8 is read as UTF-8 by design, so only the others are compared.
            let (sjis, _, unmappable) = SHIFT_JIS.encode(&written);
            let exact = !unmappable && SHIFT_JIS.decode_without_bom_handling(&sjis).0 == written;
            if exact && std::str::from_utf8(&sjis).is_err() {
                let decoded = import_file::decode(&sjis).expect("exact Shift_JIS decodes");
                assert_eq!(decoded, written, "Shift_JIS decoded differently");
                assert_eq!(
                    read(&decoded, &insurer).ok().as_ref(),
                    Some(&people),
                    "Shift_JIS reads differently"
                );
            }
        }
        Err(ImportError::Rows(errors)) => {
            assert!(!errors.is_empty());
            for (line, message) in &errors {
                assert!(*line >= 1, "a problem reported on line {line}");
                assert_japanese(message);
            }
            assert!(
                errors.windows(2).all(|w| w[0].0 < w[1].0),
                "lines out of order: {errors:?}"
            );
        }
        Err(missing @ ImportError::MissingColumn(_)) => assert_japanese(&missing.to_string()),
        Err(other) => panic!("reading a roster gave {other:?}"),
    }
});
