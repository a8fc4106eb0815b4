//! POST /api/admin/exports and `kennin-admin export`: the campaign's results (a row per target)
//! or its progress (counts by office and status) as CSV for the union's core system and Excel,
//! in UTF-8 with a BOM or in Shift_JIS (CP932). The columns are documented in docs/export.md.
//!
//! The console's file goes to the document store and the answer is a short-lived link to it:
//! a Lambda response carries at most 6 MB, and a large union's results are more.

use crate::blobs::BlobKey;
use crate::clock::Timestamp;
use crate::deps::Deps;
use crate::domain::{InsurerCode, Permission, TargetStatus};
use crate::error::Error;
use crate::http::ApiRequest;
use crate::staff_session;
use crate::store::records::{AuditAction, AuditSubject, Target, from_item};
use crate::store::{Index, ItemStore};
use crate::survey_documents::DOWNLOAD_URL_SECONDS;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Targets read per page of the campaign's kana list.
const PAGE_TARGETS: usize = 1_000;
/// Put for a character Shift_JIS (CP932) cannot hold (an emoji, a rare kanji): the geta mark,
/// which Japanese print uses for exactly this.
const NOT_IN_SHIFT_JIS: char = '〓';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Results,
    Progress,
}

impl ExportKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "results" => Some(Self::Results),
            "progress" => Some(Self::Progress),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Results => "results",
            Self::Progress => "progress",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    /// UTF-8 with a byte order mark, which Excel needs to read it as UTF-8.
    Utf8,
    /// Shift_JIS as Windows writes it (CP932), for older core systems.
    ShiftJis,
}

impl ExportEncoding {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "utf-8" => Some(Self::Utf8),
            "shift_jis" => Some(Self::ShiftJis),
            _ => None,
        }
    }

    fn charset(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::ShiftJis => "Shift_JIS",
        }
    }
}

/// An export, ready to save.
#[derive(Debug)]
pub struct ExportFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A column of the results file: its heading and how a target's cell is made. The decision's
/// columns (outcome, effective date) join this list once targets carry them.
type Column = (&'static str, fn(&Target) -> String);

const RESULT_COLUMNS: &[Column] = &[
    ("記号", |t| t.symbol.as_str().to_string()),
    ("番号", |t| t.number.as_str().to_string()),
    ("被扶養者番号", |t| t.recorded.dependent_no.as_str().to_string()),
    ("氏名", |t| t.recorded.name.clone()),
    ("氏名カナ", |t| t.recorded.name_kana.as_str().to_string()),
    ("生年月日", |t| t.recorded.birth_date.to_display()),
    ("続柄", |t| t.recorded.relationship.as_str().to_string()),
    ("事業所", |t| {
        t.office.as_ref().map(|o| o.as_str().to_string()).unwrap_or_default()
    }),
    ("状況", |t| t.status.label().to_string()),
    ("提出日時", |t| t.submitted_at.map(japan_time).unwrap_or_default()),
    ("名簿から削除", |t| {
        if t.left_roster { "1" } else { "" }.to_string()
    }),
];

/// `2026-07-01 09:30` in Japan time.
fn japan_time(at: i64) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::macros::offset!(+9));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute()
    )
}

/// The file of `kind` for the union's campaign of `year`, read from the campaign's kana list
/// a page at a time (every target is there once).
pub async fn build(
    store: &dyn ItemStore,
    insurer: &InsurerCode,
    year: i32,
    kind: ExportKind,
    encoding: ExportEncoding,
    today: time::Date,
) -> Result<ExportFile, Error> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let written = |e: csv::Error| Error::Internal(format!("export not written: {e}"));
    let mut progress: BTreeMap<String, [u64; TargetStatus::ALL.len()]> = BTreeMap::new();
    if kind == ExportKind::Results {
        csv.write_record(RESULT_COLUMNS.iter().map(|(heading, _)| *heading))
            .map_err(written)?;
    }
    let partition = Target::kana_partition(insurer, year);
    let mut after = None;
    loop {
        let page = store
            .index_page(Index::ByKana, &partition, "", after.as_deref(), PAGE_TARGETS, false)
            .await?;
        for item in page.items {
            let target: Target = from_item(item)?;
            match kind {
                ExportKind::Results => csv
                    .write_record(RESULT_COLUMNS.iter().map(|(_, cell)| cell(&target)))
                    .map_err(written)?,
                ExportKind::Progress => {
                    let office = target
                        .office
                        .as_ref()
                        .map(|o| o.as_str().to_string())
                        .unwrap_or_default();
                    let status = TargetStatus::ALL.iter().position(|s| *s == target.status).unwrap_or(0);
                    progress.entry(office).or_default()[status] += 1;
                }
            }
        }
        match page.last {
            Some(last) => after = Some(last),
            None => break,
        }
    }
    if kind == ExportKind::Progress {
        write_progress(&mut csv, &progress).map_err(written)?;
    }
    let text = String::from_utf8(
        csv.into_inner()
            .map_err(|e| Error::Internal(format!("export not written: {e}")))?,
    )
    .map_err(|_| Error::Internal("export not UTF-8".into()))?;
    let bytes = encode(&text, encoding);
    Ok(ExportFile {
        file_name: format!(
            "kennin-{}-{insurer}-{year}-{:04}{:02}{:02}.csv",
            kind.name(),
            today.year(),
            u8::from(today.month()),
            today.day()
        ),
        content_type: format!("text/csv; charset={}", encoding.charset()),
        bytes,
    })
}

/// 事業所, a count per status, 合計; the offices in code order, then the campaign's total.
fn write_progress(
    csv: &mut csv::Writer<Vec<u8>>,
    progress: &BTreeMap<String, [u64; TargetStatus::ALL.len()]>,
) -> Result<(), csv::Error> {
    let mut heading = vec!["事業所"];
    heading.extend(TargetStatus::ALL.iter().map(|s| s.label()));
    heading.push("合計");
    csv.write_record(heading)?;
    let mut total = [0u64; TargetStatus::ALL.len()];
    let row = |office: &str, counts: &[u64]| {
        std::iter::once(office.to_string())
            .chain(counts.iter().map(u64::to_string))
            .chain(std::iter::once(counts.iter().sum::<u64>().to_string()))
            .collect::<Vec<_>>()
    };
    for (office, counts) in progress {
        for (sum, count) in total.iter_mut().zip(counts) {
            *sum += count;
        }
        csv.write_record(row(office, counts))?;
    }
    csv.write_record(row("合計", &total))
}

/// The text in the file's encoding. Shift_JIS cannot hold every character: each one it cannot
/// becomes `NOT_IN_SHIFT_JIS` (encoding_rs alone would write an HTML numeric reference, which a
/// core system would import as text).
fn encode(text: &str, encoding: ExportEncoding) -> Vec<u8> {
    match encoding {
        ExportEncoding::Utf8 => {
            let mut bytes = "\u{FEFF}".as_bytes().to_vec();
            bytes.extend_from_slice(text.as_bytes());
            bytes
        }
        ExportEncoding::ShiftJis => {
            let (bytes, _, lossy) = encoding_rs::SHIFT_JIS.encode(text);
            if !lossy {
                return bytes.into_owned();
            }
            let mut buffer = [0u8; 4];
            let held: String = text
                .chars()
                .map(|c| {
                    let (_, _, lossy) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buffer));
                    if lossy { NOT_IN_SHIFT_JIS } else { c }
                })
                .collect();
            encoding_rs::SHIFT_JIS.encode(&held).0.into_owned()
        }
    }
}

/// What the console asks for: `kind` results or progress, `encoding` utf-8 (the default) or
/// shift_jis.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"kind": "results", "encoding": "shift_jis"}]))]
pub struct ExportRequest {
    pub kind: Option<String>,
    pub encoding: Option<String>,
}

/// The export, written: the browser downloads it from `url` before `expires_at`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportLink {
    pub url: String,
    pub file_name: String,
    /// The file's size in bytes.
    pub size: u64,
    pub expires_at: Timestamp,
}

/// POST /api/admin/exports (admin): audited first, then the file is made, stored under
/// `exports/` and answered as a download link valid for `DOWNLOAD_URL_SECONDS`.
pub async fn export(deps: &Deps, request: &ApiRequest, body: ExportRequest) -> Result<ExportLink, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::Export)?;
    let mut fields = crate::error::Fields::default();
    let kind = ExportKind::parse(body.kind.as_deref().unwrap_or(""));
    if kind.is_none() {
        fields.add("kind", "出力する内容は results か progress を指定してください。");
    }
    let encoding = ExportEncoding::parse(body.encoding.as_deref().unwrap_or("utf-8"));
    if encoding.is_none() {
        fields.add("encoding", "文字コードは utf-8 か shift_jis を指定してください。");
    }
    fields.finish()?;
    let (Some(kind), Some(encoding)) = (kind, encoding) else {
        unreachable!("every field parsed when no field error was recorded");
    };
    context
        .auditor
        .record(
            deps,
            AuditAction::Exported,
            Some(AuditSubject::Query {
                what: kind.name().into(),
            }),
        )
        .await?;
    let year = context.insurer.current_year.ok_or(Error::NotFound)?;
    let file = build(
        deps.store.as_ref(),
        &context.insurer.code,
        year,
        kind,
        encoding,
        deps.clock.today_in_japan(),
    )
    .await?;
    let key = BlobKey::export(&context.insurer.code, &uuid::Uuid::new_v4().simple().to_string())?;
    let size = file.bytes.len() as u64;
    deps.blobs.put(&key, file.bytes, &file.content_type).await?;
    let url = deps
        .blobs
        .presign_download(&key, &file.file_name, &file.content_type, DOWNLOAD_URL_SECONDS)
        .await?;
    tracing::info!(event = "export_written", kind = kind.name(), size, "console");
    Ok(ExportLink {
        url,
        file_name: file.file_name,
        size,
        expires_at: Timestamp(deps.clock.unix() + DOWNLOAD_URL_SECONDS),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_puts_the_geta_mark_for_what_it_cannot_hold() {
        let bytes = encode("髙橋𠮷🙂,ア", ExportEncoding::ShiftJis);
        let (text, _, lossy) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!lossy);
        assert_eq!(text, "髙橋〓〓,ア");
    }

    #[test]
    fn utf8_starts_with_the_byte_order_mark() {
        assert_eq!(encode("a", ExportEncoding::Utf8), b"\xEF\xBB\xBFa");
    }
}
