//! The survey form's answers as a stranger may send them (PUT /api/survey/targets/{id}/answers):
//! whatever the JSON, parsing answers every problem in Japanese at a path inside `answers`, or
//! gives answers that are a fixed point (stored and read again, they parse to themselves) and
//! that the pre-check, the documents table and the submit check take without a panic.
#![no_main]

use kennin::answers::Answers;
use kennin::domain::{BirthDate, Day, Relationship};
use kennin::eligibility::{TargetFacts, ThresholdTable, check};
use kennin::error::Error;
use kennin::required_documents::{DocumentTable, required_documents};
use kennin_fuzz::assert_japanese;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use time::macros::date;

fuzz_target!(|body: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let today = date!(2036 - 06 - 01);
    let answers = match Answers::parse(&value, today) {
        Ok(answers) => answers,
        Err(Error::Invalid(fields)) => {
            assert!(!fields.is_empty());
            for (path, message) in &fields {
                assert!(path.starts_with("answers"), "{path}");
                assert_japanese(message);
            }
            return;
        }
        Err(other) => panic!("parsing answers gave {other:?}"),
    };
    let stored = serde_json::to_value(&answers).expect("answers serialise");
    match Answers::parse(&stored, today) {
        Ok(again) => assert_eq!(again, answers, "{stored} parsed again to other answers"),
        Err(e) => panic!("{stored}, answers as stored, is refused: {e:?}"),
    }
    let reference_date = Day::from(date!(2036 - 04 - 01));
    let thresholds = ThresholdTable::built_in()
        .in_force(reference_date)
        .expect("thresholds in force");
    for (relationship, born) in [("配偶者", "1960/02/29"), ("子", "2016/12/31"), ("伯父", "1950/04/02")] {
        let facts = TargetFacts {
            relationship: Relationship::parse(relationship).expect("a relationship"),
            birth_date: BirthDate::parse(born, today).expect("a birth date"),
            reference_date,
            year: 2036,
        };
        for finding in check(&answers, &facts, &thresholds) {
            assert_japanese(&finding.message);
        }
    }
    for document in required_documents(&answers, DocumentTable::default_table()) {
        assert_japanese(&document.reason);
    }
    if let Err(Error::Invalid(fields)) = answers.missing_for_submit() {
        fields.values().for_each(|message| assert_japanese(message));
    }
});
