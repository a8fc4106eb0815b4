//! Unions and their yearly rosters, as the operator CLI loads them. A roster file is checked
//! whole before anything is written: one bad row and nothing is imported.

use crate::domain::{
    BirthDate, CardNumber, CardSymbol, Email, InsuredKind, InsurerCode, KanaName, OfficeCode, parse_flag,
};
use crate::error::Error;
use crate::import_file::{ImportError, Row, digest, read_rows};
use crate::store::records::{
    Insurer, Progress, ProgressCounts, RosterEntry, RosterPerson, UnionContact, from_item, to_item,
};
use crate::store::{Change, ItemStore, Key};
use futures::{StreamExt as _, TryStreamExt as _};

/// Items read from the store per page when streaming a roster.
pub(crate) const PAGE_ITEMS: usize = 1000;
use std::collections::{HashMap, HashSet};

const REQUIRED: [&str; 5] = ["symbol", "number", "birth_date", "name_kana", "name"];
const OPTIONAL: [&str; 5] = ["kind", "office", "office_name", "overseas", "email"];
pub(crate) const MAX_NAME_CHARS: usize = 100;

/// A name column: written by the union, so only its length is checked.
pub(crate) fn take_name(row: &mut Row, column: &str) -> Option<String> {
    let name = crate::domain::clean_text(row.field(column));
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        row.refuse(
            column,
            crate::domain::stated!("氏名は1文字以上{MAX_NAME_CHARS}文字以内で入力してください。"),
        );
        return None;
    }
    Some(name)
}

/// Parses a roster CSV: a header row naming the columns (any order, extra columns ignored).
pub fn parse(
    text: &str,
    insurer: &InsurerCode,
    year: i32,
    today: time::Date,
) -> Result<Vec<RosterPerson>, ImportError> {
    let mut seen = HashSet::new();
    read_rows(text, &REQUIRED, &OPTIONAL, |row| {
        let symbol = row.take("symbol", CardSymbol::parse);
        let number = row.take("number", CardNumber::parse);
        let birth_date = row.take("birth_date", |v| BirthDate::parse(v, today));
        let name_kana = row.take("name_kana", KanaName::parse);
        let name = take_name(row, "name");
        let kind = row.take_optional("kind", InsuredKind::parse);
        let office = row.take_optional("office", OfficeCode::parse);
        let office_name = row.take_optional("office_name", |v| {
            let name = crate::domain::clean_text(v);
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(crate::domain::Invalid(crate::domain::stated!(
                    "事業所名は{MAX_NAME_CHARS}文字以内で入力してください。"
                )));
            }
            Ok(name)
        });
        let overseas = row.take("overseas", parse_flag);
        let email = row.take_optional("email", Email::parse);
        let (
            Some(symbol),
            Some(number),
            Some(birth_date),
            Some(name_kana),
            Some(name),
            Some(kind),
            Some(office),
            Some(office_name),
            Some(overseas),
            Some(email),
        ) = (
            symbol,
            number,
            birth_date,
            name_kana,
            name,
            kind,
            office,
            office_name,
            overseas,
            email,
        )
        else {
            return Ok(None);
        };
        if !seen.insert((symbol.clone(), number.clone())) {
            return Err("同じ記号・番号の行が既にあります".to_string());
        }
        Ok(Some(
            RosterPerson {
                insurer: insurer.clone(),
                year,
                symbol,
                number,
                birth_date,
                name_kana,
                name,
                claimed_by: None,
                kind: kind.unwrap_or_default(),
                office,
                office_name,
                overseas,
                email,
                birth_list: None,
                kana_order: None,
            }
            .listed(),
        ))
    })
}

/// Registers a union or renames it; its contact details are changed only when given.
pub async fn put_insurer(
    store: &dyn ItemStore,
    code: &InsurerCode,
    name: &str,
    contact: Option<&UnionContact>,
) -> Result<(), Error> {
    let mut changes = vec![Change::set(Insurer::CODE, code), Change::set(Insurer::NAME, name)];
    if let Some(contact) = contact {
        changes.push(Change::set(Insurer::CONTACT, contact));
    }
    store.update(&Insurer::key(code), &changes, None).await?;
    Ok(())
}

/// Rows written to the store per batch.
pub(crate) const WRITE_BATCH: usize = 500;
/// Changed persons updated at once (each its own UpdateItem, to keep their claim).
const UPDATE_CONCURRENCY: usize = 16;

fn unclaimed_digest(person: &RosterPerson) -> u64 {
    digest(&RosterPerson {
        claimed_by: None,
        ..person.clone()
    })
}

/// A changed person written field by field, so that a claim made meanwhile is kept.
fn changes_keeping_the_claim(person: &RosterPerson) -> Vec<Change> {
    vec![
        Change::set(RosterPerson::BIRTH_DATE, person.birth_date),
        Change::set(RosterPerson::NAME_KANA, &person.name_kana),
        Change::set(RosterPerson::NAME, person.name.as_str()),
        Change::set(RosterPerson::KIND, person.kind),
        if person.overseas {
            Change::set(RosterPerson::OVERSEAS, true)
        } else {
            Change::remove(RosterPerson::OVERSEAS)
        },
        match &person.office {
            Some(office) => Change::set(RosterPerson::OFFICE, office),
            None => Change::remove(RosterPerson::OFFICE),
        },
        match &person.office_name {
            Some(name) => Change::set(RosterPerson::OFFICE_NAME, name.as_str()),
            None => Change::remove(RosterPerson::OFFICE_NAME),
        },
        match &person.email {
            Some(email) => Change::set(RosterPerson::EMAIL, email),
            None => Change::remove(RosterPerson::EMAIL),
        },
        match &person.birth_list {
            Some(list) => Change::set(RosterPerson::BIRTH_LIST, list.as_str()),
            None => Change::remove(RosterPerson::BIRTH_LIST),
        },
        match &person.kana_order {
            Some(order) => Change::set(RosterPerson::KANA_ORDER, order.as_str()),
            None => Change::remove(RosterPerson::KANA_ORDER),
        },
    ]
}

async fn write(
    store: &dyn ItemStore,
    added: Vec<(Key, crate::store::Item)>,
    changed: Vec<(Key, Vec<Change>)>,
) -> Result<(), ImportError> {
    store.put_many(added).await?;
    futures::stream::iter(changed)
        .map(|(key, changes)| async move { store.update(&key, &changes, None).await.map(|_| ()) })
        .buffer_unordered(UPDATE_CONCURRENCY)
        .try_collect::<()>()
        .await?;
    Ok(())
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Loads a parsed roster. Re-importing the same file changes nothing; a changed row keeps its
/// claim (the account registered for that person). Importing a year at least as recent as the
/// current one makes it current, which resets every account of earlier years.
pub async fn import(
    store: &dyn ItemStore,
    insurer: &InsurerCode,
    year: i32,
    people: Vec<RosterPerson>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<ImportReport, ImportError> {
    let current: Insurer = match store.get(&Insurer::key(insurer)).await.map_err(Error::from)? {
        Some(item) => from_item(item).map_err(Error::from)?,
        None => return Err(ImportError::UnknownInsurer(insurer.to_string())),
    };
    // What is stored, as a digest of each person without their claim: a page of the roster
    // at a time, so that only keys and digests are held.
    let mut existing: HashMap<Key, u64> = HashMap::new();
    let partition = RosterPerson::partition(insurer, year);
    let mut after = None;
    loop {
        let page = store
            .query_page(&partition, RosterPerson::SK_PREFIX, after.as_deref(), PAGE_ITEMS)
            .await?;
        for item in page.items {
            if let RosterEntry::Person(person) = RosterEntry::from_item(item)? {
                existing.insert(person.own_key(), unclaimed_digest(&person));
            }
        }
        match page.last {
            Some(last) => after = Some(last),
            None => break,
        }
    }

    let mut report = ImportReport::default();
    let mut added: Vec<(Key, crate::store::Item)> = Vec::new();
    let mut changed: Vec<(Key, Vec<Change>)> = Vec::new();
    let total = people.len();
    for (done, person) in people.into_iter().enumerate() {
        let key = person.own_key();
        match existing.get(&key) {
            None => {
                added.push((key, to_item(&person, None)));
                report.added += 1;
            }
            Some(stored) if *stored == unclaimed_digest(&person) => report.unchanged += 1,
            Some(_) => {
                changed.push((key, changes_keeping_the_claim(&person)));
                report.updated += 1;
            }
        }
        if added.len() + changed.len() >= WRITE_BATCH || done + 1 == total {
            write(store, std::mem::take(&mut added), std::mem::take(&mut changed)).await?;
            progress(done + 1);
        }
    }
    // Persons are never deleted from a roster: those read plus those added are all of them.
    let persons = i64::try_from(existing.len() + report.added).unwrap_or(i64::MAX);
    store
        .update(
            &Progress::counts_key(insurer, year),
            &[Change::set(ProgressCounts::ROSTER_PERSONS, persons)],
            None,
        )
        .await
        .map_err(Error::from)?;
    if current.current_year.is_none_or(|current| year >= current) && current.current_year != Some(year) {
        store
            .update(
                &Insurer::key(insurer),
                &[Change::set(Insurer::CURRENT_YEAR, year)],
                None,
            )
            .await
            .map_err(Error::from)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: time::Date = date!(2026 - 11 - 26);

    fn code() -> InsurerCode {
        InsurerCode::parse("0904").unwrap()
    }

    #[test]
    fn reads_columns_in_any_order_and_normalises_like_user_input() {
        let csv = "name,extra,name_kana,birth_date,number,symbol\n健保 太郎,x,ｹﾝﾎﾟ ﾀﾛｳ,1990/1/1,００１２,１２３\n";
        let people = parse(csv, &code(), 2026, TODAY).unwrap();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].symbol.as_str(), "123");
        assert_eq!(people[0].number.as_str(), "0012");
        assert_eq!(people[0].name_kana.as_str(), "ケンポタロウ");
        assert_eq!(people[0].birth_date.to_display(), "1990/01/01");
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_nothing_is_returned() {
        let csv = "symbol,number,birth_date,name_kana,name\n1,2,1990/01/01,ケンポ,健保\n1,x,1990/02/30,Taro,\n1,2,1990/01/01,ケンポ,健保\n";
        let ImportError::Rows(errors) = parse(csv, &code(), 2026, TODAY).unwrap_err() else {
            panic!()
        };
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0, 3);
        assert!(
            errors[0].1.contains("number") && errors[0].1.contains("birth_date") && errors[0].1.contains("name_kana")
        );
        assert_eq!(errors[1].0, 4);
    }

    #[test]
    fn the_optional_columns_are_read_when_present_and_checked() {
        let csv = "symbol,number,birth_date,name_kana,name,kind,office,office_name,overseas,email\n\
            1,1,1990/01/01,ケンポ,健保,任意継続,A-01,本社,1,taro@example.jp\n\
            1,2,1990/01/01,ケンポ,健保,,,,,\n";
        let people = parse(csv, &code(), 2026, TODAY).unwrap();
        assert_eq!(people[0].kind, InsuredKind::VoluntaryContinuation);
        assert_eq!(people[0].office.as_ref().map(OfficeCode::as_str), Some("A-01"));
        assert_eq!(people[0].office_name.as_deref(), Some("本社"));
        assert!(people[0].overseas);
        assert_eq!(people[0].email.as_ref().map(Email::as_str), Some("taro@example.jp"));
        assert_eq!(people[1].kind, InsuredKind::General, "an empty kind is 一般");
        assert!(people[1].office.is_none() && !people[1].overseas && people[1].email.is_none());

        let bad = format!(
            "symbol,number,birth_date,name_kana,name,kind,office,office_name,overseas,email\n\
             1,1,1990/01/01,ケンポ,健保,退職,本社,{},2,taro@\n",
            "支".repeat(MAX_NAME_CHARS + 1)
        );
        let ImportError::Rows(errors) = parse(&bad, &code(), 2026, TODAY).unwrap_err() else {
            panic!()
        };
        for column in ["kind", "office", "office_name", "overseas", "email"] {
            assert!(errors[0].1.contains(&format!("{column}:")), "{column}: {}", errors[0].1);
        }
    }

    #[test]
    fn missing_column_is_named() {
        let csv = "symbol,number,birth_date,name\n";
        assert!(matches!(
            parse(csv, &code(), 2026, TODAY),
            Err(ImportError::MissingColumn("name_kana"))
        ));
    }
}
