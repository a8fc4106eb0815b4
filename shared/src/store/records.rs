//! What kennin keeps, item by item, and the key each lives under. Typed records go in and out
//! of the engines as JSON objects; `ttl` lets DynamoDB collect what has expired.
//!
//! Each record declares its stored attributes once, with `attributes!`, next to the struct:
//! conditions and changes use those handles (`Account::SESSION_EPOCH`), never a name of their
//! own, and a test checks every declaration against what serde actually stores. A new record
//! kind copies one of these blocks: the struct, its `attributes!`, its key, and a sample in the
//! test below.

use super::{Cond, Item, Key, StoreError, TTL};
use crate::answers::Answers;
use crate::domain::{
    Address, BirthDate, CardNumber, CardSymbol, Day, DependentNo, Email, InsuredKind, InsurerCode, KanaName, Living,
    OfficeCode, PhoneNumber, PostalCode, Relationship, Sex, StaffRole, TargetStatus, UserId,
};
use crate::required_documents::DocumentTable;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

/// A stored record: what `attributes!` declares for it.
pub trait Record {
    /// Every top-level attribute the record may store, those of flattened parts included.
    fn attributes() -> Vec<&'static str>;
}

/// Declares a record's stored attributes: one typed handle per attribute, as an associated
/// constant named like the field, with the name serde stores it under; and `+ Part` for each
/// `#[serde(flatten)]` part, whose own handles serve the record too.
macro_rules! attributes {
    ($record:ident { $($handle:ident: $value:ty = $name:literal),+ $(,)? } $(+ $part:ident)*) => {
        impl $record {
            $(pub const $handle: $crate::store::Attr<$value> = $crate::store::Attr::new($name);)+
        }

        impl Record for $record {
            fn attributes() -> Vec<&'static str> {
                [$($name),+]
                    .into_iter()
                    $(.chain(<$part as Record>::attributes()))*
                    .collect()
            }
        }
    };
}

mod audit;
mod mail;
mod staff;
mod suppression;
pub use audit::{AuditAction, AuditEntry, AuditSubject};
pub use mail::{
    MailContent, MailJob, MailLog, MailOutcome, Reminder, ReminderClaim, ReminderCursor, ReminderDue, ReminderPage,
    SendRate,
};
pub use staff::{Staff, StaffEmailGuard, StaffInvitation, StaffSession, TotpUse};
pub use suppression::{Suppression, SuppressionKind, Undeliverable};

pub fn to_item<T: Serialize>(record: &T, ttl: Option<i64>) -> Item {
    let mut item = match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("records serialise to JSON objects"),
    };
    if let Some(ttl) = ttl {
        item.insert(TTL.name().into(), ttl.into());
    }
    item
}

/// The record in an item. An item that is not one is corrupt: the error names the record type
/// only, since serde's message may quote the stored value.
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(item)).map_err(|_| StoreError::Unreadable {
        record: short_type_name::<T>(),
    })
}

fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// What a record with a code pending keeps of it (flattened into the record).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingCode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<String>,
    #[serde(default)]
    pub code_issued_at: i64,
    #[serde(default)]
    pub code_expires_at: i64,
    #[serde(default)]
    pub code_tries: i64,
    #[serde(default)]
    pub code_sends: i64,
}

attributes!(PendingCode {
    CODE_HASH: str = "codeHash",
    CODE_ISSUED_AT: i64 = "codeIssuedAt",
    CODE_EXPIRES_AT: i64 = "codeExpiresAt",
    CODE_TRIES: i64 = "codeTries",
    CODE_SENDS: i64 = "codeSends",
});

/// A union (保険者) and the survey year whose roster is current.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Insurer {
    pub code: InsurerCode,
    pub name: String,
    pub current_year: Option<i32>,
    /// The union's own terms of use, when it has published any; else the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_version: Option<String>,
    /// Whom a person asks about the survey (お問い合わせ先).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<UnionContact>,
}

attributes!(Insurer {
    CODE: InsurerCode = "code",
    NAME: str = "name",
    CURRENT_YEAR: i32 = "currentYear",
    TERMS_VERSION: str = "termsVersion",
    CONTACT: UnionContact = "contact",
});

/// The union's desk for the survey, as its staff want it printed: each part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnionContact {
    /// 担当部署・担当者
    pub name: Option<String>,
    pub phone: Option<String>,
    /// 受付時間, e.g. 平日 10:00〜17:00
    pub hours: Option<String>,
    pub email: Option<Email>,
}

impl Insurer {
    pub fn key(code: &InsurerCode) -> Key {
        Key::new(format!("INSURER#{code}"), "INSURER")
    }

    /// Whether what was made in survey `year` (an account, its user ID) still belongs to the
    /// union: importing a new year's roster resets everything of the earlier years.
    pub fn is_current(&self, year: i32) -> bool {
        self.current_year == Some(year)
    }
}

/// One insured person of a union's roster for one survey year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterPerson {
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    pub birth_date: BirthDate,
    pub name_kana: KanaName,
    pub name: String,
    /// The account that registered as this person this year; at most one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_by: Option<String>,
    #[serde(default)]
    pub kind: InsuredKind,
    /// 事業所: where the person works, for the union's lists by office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<OfficeCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_name: Option<String>,
    /// Posted abroad (海外赴任): some unions leave such persons' dependents out of the survey.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overseas: bool,
    /// The address the union holds, for the invitation mail before the person registers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// The call center's search by birth date and kana (`Index::ByKana`, a partition per birth
    /// date), kept in step with the person by `RosterPerson::listed`. Absent from rows stored
    /// before it existed: importing the roster again fills it.
    #[serde(rename = "gsi3pk", default, skip_serializing_if = "Option::is_none")]
    pub birth_list: Option<String>,
    #[serde(rename = "gsi3sk", default, skip_serializing_if = "Option::is_none")]
    pub kana_order: Option<String>,
}

attributes!(RosterPerson {
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    SYMBOL: CardSymbol = "symbol",
    NUMBER: CardNumber = "number",
    BIRTH_DATE: BirthDate = "birthDate",
    NAME_KANA: KanaName = "nameKana",
    NAME: str = "name",
    CLAIMED_BY: str = "claimedBy",
    KIND: InsuredKind = "kind",
    OFFICE: OfficeCode = "office",
    OFFICE_NAME: str = "officeName",
    OVERSEAS: bool = "overseas",
    EMAIL: Email = "email",
    BIRTH_LIST: str = "gsi3pk",
    KANA_ORDER: str = "gsi3sk",
});

impl RosterPerson {
    /// The sort keys of a roster's people, and of their dependents right after each, start
    /// with this: a query for it reads the roster, each person followed by their dependents.
    pub const SK_PREFIX: &str = "CARD#";

    pub fn partition(insurer: &InsurerCode, year: i32) -> String {
        format!("ROSTER#{insurer}#{year}")
    }

    pub fn key(insurer: &InsurerCode, year: i32, symbol: &CardSymbol, number: &CardNumber) -> Key {
        Key::new(
            Self::partition(insurer, year),
            format!("{}{}#{}", Self::SK_PREFIX, symbol.as_str(), number.as_str()),
        )
    }

    pub fn own_key(&self) -> Key {
        Self::key(&self.insurer, self.year, &self.symbol, &self.number)
    }

    /// The `Index::ByKana` partition of a roster's people born on one day: a handful of people,
    /// so the call center's search by birth date and kana is one small Query, never a scan.
    pub fn birth_partition(insurer: &InsurerCode, year: i32, birth_date: &BirthDate) -> String {
        let day = birth_date.date();
        format!(
            "R#{insurer}#{year}#B#{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        )
    }

    /// The person with their search keys made from their birth date, kana and card.
    pub fn listed(self) -> Self {
        let birth_list = Self::birth_partition(&self.insurer, self.year, &self.birth_date);
        let kana_order = format!(
            "{}#{}#{}",
            self.name_kana.as_str(),
            self.symbol.as_str(),
            self.number.as_str()
        );
        Self {
            birth_list: Some(birth_list),
            kana_order: Some(kana_order),
            ..self
        }
    }
}

/// A dependent as the union's roster records them: in the roster, and frozen in the target a
/// campaign makes of them (flattened into both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedDependent {
    pub dependent_no: DependentNo,
    pub name: String,
    pub name_kana: KanaName,
    pub birth_date: BirthDate,
    pub sex: Sex,
    pub relationship: Relationship,
    pub certified_on: Day,
    pub living: Living,
}

attributes!(RecordedDependent {
    DEPENDENT_NO: DependentNo = "dependentNo",
    NAME: str = "name",
    NAME_KANA: KanaName = "nameKana",
    BIRTH_DATE: BirthDate = "birthDate",
    SEX: Sex = "sex",
    RELATIONSHIP: Relationship = "relationship",
    CERTIFIED_ON: Day = "certifiedOn",
    LIVING: Living = "living",
});

/// A dependent (被扶養者) of a roster's person, as the union's file states them. One who is no
/// longer in the union's file is kept with the day it left, so that a campaign can mark the
/// target it made of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependent {
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    #[serde(flatten)]
    pub recorded: RecordedDependent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_on: Option<Day>,
}

attributes!(
    Dependent {
        INSURER: InsurerCode = "insurer",
        YEAR: i32 = "year",
        SYMBOL: CardSymbol = "symbol",
        NUMBER: CardNumber = "number",
        LEFT_ON: Day = "leftOn",
    } + RecordedDependent
);

impl Dependent {
    pub fn key(
        insurer: &InsurerCode,
        year: i32,
        symbol: &CardSymbol,
        number: &CardNumber,
        dependent_no: &DependentNo,
    ) -> Key {
        let person = RosterPerson::key(insurer, year, symbol, number);
        Key::new(
            person.pk,
            format!("{}{DEPENDENT_INFIX}{}", person.sk, dependent_no.as_str()),
        )
    }

    pub fn own_key(&self) -> Key {
        Self::key(
            &self.insurer,
            self.year,
            &self.symbol,
            &self.number,
            &self.recorded.dependent_no,
        )
    }
}

const DEPENDENT_INFIX: &str = "#DEP#";

/// An item of a roster's partition: a person, or one of their dependents.
#[derive(Debug, Clone)]
pub enum RosterEntry {
    Person(RosterPerson),
    Dependent(Dependent),
}

impl RosterEntry {
    pub fn from_item(item: Item) -> Result<Self, StoreError> {
        if super::sort_key(&item).contains(DEPENDENT_INFIX) {
            from_item(item).map(Self::Dependent)
        } else {
            from_item(item).map(Self::Person)
        }
    }
}

/// Which dependents a campaign asks about: every rule that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRules {
    /// Age on the reference date, both ends included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i32>,
    /// Only dependents certified on or before this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certified_by: Option<Day>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_kinds: Vec<InsuredKind>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_overseas: bool,
}

/// A union's survey of one year: its window and which dependents it asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    pub insurer: InsurerCode,
    pub year: i32,
    pub title: String,
    /// The minute answers open (epoch seconds).
    pub opens_at: i64,
    /// The last day of the window, whole (Japan time).
    pub due: Day,
    /// Days after `due` on which answers are still accepted.
    #[serde(default)]
    pub grace_days: i64,
    /// The day ages are counted on (基準日).
    pub reference_date: Day,
    pub rules: TargetRules,
    /// The key of the campaign's target ids: a dependent's id is the same on every publish of
    /// the campaign, so publishing again finds what it made, and nobody can derive an id.
    pub id_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<i64>,
    /// Days the documents are kept after the campaign closes (`Campaign::documents_purge_at`).
    #[serde(default = "Campaign::default_retention_days")]
    pub retention_days: i64,
    /// When the purge deleted the campaign's documents; cleared when a change of settings moves
    /// the purge date, so that anything sent since is purged in turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents_purged_at: Option<i64>,
    /// Reminder mails: days before the due day (0: on the due day), latest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<i64>,
    /// Which of the union's decisions are mailed to the person.
    #[serde(default)]
    pub decision_mails: DecisionMails,
}

/// Which decisions the person is mailed: 削除 by default, 継続 only where the union wants it
/// (most unions do not notify a dependent who stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionMails {
    pub removal: bool,
    pub continuation: bool,
}

impl Default for DecisionMails {
    fn default() -> Self {
        Self {
            removal: true,
            continuation: false,
        }
    }
}

attributes!(Campaign {
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    TITLE: str = "title",
    OPENS_AT: i64 = "opensAt",
    DUE: Day = "due",
    GRACE_DAYS: i64 = "graceDays",
    REFERENCE_DATE: Day = "referenceDate",
    RULES: TargetRules = "rules",
    ID_KEY: str = "idKey",
    PUBLISHED_AT: i64 = "publishedAt",
    RETENTION_DAYS: i64 = "retentionDays",
    DOCUMENTS_PURGED_AT: i64 = "documentsPurgedAt",
    REMINDERS: Vec<i64> = "reminders",
    DECISION_MAILS: DecisionMails = "decisionMails",
});

impl Campaign {
    pub fn key(insurer: &InsurerCode, year: i32) -> Key {
        Key::new(format!("CAMPAIGN#{insurer}"), format!("YEAR#{year}"))
    }
}

/// A campaign whose documents are to be purged, listed by date in one small partition that the
/// daily purge reads up to the present: it never scans the table. Written with the campaign by
/// every change of its settings, deleted with the mark that the documents are gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentsPurge {
    pub insurer: InsurerCode,
    pub year: i32,
    /// `Campaign::documents_purge_at` (epoch seconds).
    pub purge_at: i64,
}

attributes!(DocumentsPurge {
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    PURGE_AT: i64 = "purgeAt",
});

impl DocumentsPurge {
    pub const PARTITION: &str = "PURGES";

    /// Sorted by date: the time in fixed width, so that text order is time order.
    pub fn key(&self) -> Key {
        Key::new(
            Self::PARTITION,
            format!("{:012}#{}#{}", self.purge_at, self.insurer, self.year),
        )
    }

    /// The last sort key of the purges due at `now`: '$' sorts after '#', so every entry of
    /// the second `now` is included.
    pub fn due_through(now: i64) -> String {
        format!("{now:012}$")
    }
}

/// One dependent the campaign asks about, frozen as the roster recorded them when it was
/// published, with where their survey stands. It lives under the insured person's own
/// partition: a person's routes build the key from their session, so another person's target
/// cannot be reached by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub id: String,
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    #[serde(flatten)]
    pub recorded: RecordedDependent,
    pub status: TargetStatus,
    /// Raised by every change, for optimistic concurrency between tabs.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The dependent is no longer in the union's roster: kept, with any answers, for the union.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub left_roster: bool,
    /// The insured person's office when published, for the union's lists by office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<OfficeCode>,
    /// The keys of the union's lists (`Index`), kept in step with the target by
    /// `Target::listed`: by status, newest first (`Target::listed_at`); by office, by status and
    /// then newest first; by kana.
    #[serde(rename = "gsi1pk")]
    pub status_list: String,
    #[serde(rename = "gsi1sk")]
    pub status_order: String,
    #[serde(rename = "gsi2pk", default, skip_serializing_if = "Option::is_none")]
    pub office_list: Option<String>,
    #[serde(rename = "gsi2sk", default, skip_serializing_if = "Option::is_none")]
    pub office_order: Option<String>,
    #[serde(rename = "gsi3pk")]
    pub kana_list: String,
    #[serde(rename = "gsi3sk")]
    pub kana_order: String,
    /// The saved draft, or the answers as submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<i64>,
    /// Why the union sent the answers back (差し戻し), shown to the person until resubmitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_reason: Option<String>,
    /// The union's latest decision (継続 / 削除 / 保留), kept until another replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

attributes!(
    Target {
        ID: str = "id",
        INSURER: InsurerCode = "insurer",
        YEAR: i32 = "year",
        SYMBOL: CardSymbol = "symbol",
        NUMBER: CardNumber = "number",
        STATUS: TargetStatus = "status",
        VERSION: i64 = "version",
        CREATED_AT: i64 = "createdAt",
        UPDATED_AT: i64 = "updatedAt",
        LEFT_ROSTER: bool = "leftRoster",
        OFFICE: OfficeCode = "office",
        STATUS_LIST: str = "gsi1pk",
        STATUS_ORDER: str = "gsi1sk",
        OFFICE_LIST: str = "gsi2pk",
        OFFICE_ORDER: str = "gsi2sk",
        KANA_LIST: str = "gsi3pk",
        KANA_ORDER: str = "gsi3sk",
        ANSWERS: Answers = "answers",
        SUBMITTED_AT: i64 = "submittedAt",
        RETURN_REASON: str = "returnReason",
        DECISION: Decision = "decision",
    } + RecordedDependent
);

impl Target {
    pub const SK_PREFIX: &str = "TARGET#";

    fn campaign_list(insurer: &InsurerCode, year: i32) -> String {
        format!("C#{insurer}#{year}")
    }

    /// The `Index::ByStatus` partition of a campaign's targets in one status.
    pub fn status_partition(insurer: &InsurerCode, year: i32, status: TargetStatus) -> String {
        let status = serde_json::to_value(status).expect("statuses serialise");
        format!(
            "{}#S#{}",
            Self::campaign_list(insurer, year),
            status.as_str().unwrap_or_default()
        )
    }

    /// The `Index::ByOffice` partition of a campaign's targets of one office.
    pub fn office_partition(insurer: &InsurerCode, year: i32, office: &OfficeCode) -> String {
        format!("{}#O#{}", Self::campaign_list(insurer, year), office.as_str())
    }

    /// The `Index::ByKana` partition of a campaign's targets.
    pub fn kana_partition(insurer: &InsurerCode, year: i32) -> String {
        format!("{}#K", Self::campaign_list(insurer, year))
    }

    /// The target with its list keys made from its status, office, kana and last change.
    pub fn listed(self) -> Self {
        let status_list = Self::status_partition(&self.insurer, self.year, self.status);
        let listed_at = self.listed_at();
        let status_order = format!("{listed_at:012}#{}", self.id);
        let office_list = self
            .office
            .as_ref()
            .map(|office| Self::office_partition(&self.insurer, self.year, office));
        let status = serde_json::to_value(self.status).expect("statuses serialise");
        let office_order = office_list
            .as_ref()
            .map(|_| format!("{}#{listed_at:012}#{}", status.as_str().unwrap_or_default(), self.id));
        let kana_list = Self::kana_partition(&self.insurer, self.year);
        let kana_order = format!("{}#{}", self.recorded.name_kana.as_str(), self.id);
        Self {
            status_list,
            status_order,
            office_list,
            office_order,
            kana_list,
            kana_order,
            ..self
        }
    }

    /// When the lists place the target, newest first: its submission once it has been submitted
    /// (so a union's review works from the latest submission, and a decision does not move it),
    /// else its last change.
    pub fn listed_at(&self) -> i64 {
        match (self.status, self.submitted_at) {
            (TargetStatus::Submitted | TargetStatus::Returned | TargetStatus::Confirmed, Some(at)) => at,
            _ => self.updated_at,
        }
    }

    /// The insured person's partition: all of their targets of the year.
    pub fn partition(insurer: &InsurerCode, year: i32, symbol: &CardSymbol, number: &CardNumber) -> String {
        format!("TARGETS#{insurer}#{year}#{}#{}", symbol.as_str(), number.as_str())
    }

    pub fn key(insurer: &InsurerCode, year: i32, symbol: &CardSymbol, number: &CardNumber, id: &str) -> Key {
        Key::new(
            Self::partition(insurer, year, symbol, number),
            format!("{}{id}", Self::SK_PREFIX),
        )
    }

    pub fn own_key(&self) -> Key {
        Self::key(&self.insurer, self.year, &self.symbol, &self.number, &self.id)
    }
}

/// The survey's running counts that no index can give cheaply, in one small partition per
/// campaign that the progress page reads with one Query: the roster's persons and how many of
/// them registered, and (`DailyResponses`, `OfficeProgress`) the submissions by day and office.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressCounts {
    /// The roster's insured persons: set by each roster import, which reads the whole roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster_persons: Option<i64>,
    /// Accounts registered for the year: added in each account's own transaction.
    #[serde(default)]
    pub registered: i64,
}

attributes!(ProgressCounts {
    ROSTER_PERSONS: i64 = "rosterPersons",
    REGISTERED: i64 = "registered",
});

/// Submissions made on one day (Japan time), resubmissions included: added in each submit's
/// own transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyResponses {
    pub day: Day,
    #[serde(default)]
    pub submitted: i64,
}

attributes!(DailyResponses {
    DAY: Day = "day",
    SUBMITTED: i64 = "submitted",
});

/// One office's (事業所) targets, set by each publish, and how many of them were submitted at
/// least once, added by a target's first submission in its own transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfficeProgress {
    pub office: OfficeCode,
    #[serde(default)]
    pub targets: i64,
    #[serde(default)]
    pub answered: i64,
}

attributes!(OfficeProgress {
    OFFICE: OfficeCode = "office",
    TARGETS: i64 = "targets",
    ANSWERED: i64 = "answered",
});

/// The keys of a campaign's progress partition.
pub struct Progress;

impl Progress {
    pub const DAY_PREFIX: &str = "DAY#";
    pub const OFFICE_PREFIX: &str = "OFFICE#";
    const COUNTS: &str = "COUNTS";

    pub fn partition(insurer: &InsurerCode, year: i32) -> String {
        format!("PROGRESS#{insurer}#{year}")
    }

    pub fn counts_key(insurer: &InsurerCode, year: i32) -> Key {
        Key::new(Self::partition(insurer, year), Self::COUNTS)
    }

    pub fn day_key(insurer: &InsurerCode, year: i32, day: Day) -> Key {
        Key::new(
            Self::partition(insurer, year),
            format!("{}{}", Self::DAY_PREFIX, day.iso()),
        )
    }

    pub fn office_key(insurer: &InsurerCode, year: i32, office: &OfficeCode) -> Key {
        Key::new(
            Self::partition(insurer, year),
            format!("{}{}", Self::OFFICE_PREFIX, office.as_str()),
        )
    }

    /// Whether an item of the partition is the counts item.
    pub fn is_counts(item: &Item) -> bool {
        super::sort_key(item) == Self::COUNTS
    }
}

/// What happened to a target, kept beside it for the union's review: the answers as they were
/// submitted stay here when the union sends the form back and the person changes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetEventKind {
    Submitted,
    /// The union sent the answers back (差し戻し), with its reason.
    Returned,
    /// The union decided (継続 / 削除 / 保留).
    Decided,
    /// The union marked a document 不備, with its reason.
    DocumentRefused,
    /// A staff member (the call center) saved the answers for the person (代行入力).
    AnswersEnteredByProxy,
}

/// What the union decided about a dependent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// 継続: stays a dependent.
    Continue,
    /// 削除: loses dependent status on the effective date.
    Remove,
    /// 保留: not decided yet; the target stays open.
    Hold,
}

impl DecisionOutcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Continue => "継続",
            Self::Remove => "削除",
            Self::Hold => "保留",
        }
    }
}

/// A decision as the target keeps it: what, from when, why, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub outcome: DecisionOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<Day>,
    pub reason: String,
    pub at: i64,
    pub staff_id: String,
}

/// The staff member behind an event; an event without one is the person's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventActor {
    pub staff_id: String,
    pub role: StaffRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetEvent {
    pub target_id: String,
    pub kind: TargetEventKind,
    pub at: i64,
    /// The target's version the event made.
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
    /// The kinds of the documents the person confirmed on submitting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<EventActor>,
    /// The reason given with a return, a decision or a document's refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The document a refusal is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
}

attributes!(TargetEvent {
    TARGET_ID: str = "targetId",
    KIND: TargetEventKind = "kind",
    AT: i64 = "at",
    VERSION: i64 = "version",
    ANSWERS: Answers = "answers",
    DOCUMENTS: Vec<String> = "documents",
    ACTOR: EventActor = "actor",
    REASON: str = "reason",
    DECISION: Decision = "decision",
    DOCUMENT_ID: str = "documentId",
});

impl TargetEvent {
    /// Beside the target, in the insured person's partition, in the order they happened: the
    /// version is unique per target, so no two events share a key.
    pub fn key(target: &Target, version: i64) -> Key {
        Key::new(target.own_key().pk, format!("EVENT#{}#{version:08}", target.id))
    }
}

/// Where an uploaded file stands: `Pending` from the presigned upload until the server has
/// read and verified it; a refused file is deleted, record and object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Pending,
    Accepted,
}

/// A file the person sent for a target (添付資料). Its object lives under the key
/// `BlobKey::upload` while pending and `BlobKey::document` once accepted. A pending record
/// expires (`ttl`) with its upload, so an upload never completed leaves nothing behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetDocument {
    pub id: String,
    pub target_id: String,
    /// The required document's kind it is sent for, or `other`.
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    /// Bytes: as declared while pending, as stored once accepted.
    pub size: u64,
    pub status: DocumentStatus,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_at: Option<i64>,
    /// The union found the document 不備: the person sees why and may send another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<DocumentRefusal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRefusal {
    pub reason: String,
    pub at: i64,
}

attributes!(TargetDocument {
    ID: str = "id",
    TARGET_ID: str = "targetId",
    KIND: str = "kind",
    FILE_NAME: str = "fileName",
    CONTENT_TYPE: str = "contentType",
    SIZE: u64 = "size",
    STATUS: DocumentStatus = "status",
    CREATED_AT: i64 = "createdAt",
    UPLOADED_AT: i64 = "uploadedAt",
    REFUSAL: DocumentRefusal = "refusal",
});

impl TargetDocument {
    /// The sort-key prefix of a target's documents and their guard: one Query reads both.
    pub fn target_prefix(target_id: &str) -> String {
        format!("DOC#{target_id}")
    }

    /// Beside the target, in the insured person's partition (outside the `TARGET#` prefix the
    /// person's list reads).
    pub fn key(target: &Target, document_id: &str) -> Key {
        Key::new(
            target.own_key().pk,
            format!("{}#{document_id}", Self::target_prefix(&target.id)),
        )
    }
}

/// The one item every change to a target's set of documents rewrites, conditionally on its
/// version: two tabs adding files at once cannot both pass the limits on count and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentsGuard {
    pub target_id: String,
    pub version: i64,
}

attributes!(DocumentsGuard {
    TARGET_ID: str = "targetId",
    VERSION: i64 = "version",
});

impl DocumentsGuard {
    pub fn key(target: &Target) -> Key {
        Key::new(target.own_key().pk, TargetDocument::target_prefix(&target.id))
    }
}

/// A union's own table of the documents the answers require, in place of kennin's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnionDocuments {
    pub insurer: InsurerCode,
    pub table: DocumentTable,
    pub updated_at: i64,
}

attributes!(UnionDocuments {
    INSURER: InsurerCode = "insurer",
    TABLE: DocumentTable = "table",
    UPDATED_AT: i64 = "updatedAt",
});

impl UnionDocuments {
    pub fn key(insurer: &InsurerCode) -> Key {
        Key::new(format!("INSURER#{insurer}"), "DOCUMENTS")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignupStage {
    Account,
    Code,
    Done,
}

/// A first-login flow, from the identity check to the account. Addressed by the hash of the
/// token in the person's cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupFlow {
    pub id: String,
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    /// The person's name from the roster, for the account.
    pub name: String,
    pub stage: SignupStage,
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(flatten)]
    pub code: PendingCode,
}

attributes!(
    SignupFlow {
        ID: str = "id",
        INSURER: InsurerCode = "insurer",
        YEAR: i32 = "year",
        SYMBOL: CardSymbol = "symbol",
        NUMBER: CardNumber = "number",
        NAME: str = "name",
        STAGE: SignupStage = "stage",
        EXPIRES_AT: i64 = "expiresAt",
        USER_ID: UserId = "userId",
        PASSWORD_HASH: str = "passwordHash",
        EMAIL: Email = "email",
    } + PendingCode
);

impl SignupFlow {
    pub fn key(id: &str) -> Key {
        Key::new(format!("FLOW#{id}"), "SIGNUP")
    }
}

/// The guard that makes a user ID unique across all unions: while a flow holds it, it is
/// reserved; once the account exists, it points to the account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum UserIdGuard {
    #[serde(rename_all = "camelCase")]
    Reservation {
        flow_id: String,
        expires_at: i64,
        rev: String,
    },
    #[serde(rename_all = "camelCase")]
    Account {
        account_id: String,
        insurer: InsurerCode,
        year: i32,
        rev: String,
    },
}

attributes!(UserIdGuard {
    KIND: str = "kind",
    FLOW_ID: str = "flowId",
    EXPIRES_AT: i64 = "expiresAt",
    REV: str = "rev",
    ACCOUNT_ID: str = "accountId",
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
});

impl UserIdGuard {
    pub fn key(user_id: &UserId) -> Key {
        Self::key_for(&user_id.key())
    }

    /// For login, where what was typed need not be a well-formed ID.
    pub fn key_for(folded: &str) -> Key {
        Key::new(format!("USERID#{folded}"), "GUARD")
    }

    pub fn rev(&self) -> &str {
        match self {
            UserIdGuard::Reservation { rev, .. } | UserIdGuard::Account { rev, .. } => rev,
        }
    }

    /// The condition that the guard is still the flow's reservation.
    pub fn reserved_for(flow_id: &str) -> Cond {
        Cond::And(vec![
            Cond::eq(Self::KIND, "reservation"),
            Cond::eq(Self::FLOW_ID, flow_id),
        ])
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub user_id: UserId,
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    pub name: String,
    pub email: Email,
    pub password_hash: String,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_accepted: Option<TermsAcceptance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Sessions carry the epoch they began in; raising it ends every session at once
    /// (password reset or change, 他の端末からログアウト, an operator's command).
    #[serde(default)]
    pub session_epoch: i64,
    /// Set by an operator (`kennin-admin account disable`): no login, and no session works.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

attributes!(Account {
    ID: str = "id",
    USER_ID: UserId = "userId",
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    SYMBOL: CardSymbol = "symbol",
    NUMBER: CardNumber = "number",
    NAME: str = "name",
    EMAIL: Email = "email",
    PASSWORD_HASH: str = "passwordHash",
    CREATED_AT: i64 = "createdAt",
    TERMS_ACCEPTED: TermsAcceptance = "termsAccepted",
    CONTACT: Contact = "contact",
    SESSION_EPOCH: i64 = "sessionEpoch",
    DISABLED: bool = "disabled",
});

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsAcceptance {
    pub version: String,
    pub accepted_at: i64,
}

/// The insured person's own contact details (⑤), for the union to call about the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub postal_code: PostalCode,
    pub address: Address,
    pub phone: PhoneNumber,
}

impl Account {
    pub fn key(id: &str) -> Key {
        Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub account_id: String,
    #[serde(default)]
    pub epoch: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub absolute_expires_at: i64,
    /// The account's union and survey year, which never change for an account: with them the
    /// union is read beside the account instead of after it. Missing in sessions begun before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurer: Option<InsurerCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
}

attributes!(Session {
    ACCOUNT_ID: str = "accountId",
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    EPOCH: i64 = "epoch",
    CREATED_AT: i64 = "createdAt",
    LAST_SEEN_AT: i64 = "lastSeenAt",
    ABSOLUTE_EXPIRES_AT: i64 = "absoluteExpiresAt",
});

impl Session {
    pub fn key(token_hash: &str) -> Key {
        Key::new(format!("SESSION#{token_hash}"), "SESSION")
    }
}

/// A session as listed under its account, so that the person can see where they are logged in
/// (the session item itself is found by the hashed token alone). It ends with the session's
/// absolute lifetime; a logout or an idle end leaves it behind until then, so a listing counts
/// only while its session item is there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionListing {
    pub token_hash: String,
    pub epoch: i64,
    pub created_at: i64,
    pub absolute_expires_at: i64,
}

attributes!(SessionListing {
    TOKEN_HASH: str = "tokenHash",
    EPOCH: i64 = "epoch",
    CREATED_AT: i64 = "createdAt",
    ABSOLUTE_EXPIRES_AT: i64 = "absoluteExpiresAt",
});

impl SessionListing {
    pub const SK_PREFIX: &str = "SESSION#";

    /// The account's partition, where its listings are found with `SK_PREFIX`.
    pub fn partition(account_id: &str) -> String {
        Account::key(account_id).pk
    }

    pub fn key(account_id: &str, token_hash: &str) -> Key {
        Key::new(Self::partition(account_id), format!("{}{token_hash}", Self::SK_PREFIX))
    }
}

/// Consecutive failed logins for one typed user ID, whether or not an account has it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginFailures {
    #[serde(default)]
    pub failures: i64,
    #[serde(default)]
    pub locked_until: i64,
    /// Failures since the last success or password reset, never reset by a lock ending.
    #[serde(default)]
    pub consecutive_failures: i64,
}

attributes!(LoginFailures {
    FAILURES: i64 = "failures",
    LOCKED_UNTIL: i64 = "lockedUntil",
    CONSECUTIVE_FAILURES: i64 = "consecutiveFailures",
});

impl LoginFailures {
    pub fn key(folded_user_id: &str) -> Key {
        Key::new(format!("LOGINFAIL#{folded_user_id}"), "FAILURES")
    }
}

/// One published version of a union's terms of use.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsDocument {
    pub version: String,
    pub title: String,
    pub text: String,
    pub published_at: i64,
}

attributes!(TermsDocument {
    VERSION: str = "version",
    TITLE: str = "title",
    TEXT: str = "text",
    PUBLISHED_AT: i64 = "publishedAt",
});

impl TermsDocument {
    pub fn key(insurer: &InsurerCode, version: &str) -> Key {
        Key::new(format!("TERMS#{insurer}"), format!("VERSION#{version}"))
    }
}

/// A password reset in progress: the code mailed to the account's address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordReset {
    pub account_id: String,
    #[serde(flatten)]
    pub code: PendingCode,
}

attributes!(
    PasswordReset {
        ACCOUNT_ID: str = "accountId",
    } + PendingCode
);

impl PasswordReset {
    pub fn key(account_id: &str) -> Key {
        Key::new(format!("ACCOUNT#{account_id}"), "PASSWORD_RESET")
    }
}

/// An email change in progress: the new address and the code mailed to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailChange {
    pub account_id: String,
    pub new_email: Email,
    #[serde(flatten)]
    pub code: PendingCode,
}

attributes!(
    EmailChange {
        ACCOUNT_ID: str = "accountId",
        NEW_EMAIL: Email = "newEmail",
    } + PendingCode
);

impl EmailChange {
    pub fn key(account_id: &str) -> Key {
        Key::new(format!("ACCOUNT#{account_id}"), "EMAIL_CHANGE")
    }
}

/// One fixed window of a throttle counter: the counted value appears only as a fingerprint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleWindow {
    #[serde(default)]
    pub count: i64,
}

attributes!(ThrottleWindow { COUNT: i64 = "count" });

impl ThrottleWindow {
    pub fn key(scope: &str, fingerprint: &str, window_start: i64) -> Key {
        Key::new(
            format!("THROTTLE#{scope}#{fingerprint}"),
            format!("WINDOW#{window_start}"),
        )
    }
}

/// Whose notices (お知らせ): the whole site's, or one union's. A scope's notices live under one
/// partition, sorted by date and then by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeScope {
    Site,
    Insurer(InsurerCode),
}

impl NoticeScope {
    pub const SK_PREFIX: &str = "NOTICE#";

    pub fn partition(&self) -> String {
        match self {
            NoticeScope::Site => "NOTICES#SITE".to_string(),
            NoticeScope::Insurer(code) => format!("NOTICES#{code}"),
        }
    }

    /// `iso_date` first, so that the partition reads in date order.
    pub fn notice_key(&self, iso_date: &str, id: &str) -> Key {
        Key::new(self.partition(), format!("{}{iso_date}#{id}", Self::SK_PREFIX))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use time::macros::date;

    /// Checks `attributes!` against serde: every name a sample stores is declared, and every
    /// declared name is stored by some sample. Between them the samples fill every field
    /// (every variant of an enum), so a renamed or added field fails here.
    pub(super) fn assert_declared_as_stored<T: Record + Serialize>(samples: &[T]) {
        let record = short_type_name::<T>();
        let declared_list = T::attributes();
        let declared: BTreeSet<&str> = declared_list.iter().copied().collect();
        assert_eq!(declared.len(), declared_list.len(), "{record} declares a name twice");
        let stored: BTreeSet<String> = samples
            .iter()
            .flat_map(|s| to_item(s, None).into_iter().map(|(name, _)| name))
            .collect();
        let stored: BTreeSet<&str> = stored.iter().map(String::as_str).collect();
        let undeclared: Vec<_> = stored.difference(&declared).collect();
        let unstored: Vec<_> = declared.difference(&stored).collect();
        assert!(
            undeclared.is_empty() && unstored.is_empty(),
            "{record}: stored but not declared {undeclared:?}; declared but not stored {unstored:?}"
        );
    }

    fn insurer_code() -> InsurerCode {
        InsurerCode::parse("0904").unwrap()
    }

    fn symbol() -> CardSymbol {
        CardSymbol::parse("1001").unwrap()
    }

    fn number() -> CardNumber {
        CardNumber::parse("1").unwrap()
    }

    fn user_id() -> UserId {
        UserId::parse("kenpo_taro").unwrap()
    }

    fn email() -> Email {
        Email::parse("taro@example.com").unwrap()
    }

    fn pending_code() -> PendingCode {
        PendingCode {
            code_hash: Some("hash".into()),
            code_issued_at: 1,
            code_expires_at: 2,
            code_tries: 3,
            code_sends: 4,
        }
    }

    #[test]
    fn a_targets_list_keys_are_the_indexes_keys() {
        use super::super::Index;
        let pairs = [
            (Index::ByStatus, Target::STATUS_LIST, Target::STATUS_ORDER),
            (Index::ByOffice, Target::OFFICE_LIST, Target::OFFICE_ORDER),
            (Index::ByKana, Target::KANA_LIST, Target::KANA_ORDER),
        ];
        for (index, list, order) in pairs {
            assert_eq!(index.partition_attr().name(), list.name(), "{index:?}");
            assert_eq!(index.sort_attr().name(), order.name(), "{index:?}");
        }
    }

    #[test]
    fn every_record_stores_exactly_the_attributes_it_declares() {
        assert_declared_as_stored(&[pending_code()]);
        assert_declared_as_stored(&[Insurer {
            code: insurer_code(),
            name: "健保組合".into(),
            current_year: Some(2026),
            terms_version: Some("0904-1".into()),
            contact: Some(UnionContact::default()),
        }]);
        assert_declared_as_stored(&[RosterPerson {
            insurer: insurer_code(),
            year: 2026,
            symbol: symbol(),
            number: number(),
            birth_date: BirthDate::parse("1990/01/01", date!(2026 - 06 - 01)).unwrap(),
            name_kana: KanaName::parse("ケンポ タロウ").unwrap(),
            name: "健保 太郎".into(),
            claimed_by: Some("account".into()),
            kind: InsuredKind::VoluntaryContinuation,
            office: Some(OfficeCode::parse("A-1").unwrap()),
            office_name: Some("本社".into()),
            overseas: true,
            email: Some(email()),
            birth_list: None,
            kana_order: None,
        }
        .listed()]);
        let dependent = Dependent {
            insurer: insurer_code(),
            year: 2026,
            symbol: symbol(),
            number: number(),
            recorded: RecordedDependent {
                dependent_no: DependentNo::parse("1").unwrap(),
                name: "健保 花子".into(),
                name_kana: KanaName::parse("ケンポ ハナコ").unwrap(),
                birth_date: BirthDate::parse("1992/02/02", date!(2026 - 06 - 01)).unwrap(),
                sex: Sex::Female,
                relationship: Relationship::parse("配偶者").unwrap(),
                certified_on: Day::from(date!(2020 - 04 - 01)),
                living: Living::Together,
            },
            left_on: Some(Day::from(date!(2026 - 06 - 01))),
        };
        assert_declared_as_stored(std::slice::from_ref(&dependent));
        assert_declared_as_stored(&[Campaign {
            insurer: insurer_code(),
            year: 2026,
            title: "2026年度 被扶養者資格調査".into(),
            opens_at: 1,
            due: Day::from(date!(2026 - 09 - 30)),
            grace_days: 7,
            reference_date: Day::from(date!(2026 - 04 - 01)),
            rules: TargetRules::default(),
            id_key: "key".into(),
            published_at: Some(2),
            retention_days: 400,
            documents_purged_at: Some(3),
            reminders: vec![7, 0],
            decision_mails: DecisionMails::default(),
        }]);
        assert_declared_as_stored(&[DocumentsPurge {
            insurer: insurer_code(),
            year: 2026,
            purge_at: 1_800_000_000,
        }]);
        let decision = Decision {
            outcome: DecisionOutcome::Remove,
            effective_date: Some(Day::from(date!(2026 - 10 - 01))),
            reason: "就職のため".into(),
            at: 3,
            staff_id: "s1".into(),
        };
        let target = Target {
            id: "id".into(),
            insurer: insurer_code(),
            year: 2026,
            symbol: symbol(),
            number: number(),
            recorded: dependent.recorded.clone(),
            status: TargetStatus::Returned,
            version: 3,
            created_at: 1,
            updated_at: 2,
            left_roster: true,
            office: Some(OfficeCode::parse("A-1").unwrap()),
            status_list: String::new(),
            status_order: String::new(),
            office_list: None,
            office_order: None,
            kana_list: String::new(),
            kana_order: String::new(),
            answers: Some(Answers::default()),
            submitted_at: Some(3),
            return_reason: Some("収入の証明が足りません。".into()),
            decision: Some(decision.clone()),
        }
        .listed();
        assert_declared_as_stored(&[TargetEvent {
            target_id: target.id.clone(),
            kind: TargetEventKind::Decided,
            at: 3,
            version: 3,
            answers: Some(Answers::default()),
            documents: vec!["income_certificate".into()],
            actor: Some(EventActor {
                staff_id: "s1".into(),
                role: StaffRole::Reviewer,
            }),
            reason: Some("就職のため".into()),
            decision: Some(decision),
            document_id: Some("doc".into()),
        }]);
        assert_declared_as_stored(&[TargetDocument {
            id: "doc".into(),
            target_id: target.id.clone(),
            kind: "income_certificate".into(),
            file_name: "課税証明書.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1_024,
            status: DocumentStatus::Accepted,
            created_at: 1,
            uploaded_at: Some(2),
            refusal: Some(DocumentRefusal {
                reason: "マイナンバーが写っています。".into(),
                at: 3,
            }),
        }]);
        assert_declared_as_stored(&[DocumentsGuard {
            target_id: target.id.clone(),
            version: 1,
        }]);
        assert_declared_as_stored(&[UnionDocuments {
            insurer: insurer_code(),
            table: DocumentTable::default_table().clone(),
            updated_at: 1,
        }]);
        assert_declared_as_stored(&[target]);
        assert_declared_as_stored(&[SignupFlow {
            id: "flow".into(),
            insurer: insurer_code(),
            year: 2026,
            symbol: symbol(),
            number: number(),
            name: "健保 太郎".into(),
            stage: SignupStage::Code,
            expires_at: 1,
            user_id: Some(user_id()),
            password_hash: Some("hash".into()),
            email: Some(email()),
            code: pending_code(),
        }]);
        assert_declared_as_stored(&[
            UserIdGuard::Reservation {
                flow_id: "flow".into(),
                expires_at: 1,
                rev: "rev".into(),
            },
            UserIdGuard::Account {
                account_id: "account".into(),
                insurer: insurer_code(),
                year: 2026,
                rev: "rev".into(),
            },
        ]);
        assert_declared_as_stored(&[Account {
            id: "account".into(),
            user_id: user_id(),
            insurer: insurer_code(),
            year: 2026,
            symbol: symbol(),
            number: number(),
            name: "健保 太郎".into(),
            email: email(),
            password_hash: "hash".into(),
            created_at: 1,
            terms_accepted: Some(TermsAcceptance {
                version: "kennin-2026-1".into(),
                accepted_at: 2,
            }),
            contact: Some(Contact {
                postal_code: PostalCode::parse("100-0001").unwrap(),
                address: Address::parse("東京都千代田区千代田1-1").unwrap(),
                phone: PhoneNumber::parse("090-1234-5678").unwrap(),
            }),
            session_epoch: 3,
            disabled: true,
        }]);
        assert_declared_as_stored(&[Session {
            account_id: "account".into(),
            epoch: 1,
            created_at: 2,
            last_seen_at: 3,
            absolute_expires_at: 4,
            insurer: Some(insurer_code()),
            year: Some(2026),
        }]);
        assert_declared_as_stored(&[SessionListing {
            token_hash: "hash".into(),
            epoch: 1,
            created_at: 2,
            absolute_expires_at: 3,
        }]);
        assert_declared_as_stored(&[LoginFailures {
            failures: 1,
            locked_until: 2,
            consecutive_failures: 3,
        }]);
        assert_declared_as_stored(&[TermsDocument {
            version: "0904-1".into(),
            title: "規約".into(),
            text: "本文".into(),
            published_at: 1,
        }]);
        assert_declared_as_stored(&[PasswordReset {
            account_id: "account".into(),
            code: pending_code(),
        }]);
        assert_declared_as_stored(&[EmailChange {
            account_id: "account".into(),
            new_email: email(),
            code: pending_code(),
        }]);
        assert_declared_as_stored(&[ThrottleWindow { count: 1 }]);
        assert_declared_as_stored(&[ProgressCounts {
            roster_persons: Some(2),
            registered: 1,
        }]);
        assert_declared_as_stored(&[DailyResponses {
            day: Day::from(date!(2026 - 06 - 01)),
            submitted: 3,
        }]);
        assert_declared_as_stored(&[OfficeProgress {
            office: OfficeCode::parse("A-1").unwrap(),
            targets: 4,
            answered: 2,
        }]);
    }

    /// A key or an attribute name spelled elsewhere would escape the check above.
    #[test]
    fn keys_and_attribute_names_are_made_in_the_store_only() {
        fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        sources(&root, &mut found);
        let outside: Vec<_> = found.iter().filter(|p| !p.starts_with(root.join("store"))).collect();
        assert!(outside.len() > 10, "the walk found the flows");
        for path in outside {
            let text = std::fs::read_to_string(path).unwrap();
            // The variants take names as strings; outside the store only the typed
            // constructors (Cond::eq, Change::set, …) are used.
            let spelled = [
                "Key::new(",
                "Attr::new(",
                "Cond::Eq(",
                "Cond::Lt(",
                "Cond::Le(",
                "Cond::AttrExists(",
                "Cond::AttrMissing(",
                "Change::Set(",
                "Change::Add(",
                "Change::Remove(",
            ];
            for made in spelled {
                assert!(!text.contains(made), "{} calls {made}", path.display());
            }
        }
    }

    #[test]
    fn typed_values_are_stored_as_the_record_stores_them() {
        let item = to_item(
            &SignupFlow {
                stage: SignupStage::Code,
                ..serde_json::from_value(serde_json::json!({
                    "id": "f", "insurer": "0904", "year": 2026, "symbol": "1001", "number": "1",
                    "name": "n", "stage": "account", "expiresAt": 1
                }))
                .unwrap()
            },
            Some(9),
        );
        assert!(Cond::eq(SignupFlow::STAGE, SignupStage::Code).holds(Some(&item)));
        assert!(Cond::eq(TTL, 9).holds(Some(&item)));
    }

    #[test]
    fn an_unreadable_item_names_its_record_type_and_no_value() {
        let mut item = to_item(&ThrottleWindow { count: 1 }, None);
        item.insert(ThrottleWindow::COUNT.name().into(), "ケンポ タロウ".into());
        let error = from_item::<ThrottleWindow>(item).unwrap_err();
        assert!(matches!(
            error,
            StoreError::Unreadable {
                record: "ThrottleWindow"
            }
        ));
        assert!(!error.to_string().contains("ケンポ"));
    }
}
