//! Unions and their yearly rosters, as the operator CLI loads them. A roster file is checked
//! whole before anything is written: one bad row and nothing is imported.

use crate::domain::{BirthDate, CardNumber, CardSymbol, InsurerCode, KanaName};
use crate::error::Error;
use crate::store::records::{Insurer, RosterPerson, from_item, to_item};
use crate::store::{Change, ItemStore, Key};
use std::collections::{HashMap, HashSet};

const COLUMNS: [&str; 5] = ["symbol", "number", "birth_date", "name_kana", "name"];
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）")]
    Encoding,
    #[error("見出し行に列 {0} がありません")]
    MissingColumn(&'static str),
    #[error("{}", .0.iter().map(|(line, message)| format!("{line}行目: {message}")).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<(u64, String)>),
    #[error("保険者 {0} が登録されていません（先に insurer put を実行してください）")]
    UnknownInsurer(String),
    #[error("{0}")]
    Store(#[from] Error),
}

/// UTF-8 (with or without BOM) as most tools write it, or Shift_JIS/CP932 as unions' core
/// systems and Excel export it.
pub fn decode(bytes: &[u8]) -> Result<String, RosterError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|_| RosterError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(RosterError::Encoding);
    }
    Ok(text.into_owned())
}

/// Line numbers as an editor shows them: CRLF, LF and a lone CR (Excel for Mac) each end a line.
/// The CSV reader's own count skips blank lines and ignores a lone CR, so rows after either would
/// be reported on the wrong line.
struct LineNumbers<'a> {
    text: &'a [u8],
    ends: Vec<usize>,
}

impl<'a> LineNumbers<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.as_bytes();
        let ends = (0..text.len())
            .filter(|&i| text[i] == b'\n' || (text[i] == b'\r' && text.get(i + 1) != Some(&b'\n')))
            .collect();
        Self { text, ends }
    }

    fn of(&self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return 0 };
        // A record's position is where the reader started on it, before the blank lines it skipped.
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        1 + self.ends.partition_point(|&end| end < start) as u64
    }
}

/// Parses a roster CSV: a header row naming the columns (any order, extra columns ignored).
pub fn parse(
    text: &str,
    insurer: &InsurerCode,
    year: i32,
    today: time::Date,
) -> Result<Vec<RosterPerson>, RosterError> {
    let line_numbers = LineNumbers::new(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| RosterError::Rows(vec![(1, e.to_string())]))?
        .clone();
    let mut index = HashMap::new();
    for column in COLUMNS {
        let position = headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{FEFF}').eq_ignore_ascii_case(column))
            .ok_or(RosterError::MissingColumn(column))?;
        index.insert(column, position);
    }
    let mut people = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = line_numbers.of(e.position());
                errors.push((line, format!("CSVとして読み取れません（{e}）")));
                continue;
            }
        };
        let line = line_numbers.of(record.position());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |column: &str| record.get(index[column]).unwrap_or("");
        let mut problems = Vec::new();
        let mut take = |column: &str, result: Result<(), String>| {
            if let Err(message) = result {
                problems.push(format!("{column}: {message}"));
            }
        };
        let symbol = CardSymbol::parse(field("symbol"));
        let number = CardNumber::parse(field("number"));
        let birth_date = BirthDate::parse(field("birth_date"), today);
        let name_kana = KanaName::parse(field("name_kana"));
        let name = field("name").trim().to_string();
        take("symbol", symbol.as_ref().map(|_| ()).map_err(|e| e.0.to_string()));
        take("number", number.as_ref().map(|_| ()).map_err(|e| e.0.to_string()));
        take(
            "birth_date",
            birth_date.as_ref().map(|_| ()).map_err(|e| e.0.to_string()),
        );
        take("name_kana", name_kana.as_ref().map(|_| ()).map_err(|e| e.0.to_string()));
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            take(
                "name",
                Err(format!("氏名は1文字以上{MAX_NAME_CHARS}文字以内で入力してください。")),
            );
        }
        match (symbol, number, birth_date, name_kana) {
            (Ok(symbol), Ok(number), Ok(birth_date), Ok(name_kana)) if problems.is_empty() => {
                if !seen.insert((symbol.clone(), number.clone())) {
                    errors.push((line, "同じ記号・番号の行が既にあります".to_string()));
                    continue;
                }
                people.push(RosterPerson {
                    insurer: insurer.clone(),
                    year,
                    symbol,
                    number,
                    birth_date,
                    name_kana,
                    name,
                    claimed_by: None,
                });
            }
            _ => errors.push((line, problems.join(" / "))),
        }
    }
    if errors.is_empty() {
        Ok(people)
    } else {
        Err(RosterError::Rows(errors))
    }
}

pub async fn put_insurer(store: &dyn ItemStore, code: &InsurerCode, name: &str) -> Result<(), Error> {
    store
        .update(
            &Insurer::key(code),
            &[Change::set(Insurer::CODE, code), Change::set(Insurer::NAME, name)],
            None,
        )
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
) -> Result<ImportReport, RosterError> {
    let current: Insurer = match store.get(&Insurer::key(insurer)).await.map_err(Error::from)? {
        Some(item) => from_item(item).map_err(Error::from)?,
        None => return Err(RosterError::UnknownInsurer(insurer.to_string())),
    };
    let existing: HashMap<String, RosterPerson> = store
        .query(&RosterPerson::partition(insurer, year), RosterPerson::SK_PREFIX)
        .await
        .map_err(Error::from)?
        .into_iter()
        .map(|item| from_item::<RosterPerson>(item).map(|p| (p.own_key().sk, p)))
        .collect::<Result<_, _>>()
        .map_err(Error::from)?;

    let mut report = ImportReport::default();
    let mut new_people: Vec<(Key, crate::store::Item)> = Vec::new();
    for person in people {
        let key = person.own_key();
        match existing.get(&key.sk) {
            None => {
                new_people.push((key, to_item(&person, None)));
                report.added += 1;
            }
            Some(old)
                if RosterPerson {
                    claimed_by: None,
                    ..old.clone()
                } == person =>
            {
                report.unchanged += 1
            }
            Some(_) => {
                // Field by field, so a claim made meanwhile is kept.
                let changes = [
                    Change::set(RosterPerson::BIRTH_DATE, person.birth_date),
                    Change::set(RosterPerson::NAME_KANA, &person.name_kana),
                    Change::set(RosterPerson::NAME, person.name.as_str()),
                ];
                store.update(&key, &changes, None).await.map_err(Error::from)?;
                report.updated += 1;
            }
        }
    }
    store.put_many(new_people).await.map_err(Error::from)?;
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
    fn decodes_utf8_bom_and_shift_jis() {
        let text = "symbol,number,birth_date,name_kana,name\n1,2,1990/01/01,ケンポ タロウ,健保 太郎\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), text);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis).unwrap(), text);
        assert!(matches!(decode(b"\xFF\xFE\xFF"), Err(RosterError::Encoding)));
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_nothing_is_returned() {
        let csv = "symbol,number,birth_date,name_kana,name\n1,2,1990/01/01,ケンポ,健保\n1,x,1990/02/30,Taro,\n1,2,1990/01/01,ケンポ,健保\n";
        let RosterError::Rows(errors) = parse(csv, &code(), 2026, TODAY).unwrap_err() else {
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
    fn line_numbers_count_blank_lines_and_every_kind_of_line_end() {
        let rows = [
            "symbol,number,birth_date,name_kana,name",
            "1,2,1990/01/01,ケンポ,健保",
            "1,x,1990/01/01,ケンポ,健保",
            "",
            "1,y,1990/01/01,ケンポ,健保",
            "",
        ];
        for line_end in ["\n", "\r\n", "\r"] {
            let RosterError::Rows(errors) = parse(&rows.join(line_end), &code(), 2026, TODAY).unwrap_err() else {
                panic!()
            };
            assert_eq!(
                errors.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
                [3, 5],
                "{line_end:?}"
            );
        }
    }

    #[test]
    fn missing_column_is_named() {
        let csv = "symbol,number,birth_date,name\n";
        assert!(matches!(
            parse(csv, &code(), 2026, TODAY),
            Err(RosterError::MissingColumn("name_kana"))
        ));
    }
}
