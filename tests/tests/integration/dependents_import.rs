//! Dependents import as the operator CLI runs it, on both engines: the file checked whole, every
//! bad row reported with its line, nothing written on a refusal, re-import idempotent, and a
//! dependent missing from a later file marked as having left the roster.

use kennin::dependents::{self, DependentsReport};
use kennin::domain::InsurerCode;
use kennin::import_file::{ImportError, decode};
use kennin::roster;
use kennin::store::ItemStore;
use kennin::store::records::{Dependent, RosterEntry, RosterPerson};
use kennin_tests::{Engine, fresh_store, on_both_engines};
use time::macros::date;

const YEAR: i32 = 2026;
const TODAY: time::Date = date!(2026 - 06 - 01);
const ROSTER: &str = "symbol,number,birth_date,name_kana,name,kind,office,office_name,overseas,email\n\
10,1,1980/01/01,ケンポ タロウ,健保 太郎,一般,A-01,本社,0,taro@example.jp\n\
10,2,1975/05/05,ケンポ ジロウ,健保 次郎,任意継続,,,,\n\
20,7,1970/07/07,カイガイ サブロウ,海外 三郎,,B-02,大阪支店,1,\n";
const HEADER: &str = "symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n";
const ROWS: &str = "10,1,1,ケンポ ハナコ,健保 花子,1982/03/03,女,配偶者,2010/04/01,同居\n\
10,1,2,ケンポ イチロウ,健保 一郎,2006/08/08,男,子,2006/09/01,別居\n\
10,2,01,ケンポ ウメ,健保 うめ,1950/01/01,女,義母,2020/01/01,別居\n";

fn code() -> InsurerCode {
    InsurerCode::parse("0123").unwrap()
}

async fn union_with_roster(store: &dyn ItemStore) {
    roster::put_insurer(store, &code(), "テスト健保", None).await.unwrap();
    let people = roster::parse(ROSTER, &code(), YEAR, TODAY).unwrap();
    roster::import(store, &code(), YEAR, people, &mut |_| {}).await.unwrap();
}

async fn import(store: &dyn ItemStore, text: &str) -> Result<DependentsReport, ImportError> {
    dependents::import(store, &code(), YEAR, text, TODAY, &mut |_| {}).await
}

async fn stored_dependents(store: &dyn ItemStore) -> Vec<Dependent> {
    store
        .query(&RosterPerson::partition(&code(), YEAR), RosterPerson::SK_PREFIX)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|item| match RosterEntry::from_item(item).unwrap() {
            RosterEntry::Dependent(dependent) => Some(dependent),
            RosterEntry::Person(_) => None,
        })
        .collect()
}

async fn utf8_bom_and_shift_jis_files_import_the_same_dependents(engine: Engine) {
    let text = format!("{HEADER}{ROWS}");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(text.as_bytes());
    let (shift_jis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let mut seen = Vec::new();
    for bytes in [text.as_bytes().to_vec(), with_bom, shift_jis.into_owned()] {
        let (store, _dir) = fresh_store(engine).await;
        union_with_roster(store.as_ref()).await;
        let report = import(store.as_ref(), &decode(&bytes).unwrap()).await.unwrap();
        assert_eq!(report.added, 3);
        seen.push(stored_dependents(store.as_ref()).await);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
    let spouse = &seen[0][0];
    assert_eq!(spouse.recorded.name, "健保 花子");
    assert_eq!(spouse.recorded.relationship.as_str(), "配偶者");
    assert_eq!(spouse.recorded.certified_on.iso(), "2010-04-01");
    assert_eq!(
        seen[0][2].recorded.dependent_no.as_str(),
        "01",
        "枝番 1 and 01 are one dependent"
    );
    assert_eq!(
        seen[0][2].recorded.relationship.as_str(),
        "義母",
        "another relationship is kept as written"
    );
}

async fn every_bad_row_is_reported_with_its_line_and_nothing_is_written(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    union_with_roster(store.as_ref()).await;
    let bad = [
        // 2: fine
        "10,1,1,ケンポ ハナコ,健保 花子,1982/03/03,女,配偶者,2010/04/01,同居",
        // 3: insured person not in the year's roster
        "99,9,1,ダレ カ,誰 か,1982/03/03,女,配偶者,2010/04/01,同居",
        // 4: the same 枝番 again (as 01)
        "10,1,01,ケンポ ハナコ,健保 花子,1982/03/03,女,配偶者,2010/04/01,同居",
        // 5: a date that does not exist, and a sex that is not 男/女
        "10,1,3,ケンポ ジロウ,健保 次郎,2010/02/30,M,子,2010/04/01,同居",
        // 6: 枝番 0, kana not kana, empty name, bad certification date, living not 同居/別居
        "10,1,0,Hanako,,1982/03/03,女,配偶者,2010-13-01,一緒",
        // 7: birth date in the future, empty relationship
        "10,2,2,ケンポ ミライ,健保 未来,2030/01/01,男,,2020/01/01,別居",
    ];
    let text = format!("{HEADER}{}\n", bad.join("\n"));
    let Err(ImportError::Rows(errors)) = import(store.as_ref(), &text).await else {
        panic!("a file with bad rows was imported")
    };
    let lines: Vec<u64> = errors.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7]);
    let message = |line: u64| errors.iter().find(|(l, _)| *l == line).unwrap().1.clone();
    assert!(message(3).contains("名簿にありません"), "{}", message(3));
    assert!(message(4).contains("枝番"), "{}", message(4));
    assert!(
        message(5).contains("birth_date") && message(5).contains("sex"),
        "{}",
        message(5)
    );
    for column in ["dependent_no", "name_kana", "name", "certified_on", "living"] {
        assert!(message(6).contains(column), "{column}: {}", message(6));
    }
    assert!(message(7).contains("birth_date") && message(7).contains("relationship"));
    assert!(
        errors
            .iter()
            .all(|(_, m)| m.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c))),
        "messages are Japanese: {errors:?}"
    );
    assert!(stored_dependents(store.as_ref()).await.is_empty());

    let missing_column = HEADER.replace(",living", "");
    assert!(matches!(
        import(store.as_ref(), &missing_column).await,
        Err(ImportError::MissingColumn("living"))
    ));
}

async fn re_importing_changes_nothing_and_a_dependent_missing_later_is_marked_left(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    let text = format!("{HEADER}{ROWS}");
    assert!(matches!(
        import(store.as_ref(), &text).await,
        Err(ImportError::UnknownInsurer(_))
    ));
    union_with_roster(store.as_ref()).await;
    import(store.as_ref(), &text).await.unwrap();
    let first = stored_dependents(store.as_ref()).await;
    assert_eq!(
        import(store.as_ref(), &text).await.unwrap(),
        DependentsReport {
            unchanged: 3,
            ..DependentsReport::default()
        }
    );
    assert_eq!(stored_dependents(store.as_ref()).await, first);

    // The child left; the spouse's living changed.
    let changed: String = ROWS
        .lines()
        .filter(|row| !row.starts_with("10,1,2,"))
        .map(|row| format!("{}\n", row.replace("2010/04/01,同居", "2010/04/01,別居")))
        .collect();
    assert_eq!(
        import(store.as_ref(), &format!("{HEADER}{changed}")).await.unwrap(),
        DependentsReport {
            updated: 1,
            unchanged: 1,
            left: 1,
            ..DependentsReport::default()
        }
    );
    let after = stored_dependents(store.as_ref()).await;
    assert_eq!(after.len(), 3, "a dependent who left is kept");
    assert_eq!(after[1].left_on.map(|d| d.iso()).as_deref(), Some("2026-06-01"));
    assert_eq!(after[0].recorded.living.label(), "別居");
    // Importing the same file again marks nobody twice; the one who left comes back with the full file.
    assert_eq!(
        import(store.as_ref(), &format!("{HEADER}{changed}"))
            .await
            .unwrap()
            .left,
        0
    );
    let back = import(store.as_ref(), &text).await.unwrap();
    assert_eq!((back.updated, back.left), (2, 0));
    assert!(
        stored_dependents(store.as_ref())
            .await
            .iter()
            .all(|d| d.left_on.is_none())
    );
}

async fn a_large_file_streams_in_batches(engine: Engine) {
    let (store, _dir) = fresh_store(engine).await;
    roster::put_insurer(store.as_ref(), &code(), "テスト健保", None)
        .await
        .unwrap();
    let mut people = String::from("symbol,number,birth_date,name_kana,name\n");
    let mut rows = String::from(HEADER);
    for n in 1..=700 {
        people.push_str(&format!("30,{n},1980/01/01,ケンポ タロウ,健保 太郎\n"));
        rows.push_str(&format!(
            "30,{n},1,ケンポ ハナコ,健保 花子,1982/03/03,女,配偶者,2010/04/01,同居\n"
        ));
    }
    let people = roster::parse(&people, &code(), YEAR, TODAY).unwrap();
    roster::import(store.as_ref(), &code(), YEAR, people, &mut |_| {})
        .await
        .unwrap();
    let mut reported = Vec::new();
    let report = dependents::import(store.as_ref(), &code(), YEAR, &rows, TODAY, &mut |done| {
        reported.push(done)
    })
    .await
    .unwrap();
    assert_eq!(report.added, 700);
    assert_eq!(reported, [500, 700], "progress after each batch");
    assert_eq!(stored_dependents(store.as_ref()).await.len(), 700);
}

on_both_engines!(
    utf8_bom_and_shift_jis_files_import_the_same_dependents,
    every_bad_row_is_reported_with_its_line_and_nothing_is_written,
    re_importing_changes_nothing_and_a_dependent_missing_later_is_marked_left,
    a_large_file_streams_in_batches,
);
