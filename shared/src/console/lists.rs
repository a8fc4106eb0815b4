//! GET /api/admin/targets: a page of the union's targets, newest submission first, filtered by
//! status, office (事業所), pre-check result, missing documents, or searched by card (記号-番号) or
//! kana. Each page is read from one list without scanning the table (docs/data-model.md, "The
//! staff console's lists"):
//!
//! - a card: the insured person's own partition (a Query of the base table);
//! - kana: the kana list (`Index::ByKana`), by prefix, in kana order;
//! - an office: the office's list (`Index::ByOffice`), narrowed to a status when one is given;
//! - a status: the status's list (`Index::ByStatus`);
//! - nothing: the status lists one after the other (submitted, returned, confirmed, in
//!   progress, not started).
//!
//! The other filters, and the pre-check and documents filters always, sift the page read: a page
//! may then hold fewer rows than `limit` (none, even) while `cursor` says more may follow.

use crate::answers::Answers;
use crate::clock::Timestamp;
use crate::console::TargetRef;
use crate::deps::Deps;
use crate::domain::{CardNumber, CardSymbol, Day, KanaName, OfficeCode, Permission, TargetStatus, clean_text};
use crate::eligibility::{self, Level, TargetFacts, ThresholdTable, Thresholds};
use crate::error::{Error, FieldErrors};
use crate::http::ApiRequest;
use crate::required_documents::{DocumentTable, required_documents};
use crate::staff_session;
use crate::store::records::{AuditAction, AuditSubject, Campaign, DocumentStatus, Target, TargetDocument, from_item};
use crate::store::{Index, ItemStore, StoreError, sort_key};
use crate::union_documents;
use futures::{StreamExt as _, TryStreamExt as _};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;
/// The documents of a page's targets are read this many at a time.
const DOCUMENT_READS_IN_FLIGHT: usize = 16;

/// The query parameters the route takes, in the order an audit entry names them.
pub const PARAMETERS: [&str; 7] = ["status", "office", "check", "missingDocuments", "q", "cursor", "limit"];

/// The status lists read one after the other when no filter names a list.
const STATUS_ORDER: [TargetStatus; 5] = [
    TargetStatus::Submitted,
    TargetStatus::Returned,
    TargetStatus::Confirmed,
    TargetStatus::InProgress,
    TargetStatus::NotStarted,
];

/// The pre-check's outcome for a target: its most serious finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    /// No warning and nothing ineligible (information only, or nothing at all).
    Clear,
    /// Income above a limit or a remittance to check: the union decides with the documents.
    Warning,
    /// A fact that alone ends the status.
    Ineligible,
}

impl CheckResult {
    pub fn label(self) -> &'static str {
        match self {
            Self::Clear => "問題なし",
            Self::Warning => "要確認",
            Self::Ineligible => "要件外",
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecksSummary {
    pub result: CheckResult,
    pub result_label: &'static str,
    pub warnings: usize,
    pub ineligible: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetRow {
    /// The target's name in the console's URLs (`{記号}-{番号}-{id}`).
    #[serde(rename = "ref")]
    pub reference: String,
    pub name: String,
    pub name_kana: String,
    /// 続柄
    pub relationship: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    pub status: TargetStatus,
    pub status_label: &'static str,
    /// 事業所, when the roster records one.
    pub office: Option<String>,
    pub submitted_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    /// The dependent is no longer in the union's roster.
    pub left_roster: bool,
    /// The pre-check on the answers so far, as the person saw it.
    pub checks: ChecksSummary,
    /// A document the answers require has no accepted file yet.
    pub missing_documents: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetList {
    /// Up to `limit` rows; fewer (none, even) when filters sifted the page read.
    pub targets: Vec<TargetRow>,
    /// Pass as `cursor` for the next page; `null` after the last.
    pub cursor: Option<String>,
}

enum Search {
    Card(CardSymbol, CardNumber),
    Kana(KanaName),
}

struct Filters {
    status: Option<TargetStatus>,
    office: Option<OfficeCode>,
    check: Option<CheckResult>,
    missing_documents: Option<bool>,
    search: Option<Search>,
    cursor: Option<Cursor>,
    limit: usize,
}

/// Where the next page starts: the list (its position in the lists read one after the other;
/// 0 for a single list) and the store's own cursor in it. Opaque to the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor(usize, Option<String>);

impl Cursor {
    fn encode(&self) -> String {
        hex::encode(serde_json::to_vec(self).expect("a cursor serialises"))
    }

    fn decode(text: &str) -> Option<Self> {
        serde_json::from_slice(&hex::decode(text).ok()?).ok()
    }
}

const BAD_CURSOR: &str = "ページの指定が正しくありません。最初のページから表示し直してください。";

fn parse_enum<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

/// A card as people type it: 記号-番号, in half or full width, with any dash.
fn card(text: &str) -> Option<Search> {
    let (symbol, number) = text.split_once('-')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(symbol) || !digits(number) {
        return None;
    }
    Some(Search::Card(
        CardSymbol::parse(symbol).ok()?,
        CardNumber::parse(number).ok()?,
    ))
}

fn parse(request: &ApiRequest) -> Result<Filters, Error> {
    let mut fields = FieldErrors::new();
    for name in request.query_names() {
        if !PARAMETERS.contains(&name) {
            fields.insert(name.to_string(), "この項目は指定できません。".into());
        }
    }
    let given = |name: &str| request.query_parameter(name).filter(|value| !value.trim().is_empty());
    let mut invalid = |name: &str, message: &str| {
        fields.insert(name.to_string(), message.to_string());
    };
    let status = given("status").and_then(|text| {
        let parsed = parse_enum::<TargetStatus>(text);
        if parsed.is_none() {
            invalid(
                "status",
                "状態は not_started・in_progress・submitted・returned・confirmed のいずれかで指定してください。",
            );
        }
        parsed
    });
    let office = given("office").and_then(|text| match OfficeCode::parse(text) {
        Ok(office) => Some(office),
        Err(error) => {
            invalid("office", error.0);
            None
        }
    });
    let check = given("check").and_then(|text| {
        let parsed = parse_enum::<CheckResult>(text);
        if parsed.is_none() {
            invalid(
                "check",
                "事前チェックは clear・warning・ineligible のいずれかで指定してください。",
            );
        }
        parsed
    });
    let missing_documents = given("missingDocuments").and_then(|text| match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            invalid(
                "missingDocuments",
                "添付資料の不足は true または false で指定してください。",
            );
            None
        }
    });
    let search = given("q").and_then(|text| {
        let cleaned = clean_text(text);
        let found = card(&cleaned).or_else(|| KanaName::parse(&cleaned).ok().map(Search::Kana));
        if found.is_none() {
            invalid(
                "q",
                "記号-番号（例: 1001-23）か、氏名のカナ（先頭から）で入力してください。",
            );
        }
        found
    });
    let cursor = given("cursor").and_then(|text| {
        let decoded = Cursor::decode(text);
        if decoded.is_none() {
            invalid("cursor", BAD_CURSOR);
        }
        decoded
    });
    let limit = match given("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                invalid("limit", &format!("件数は1から{MAX_LIMIT}までの数で指定してください。"));
                DEFAULT_LIMIT
            }
        },
    };
    if !fields.is_empty() {
        return Err(Error::Invalid(fields));
    }
    Ok(Filters {
        status,
        office,
        check,
        missing_documents,
        search,
        cursor,
        limit,
    })
}

/// The names of the filters given, for the audit log: never what was searched for.
fn filter_names(request: &ApiRequest) -> String {
    PARAMETERS
        .iter()
        .filter(|name| !matches!(**name, "cursor" | "limit"))
        .filter(|name| {
            request
                .query_parameter(name)
                .is_some_and(|value| !value.trim().is_empty())
        })
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

/// One list a page can be read from.
enum Source {
    Person(String),
    Index {
        index: Index,
        partition: String,
        prefix: String,
        newest_first: bool,
    },
}

impl Filters {
    /// The lists the page is read from, one after the other.
    fn sources(&self, campaign: &Campaign) -> Vec<Source> {
        let (insurer, year) = (&campaign.insurer, campaign.year);
        let status_name = |status: TargetStatus| {
            serde_json::to_value(status)
                .ok()
                .and_then(|value| value.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let by_status = |status: TargetStatus| Source::Index {
            index: Index::ByStatus,
            partition: Target::status_partition(insurer, year, status),
            prefix: String::new(),
            newest_first: true,
        };
        match (&self.search, &self.office, self.status) {
            (Some(Search::Card(symbol, number)), _, _) => {
                vec![Source::Person(Target::partition(insurer, year, symbol, number))]
            }
            (Some(Search::Kana(kana)), _, _) => vec![Source::Index {
                index: Index::ByKana,
                partition: Target::kana_partition(insurer, year),
                prefix: kana.as_str().to_string(),
                newest_first: false,
            }],
            (None, Some(office), status) => vec![Source::Index {
                index: Index::ByOffice,
                partition: Target::office_partition(insurer, year, office),
                prefix: status.map(|s| format!("{}#", status_name(s))).unwrap_or_default(),
                newest_first: true,
            }],
            (None, None, Some(status)) => vec![by_status(status)],
            (None, None, None) => STATUS_ORDER.into_iter().map(by_status).collect(),
        }
    }
}

fn bad_cursor() -> Error {
    Error::field("cursor", BAD_CURSOR)
}

async fn read_page(
    store: &dyn ItemStore,
    source: &Source,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<Target>, Option<String>), Error> {
    let refused = |error: StoreError| match error {
        StoreError::Refused(_) => bad_cursor(),
        other => other.into(),
    };
    let page = match source {
        Source::Person(partition) => {
            if after.is_some_and(|after| !after.starts_with(Target::SK_PREFIX)) {
                return Err(bad_cursor());
            }
            store
                .query_page(partition, Target::SK_PREFIX, after, limit)
                .await
                .map_err(refused)?
        }
        Source::Index {
            index,
            partition,
            prefix,
            newest_first,
        } => store
            .index_page(*index, partition, prefix, after, limit, *newest_first)
            .await
            .map_err(refused)?,
    };
    let targets = page
        .items
        .into_iter()
        .map(from_item::<Target>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((targets, page.last))
}

/// What a list needs besides the targets: the campaign's facts for the pre-check and the union's
/// table of documents.
struct Context<'a> {
    campaign: &'a Campaign,
    thresholds: Thresholds,
    documents: DocumentTable,
}

impl Context<'_> {
    fn checks(&self, target: &Target, answers: &Answers) -> ChecksSummary {
        let checks = eligibility::check(answers, &TargetFacts::of(target, self.campaign), &self.thresholds);
        let count = |level: Level| checks.iter().filter(|check| check.level == level).count();
        let (ineligible, warnings) = (count(Level::Ineligible), count(Level::Warning));
        let result = if ineligible > 0 {
            CheckResult::Ineligible
        } else if warnings > 0 {
            CheckResult::Warning
        } else {
            CheckResult::Clear
        };
        ChecksSummary {
            result,
            result_label: result.label(),
            warnings,
            ineligible,
        }
    }

    /// Whether a document the answers require has no accepted file: one Query of the target's
    /// documents, only when the answers require any.
    async fn missing_documents(
        &self,
        store: &dyn ItemStore,
        target: &Target,
        answers: &Answers,
    ) -> Result<bool, Error> {
        let required = required_documents(answers, &self.documents);
        if required.is_empty() {
            return Ok(false);
        }
        let key = target.own_key();
        let items = store.query(&key.pk, &TargetDocument::target_prefix(&target.id)).await?;
        let mut accepted = Vec::new();
        for item in items {
            if sort_key(&item).len() > TargetDocument::target_prefix(&target.id).len() {
                let document: TargetDocument = from_item(item)?;
                if document.status == DocumentStatus::Accepted {
                    accepted.push(document.kind);
                }
            }
        }
        Ok(required.iter().any(|document| !accepted.contains(&document.kind)))
    }

    async fn row(&self, store: &dyn ItemStore, target: Target) -> Result<TargetRow, Error> {
        let answers = target.answers.clone().unwrap_or_default();
        let checks = self.checks(&target, &answers);
        let missing_documents = self.missing_documents(store, &target, &answers).await?;
        let recorded = &target.recorded;
        Ok(TargetRow {
            reference: TargetRef::of(&target).to_string(),
            name: recorded.name.clone(),
            name_kana: recorded.name_kana.as_str().to_string(),
            relationship: recorded.relationship.as_str().to_string(),
            birth_date: Day::from(recorded.birth_date.date()).iso(),
            status: target.status,
            status_label: target.status.label(),
            office: target.office.as_ref().map(|office| office.as_str().to_string()),
            submitted_at: target.submitted_at.map(Timestamp),
            updated_at: Timestamp(target.updated_at),
            left_roster: target.left_roster,
            checks,
            missing_documents,
        })
    }
}

impl Filters {
    /// The filters no list serves: applied to the targets read.
    fn keeps_target(&self, target: &Target) -> bool {
        let status = self.status.is_none_or(|status| status == target.status);
        let office = self
            .office
            .as_ref()
            .is_none_or(|office| target.office.as_ref() == Some(office));
        status && office
    }

    fn keeps_row(&self, row: &TargetRow) -> bool {
        self.check.is_none_or(|check| check == row.checks.result)
            && self
                .missing_documents
                .is_none_or(|missing| missing == row.missing_documents)
    }
}

pub async fn targets(deps: &Deps, request: &ApiRequest) -> Result<TargetList, Error> {
    let context = staff_session::authenticate(deps, request).await?;
    context.require(Permission::ViewTargets)?;
    let filters = parse(request)?;
    let insurer = &context.insurer;
    let year = insurer.current_year.ok_or(Error::NotFound)?;
    let store = deps.store.as_ref();
    let (campaign, documents) = futures::try_join!(
        async {
            let item = store
                .get_eventually_consistent(&Campaign::key(&insurer.code, year))
                .await?;
            item.map(from_item::<Campaign>).transpose().map_err(Error::from)
        },
        union_documents::in_use(store, &insurer.code),
    )?;
    let campaign = campaign.ok_or(Error::NotFound)?;
    let thresholds = ThresholdTable::built_in()
        .in_force(campaign.reference_date)
        .ok_or_else(|| Error::Internal("no income thresholds in force on the campaign's reference date".into()))?;
    // Before answering: a list shows persons' names.
    let what = filter_names(request);
    context
        .auditor
        .record(deps, AuditAction::ViewedTargets, Some(AuditSubject::Query { what }))
        .await?;

    let sources = filters.sources(&campaign);
    let Cursor(mut position, mut after) = filters.cursor.clone().unwrap_or(Cursor(0, None));
    if position >= sources.len() {
        return Err(bad_cursor());
    }
    // Read up to `limit` targets, moving on to the next list when one ends.
    let mut read = Vec::new();
    let mut next = None;
    while read.len() < filters.limit {
        let (targets, last) =
            read_page(store, &sources[position], after.as_deref(), filters.limit - read.len()).await?;
        read.extend(targets);
        match last {
            Some(last) => {
                next = Some(Cursor(position, Some(last)));
                break;
            }
            None if position + 1 < sources.len() => {
                position += 1;
                after = None;
                next = Some(Cursor(position, None));
            }
            None => {
                next = None;
                break;
            }
        }
    }
    let lists = Context {
        campaign: &campaign,
        thresholds,
        documents,
    };
    let rows: Vec<TargetRow> = futures::stream::iter(read.into_iter().filter(|target| filters.keeps_target(target)))
        .map(|target| lists.row(store, target))
        .buffered(DOCUMENT_READS_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(TargetList {
        targets: rows.into_iter().filter(|row| filters.keeps_row(row)).collect(),
        cursor: next.map(|cursor| cursor.encode()),
    })
}
