//! The union's files (rosters, dependents): how they are decoded, their columns found, their
//! rows numbered as an editor shows them, and every bad row reported at once.

use crate::domain::Invalid;
use crate::error::Error;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
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

impl From<crate::store::StoreError> for ImportError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Store(error.into())
    }
}

/// A digest of a record as a file states it, to tell an unchanged row from a changed one
/// without holding what is stored.
pub fn digest<T: serde::Serialize>(record: &T) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    serde_json::to_string(record)
        .expect("records serialise")
        .hash(&mut hasher);
    hasher.finish()
}

/// UTF-8 (with or without BOM) as most tools write it, or Shift_JIS/CP932 as unions' core
/// systems and Excel export it.
pub fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|_| ImportError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(ImportError::Encoding);
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

/// One data row: its fields by column name. An optional column the file lacks reads as empty.
pub struct Row<'r> {
    record: &'r csv::StringRecord,
    index: &'r HashMap<&'static str, usize>,
    problems: Vec<String>,
}

impl Row<'_> {
    pub fn field(&self, column: &str) -> &str {
        self.index.get(column).and_then(|&i| self.record.get(i)).unwrap_or("")
    }

    /// The column's value through its rule; a refusal is noted against the row with the
    /// column's name.
    pub fn take<T>(&mut self, column: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        match parse(self.field(column)) {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.problems.push(format!("{column}: {invalid}"));
                None
            }
        }
    }

    /// Like `take`, but an empty field is `None` rather than a refusal.
    pub fn take_optional<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        if crate::domain::is_blank(self.field(column)) {
            Some(None)
        } else {
            self.take(column, parse).map(Some)
        }
    }

    pub fn refuse(&mut self, column: &str, message: &str) {
        self.problems.push(format!("{column}: {message}"));
    }
}

/// A file's data rows, read one at a time so that a large file is never held parsed.
pub struct Rows<'t> {
    reader: csv::Reader<&'t [u8]>,
    line_numbers: LineNumbers<'t>,
    index: HashMap<&'static str, usize>,
    record: csv::StringRecord,
}

impl<'t> Rows<'t> {
    /// The header row must name each of `required` (any order); columns named in `optional`
    /// are read when present; others are ignored.
    pub fn new(text: &'t str, required: &[&'static str], optional: &[&'static str]) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| ImportError::Rows(vec![(1, e.to_string())]))?
            .clone();
        let position = |column: &str| {
            headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{FEFF}').eq_ignore_ascii_case(column))
        };
        let mut index = HashMap::new();
        for &column in required {
            index.insert(column, position(column).ok_or(ImportError::MissingColumn(column))?);
        }
        for &column in optional {
            if let Some(at) = position(column) {
                index.insert(column, at);
            }
        }
        Ok(Self {
            reader,
            line_numbers: LineNumbers::new(text),
            index,
            record: csv::StringRecord::new(),
        })
    }

    /// The next non-blank row made into a value by `make`, or its line and what is wrong with
    /// it: `make` refuses a whole row with `Err` and a column through `Row::take` (then it
    /// answers `Ok(None)`). `None` at the end of the file.
    pub fn next_row<T>(
        &mut self,
        make: impl FnOnce(&mut Row) -> Result<Option<T>, String>,
    ) -> Option<Result<T, (u64, String)>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) if self.record.iter().all(|f| f.trim().is_empty()) => continue,
                Ok(true) => break,
                Err(e) => {
                    let line = self.line_numbers.of(e.position());
                    return Some(Err((line, format!("CSVとして読み取れません（{e}）"))));
                }
            }
        }
        let line = self.line_numbers.of(self.record.position());
        let mut row = Row {
            record: &self.record,
            index: &self.index,
            problems: Vec::new(),
        };
        let made = make(&mut row);
        let mut problems = row.problems;
        match made {
            Ok(Some(value)) if problems.is_empty() => return Some(Ok(value)),
            Ok(_) => {}
            Err(message) => problems.push(message),
        }
        Some(Err((line, problems.join(" / "))))
    }
}

/// Makes every row of `text` into a value with `make` (see `Rows::next_row`); all refusals are
/// returned together, each with its line.
pub fn read_rows<T>(
    text: &str,
    required: &[&'static str],
    optional: &[&'static str],
    mut make: impl FnMut(&mut Row) -> Result<Option<T>, String>,
) -> Result<Vec<T>, ImportError> {
    let mut rows = Rows::new(text, required, optional)?;
    let mut values = Vec::new();
    let mut errors = Vec::new();
    while let Some(row) = rows.next_row(&mut make) {
        match row {
            Ok(value) => values.push(value),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(ImportError::Rows(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_and_shift_jis() {
        let text = "symbol,number,birth_date,name_kana,name\n1,2,1990/01/01,ケンポ タロウ,健保 太郎\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), text);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert_eq!(decode(&sjis).unwrap(), text);
        assert!(matches!(decode(b"\xFF\xFE\xFF"), Err(ImportError::Encoding)));
    }

    #[test]
    fn line_numbers_count_blank_lines_and_every_kind_of_line_end() {
        let rows = ["a,b", "1,ok", "2,bad", "", "3,bad", ""];
        for line_end in ["\n", "\r\n", "\r"] {
            let result = read_rows(&rows.join(line_end), &["a", "b"], &[], |row| {
                if row.field("b") == "bad" {
                    Err("bad".into())
                } else {
                    Ok(Some(()))
                }
            });
            let Err(ImportError::Rows(errors)) = result else {
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
    fn missing_required_column_is_named_and_a_missing_optional_one_reads_empty() {
        assert!(matches!(
            read_rows("a\n1\n", &["a", "b"], &[], |_| Ok(Some(()))),
            Err(ImportError::MissingColumn("b"))
        ));
        let seen = read_rows("a\n1\n", &["a"], &["c"], |row| {
            Ok(Some((row.field("a").to_string(), row.field("c").to_string())))
        })
        .unwrap();
        assert_eq!(seen, [("1".to_string(), String::new())]);
    }
}
