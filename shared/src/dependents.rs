//! The dependents (被扶養者) of a union's roster, as the operator CLI loads them from the
//! union's file. The file is the year's whole list: a dependent missing from a later import
//! has left the roster and is kept, marked, for the campaign to see. The file is read twice —
//! checked whole, then written in batches — so that a union's 150,000 rows are never held
//! parsed at once.

use crate::domain::{
    BirthDate, CardNumber, CardSymbol, DateMessages, Day, DependentNo, InsurerCode, KanaName, Living, Relationship, Sex,
};
use crate::import_file::{ImportError, Row, Rows, digest};
use crate::roster::{PAGE_ITEMS, WRITE_BATCH, take_name};
use crate::store::records::{Dependent, Insurer, RecordedDependent, RosterEntry, RosterPerson, to_item};
use crate::store::{Change, Cond, ItemStore, Key};
use std::collections::{HashMap, HashSet};

const COLUMNS: [&str; 10] = [
    "symbol",
    "number",
    "dependent_no",
    "name_kana",
    "name",
    "birth_date",
    "sex",
    "relationship",
    "certified_on",
    "living",
];

const CERTIFIED_ON: DateMessages = DateMessages {
    empty: "認定日を入力してください。",
    format: "認定日は西暦で 2020/04/01 のように入力してください。",
    year: "認定日の年が正しくありません。",
    nonexistent: "認定日に存在しない日付が入力されています。",
};

fn make_dependent(row: &mut Row, insurer: &InsurerCode, year: i32, today: time::Date) -> Option<Dependent> {
    let symbol = row.take("symbol", CardSymbol::parse);
    let number = row.take("number", CardNumber::parse);
    let dependent_no = row.take("dependent_no", DependentNo::parse);
    let name_kana = row.take("name_kana", KanaName::parse);
    let name = take_name(row, "name");
    let birth_date = row.take("birth_date", |v| BirthDate::parse(v, today));
    let sex = row.take("sex", Sex::parse);
    let relationship = row.take("relationship", Relationship::parse);
    let certified_on = row.take("certified_on", |v| Day::parse(v, &CERTIFIED_ON));
    let living = row.take("living", Living::parse);
    Some(Dependent {
        insurer: insurer.clone(),
        year,
        symbol: symbol?,
        number: number?,
        recorded: RecordedDependent {
            dependent_no: dependent_no?,
            name: name?,
            name_kana: name_kana?,
            birth_date: birth_date?,
            sex: sex?,
            relationship: relationship?,
            certified_on: certified_on?,
            living: living?,
        },
        left_on: None,
    })
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DependentsReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// In the store but not in the file: marked as having left the roster.
    pub left: usize,
}

/// What the store holds of a year's roster, as the import compares against it.
struct Stored {
    people: HashSet<Key>,
    /// Each dependent's key and a digest of what is stored, so that an unchanged row is
    /// not written again.
    dependents: HashMap<Key, (u64, bool)>,
}

async fn stored(store: &dyn ItemStore, insurer: &InsurerCode, year: i32) -> Result<Stored, ImportError> {
    let partition = RosterPerson::partition(insurer, year);
    let mut stored = Stored {
        people: HashSet::new(),
        dependents: HashMap::new(),
    };
    let mut after = None;
    loop {
        let page = store
            .query_page(&partition, RosterPerson::SK_PREFIX, after.as_deref(), PAGE_ITEMS)
            .await?;
        for item in page.items {
            match RosterEntry::from_item(item)? {
                RosterEntry::Person(person) => {
                    stored.people.insert(person.own_key());
                }
                RosterEntry::Dependent(dependent) => {
                    let left = dependent.left_on.is_some();
                    stored
                        .dependents
                        .insert(dependent.own_key(), (digest(&dependent), left));
                }
            }
        }
        match page.last {
            Some(last) => after = Some(last),
            None => return Ok(stored),
        }
    }
}

/// Checks the whole file against the roster of `year`: every row's columns, each dependent's
/// insured person in that roster, no 枝番 twice. Answers the keys of the file's dependents.
fn check(
    text: &str,
    insurer: &InsurerCode,
    year: i32,
    today: time::Date,
    people: &HashSet<Key>,
) -> Result<HashSet<Key>, ImportError> {
    let mut rows = Rows::new(text, &COLUMNS, &[])?;
    let mut keys = HashSet::new();
    let mut errors = Vec::new();
    while let Some(row) = rows.next_row(|row| {
        let Some(dependent) = make_dependent(row, insurer, year, today) else {
            return Ok(None);
        };
        let key = dependent.own_key();
        let person = RosterPerson::key(insurer, year, &dependent.symbol, &dependent.number);
        if !people.contains(&person) {
            return Err(format!(
                "記号 {}・番号 {} の被保険者が{year}年度の名簿にありません",
                dependent.symbol.as_str(),
                dependent.number.as_str()
            ));
        }
        if !keys.insert(key) {
            return Err("同じ記号・番号・枝番の行が既にあります".to_string());
        }
        Ok(Some(()))
    }) {
        if let Err(error) = row {
            errors.push(error);
        }
    }
    if errors.is_empty() {
        Ok(keys)
    } else {
        Err(ImportError::Rows(errors))
    }
}

/// Loads a dependents file into the roster of `year`, after checking all of it: one bad row
/// and nothing is written. Importing the same file again writes nothing. `progress` is told
/// how many rows have been written or found unchanged so far.
pub async fn import(
    store: &dyn ItemStore,
    insurer: &InsurerCode,
    year: i32,
    text: &str,
    today: time::Date,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<DependentsReport, ImportError> {
    if store.get(&Insurer::key(insurer)).await?.is_none() {
        return Err(ImportError::UnknownInsurer(insurer.to_string()));
    }
    let stored = stored(store, insurer, year).await?;
    let in_file = check(text, insurer, year, today, &stored.people)?;

    let mut report = DependentsReport::default();
    let mut rows = Rows::new(text, &COLUMNS, &[])?;
    let mut batch: Vec<(Key, crate::store::Item)> = Vec::with_capacity(WRITE_BATCH);
    let mut done = 0;
    while let Some(row) = rows.next_row(|row| Ok(make_dependent(row, insurer, year, today))) {
        // The same text as checked: a refusal here cannot happen, and would write nothing more.
        let dependent = row.map_err(|error| ImportError::Rows(vec![error]))?;
        let key = dependent.own_key();
        match stored.dependents.get(&key) {
            Some((stored_digest, _)) if *stored_digest == digest(&dependent) => report.unchanged += 1,
            found => {
                if found.is_some() {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                batch.push((key, to_item(&dependent, None)));
            }
        }
        done += 1;
        if batch.len() == WRITE_BATCH {
            store.put_many(std::mem::take(&mut batch)).await?;
            progress(done);
        }
    }
    store.put_many(batch).await?;
    progress(done);

    for (key, (_, left)) in &stored.dependents {
        if !left && !in_file.contains(key) {
            store
                .update(
                    key,
                    &[Change::set(Dependent::LEFT_ON, Day::from(today))],
                    Some(&Cond::Exists),
                )
                .await?;
            report.left += 1;
        }
    }
    Ok(report)
}
