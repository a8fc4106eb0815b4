//! A union's survey of one year (調査): its window, which dependents it asks about, and the
//! targets it freezes from the roster when published.
//!
//! Publishing streams the roster (each person followed by their dependents) and writes a target
//! for every dependent the rules select, unless the campaign already has one: a target's id is
//! derived from the dependent with the campaign's own key, so publishing again, or again after
//! an interruption, finds what it made and never overwrites an answer. A dependent that left
//! the roster has their target marked, not deleted.

use crate::domain::{Day, InsuredKind, InsurerCode, Invalid, OfficeCode, TargetStatus, age_on};
use crate::eligibility::ThresholdTable;
use crate::error::Error;
use crate::roster::PAGE_ITEMS;
use crate::store::records::{
    Campaign, DecisionMails, Dependent, DocumentsPurge, OfficeProgress, Progress, Reminder, ReminderDue, RosterEntry,
    RosterPerson, Target, TargetRules, from_item, to_item,
};
use crate::store::{Change, Cond, Index, ItemStore, StoreError, Write};
use futures::{StreamExt as _, TryStreamExt as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;
use time::macros::{format_description, offset};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_GRACE_DAYS: i64 = 60;
pub const MAX_AGE: i32 = 150;
/// Days a campaign's documents are kept after it closes: long enough for the union to settle
/// the year's cases and answer an audit, never indefinitely.
pub const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 30..=3650;
pub const DEFAULT_RETENTION_DAYS: i64 = 365;
/// Reminders go out at this hour in Japan, on their day.
pub const REMINDER_HOUR: i64 = 9;
/// The earliest reminder: days before the due day.
pub const MAX_REMINDER_DAYS: i64 = 90;
/// Reminders per campaign, at most.
pub const MAX_REMINDERS: usize = 10;
/// Targets written at once while publishing.
const PUBLISH_CONCURRENCY: usize = 16;

/// What the operator sets; the campaign's key and publication are kept across changes.
#[derive(Debug, Clone)]
pub struct Settings {
    pub title: String,
    pub opens_at: i64,
    pub due: Day,
    pub grace_days: i64,
    pub reference_date: Day,
    pub rules: TargetRules,
    pub retention_days: i64,
    /// Days before the due day that reminders go out (0: the due day), latest first, each once.
    pub reminders: Vec<i64>,
    pub decision_mails: DecisionMails,
}

/// `2026-12-06T09:00` in Japan time, as the operator writes the opening minute.
/// 128 bits: unguessable, and short enough for an address.
pub const TARGET_ID_BYTES: usize = 16;

pub fn parse_opening(input: &str) -> Result<i64, Invalid> {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(input.trim(), format)
        .map(|local| local.assume_offset(offset!(+9)).unix_timestamp())
        .map_err(|_| Invalid("開始日時は 2026-12-06T09:00 の形（日本時間）で入力してください。"))
}

impl Settings {
    /// The settings' own consistency, before anything is written.
    pub fn check(&self) -> Result<(), Invalid> {
        let title_chars = self.title.chars().count();
        if title_chars == 0 || title_chars > MAX_TITLE_CHARS {
            return Err(Invalid(crate::domain::stated!(
                "タイトルは1文字以上{MAX_TITLE_CHARS}文字以内で入力してください。"
            )));
        }
        if !RETENTION_DAYS.contains(&self.retention_days) {
            return Err(Invalid(crate::domain::stated!(
                "保存日数は{}から{}までの日数で入力してください。",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            )));
        }
        if !(0..=MAX_GRACE_DAYS).contains(&self.grace_days) {
            return Err(Invalid(crate::domain::stated!(
                "猶予日数は0から{MAX_GRACE_DAYS}までの日数で入力してください。"
            )));
        }
        let ages = [self.rules.min_age, self.rules.max_age];
        if ages.iter().flatten().any(|age| !(0..=MAX_AGE).contains(age)) {
            return Err(Invalid(crate::domain::stated!(
                "年齢は0から{MAX_AGE}までで入力してください。"
            )));
        }
        if let (Some(min), Some(max)) = (self.rules.min_age, self.rules.max_age)
            && min > max
        {
            return Err(Invalid("最低年齢は最高年齢以下にしてください。"));
        }
        if self.reminders.len() > MAX_REMINDERS
            || self
                .reminders
                .iter()
                .any(|days| !(0..=MAX_REMINDER_DAYS).contains(days))
            || self.reminders.windows(2).any(|pair| pair[0] <= pair[1])
        {
            return Err(Invalid(crate::domain::stated!(
                "リマインダーは回答期限の0〜{MAX_REMINDER_DAYS}日前を、{MAX_REMINDERS}回まで、重複なく指定してください。"
            )));
        }
        if self.opens_at >= window_end(self.due) {
            return Err(Invalid("開始日時は回答期限の日より前にしてください。"));
        }
        // The pre-check takes its income limits from the reference date: it must have some.
        if ThresholdTable::built_in().in_force(self.reference_date).is_none() {
            return Err(Invalid(
                "基準日に適用される収入の基準がありません。基準日をご確認ください。",
            ));
        }
        Ok(())
    }
}

/// The first second after `day` in Japan: a day's whole length counts.
fn window_end(day: Day) -> i64 {
    day.date()
        .next_day()
        .unwrap_or(Date::MAX)
        .midnight()
        .assume_offset(offset!(+9))
        .unix_timestamp()
}

/// Where a campaign's window stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Upcoming,
    Open,
    /// Past the due date, within the grace days: answers are still accepted.
    PastDue,
    Closed,
}

impl Campaign {
    /// The moment the due day ends in Japan.
    pub fn due_ends_at(&self) -> i64 {
        window_end(self.due)
    }

    /// The moment the grace days end: no answer is accepted from then on.
    pub fn closes_at(&self) -> i64 {
        self.due_ends_at() + self.grace_days * Duration::DAY.whole_seconds()
    }

    /// The moment the campaign's documents are deleted: `retention_days` after it closes. The
    /// documents' own records expire (`ttl`) at the same moment.
    pub fn documents_purge_at(&self) -> i64 {
        self.closes_at() + self.retention_days * Duration::DAY.whole_seconds()
    }

    /// What a campaign stored before documents were kept keeps them for.
    pub(crate) fn default_retention_days() -> i64 {
        DEFAULT_RETENTION_DAYS
    }

    /// The moment a scheduled mail goes out: the invitation at opening, a reminder at
    /// `REMINDER_HOUR` of its day in Japan.
    pub fn reminder_at(&self, reminder: Reminder) -> i64 {
        let day = Duration::DAY.whole_seconds();
        match reminder {
            Reminder::Invitation => self.opens_at,
            Reminder::DaysBefore(days) => self.due_ends_at() - (days + 1) * day + REMINDER_HOUR * 3_600,
        }
    }

    /// The moment a scheduled mail that has not gone out is no longer sent: a reminder when the
    /// next one is due (it would say the wrong number of days), the last one and the invitation
    /// when the due day ends.
    pub fn reminder_expires_at(&self, reminder: Reminder) -> i64 {
        let at = self.reminder_at(reminder);
        let next = match reminder {
            Reminder::Invitation => None,
            Reminder::DaysBefore(_) => self
                .reminders
                .iter()
                .map(|days| self.reminder_at(Reminder::DaysBefore(*days)))
                .filter(|later| *later > at)
                .min(),
        };
        next.unwrap_or_else(|| self.due_ends_at())
    }

    /// The reminder that goes out next after `now`, if any.
    pub fn next_reminder(&self, now: i64) -> Option<Reminder> {
        self.reminders
            .iter()
            .map(|days| Reminder::DaysBefore(*days))
            .filter(|reminder| self.reminder_at(*reminder) > now)
            .min_by_key(|reminder| self.reminder_at(*reminder))
    }

    /// The campaign's scheduled mails, each listed for the schedule at its moment.
    pub fn scheduled_mails(&self) -> Vec<ReminderDue> {
        std::iter::once(Reminder::Invitation)
            .chain(self.reminders.iter().map(|days| Reminder::DaysBefore(*days)))
            .map(|reminder| ReminderDue {
                insurer: self.insurer.clone(),
                year: self.year,
                reminder,
                at: self.reminder_at(reminder),
            })
            .collect()
    }

    /// The entry that lists the campaign for the purge.
    pub fn documents_purge(&self) -> DocumentsPurge {
        DocumentsPurge {
            insurer: self.insurer.clone(),
            year: self.year,
            purge_at: self.documents_purge_at(),
        }
    }

    pub fn window(&self, now: i64) -> Window {
        if now < self.opens_at {
            Window::Upcoming
        } else if now < self.due_ends_at() {
            Window::Open
        } else if now < self.closes_at() {
            Window::PastDue
        } else {
            Window::Closed
        }
    }

    /// The id of the target this campaign makes of a dependent: the first `TARGET_ID_BYTES` of
    /// the HMAC, in lowercase hex.
    fn target_id(&self, dependent: &Dependent) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.id_key.as_bytes()).expect("hmac takes any key length");
        for part in [
            dependent.symbol.as_str(),
            dependent.number.as_str(),
            dependent.recorded.dependent_no.as_str(),
        ] {
            mac.update(part.as_bytes());
            mac.update(b"\0");
        }
        hex::encode(&mac.finalize().into_bytes()[..TARGET_ID_BYTES])
    }
}

/// Why a dependent is not a target, in the order the rules are applied: a dependent is counted
/// under the first rule that leaves them out, so the counts add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exclusion {
    LeftRoster,
    InsuredKind(InsuredKind),
    Overseas,
    CertifiedAfter,
    YoungerThanMin,
    OlderThanMax,
}

impl Exclusion {
    pub fn label(self) -> String {
        match self {
            Self::LeftRoster => "名簿から外れた".into(),
            Self::InsuredKind(kind) => format!("被保険者が{}", kind.label()),
            Self::Overseas => "被保険者が海外赴任中".into(),
            Self::CertifiedAfter => "認定日が基準より後".into(),
            Self::YoungerThanMin => "最低年齢未満".into(),
            Self::OlderThanMax => "最高年齢超".into(),
        }
    }
}

impl Campaign {
    /// Whether the campaign asks about the dependent, or the first rule that leaves them out.
    pub fn exclusion(&self, person: &RosterPerson, dependent: &Dependent) -> Option<Exclusion> {
        let rules = &self.rules;
        if dependent.left_on.is_some() {
            return Some(Exclusion::LeftRoster);
        }
        if rules.excluded_kinds.contains(&person.kind) {
            return Some(Exclusion::InsuredKind(person.kind));
        }
        if rules.exclude_overseas && person.overseas {
            return Some(Exclusion::Overseas);
        }
        if rules
            .certified_by
            .is_some_and(|by| dependent.recorded.certified_on > by)
        {
            return Some(Exclusion::CertifiedAfter);
        }
        let age = age_on(dependent.recorded.birth_date.date(), self.reference_date.date());
        if rules.min_age.is_some_and(|min| age < min) {
            return Some(Exclusion::YoungerThanMin);
        }
        if rules.max_age.is_some_and(|max| age > max) {
            return Some(Exclusion::OlderThanMax);
        }
        None
    }
}

pub async fn get(store: &dyn ItemStore, insurer: &InsurerCode, year: i32) -> Result<Option<Campaign>, Error> {
    match store.get(&Campaign::key(insurer, year)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// Creates the campaign of the union's year or changes its settings, and lists it for the
/// purge of its documents at its purge date, in the same transaction.
pub async fn put(
    store: &dyn ItemStore,
    insurer: &InsurerCode,
    year: i32,
    settings: Settings,
) -> Result<Campaign, Error> {
    let existing = get(store, insurer, year).await?;
    let mut campaign = Campaign {
        insurer: insurer.clone(),
        year,
        title: settings.title,
        opens_at: settings.opens_at,
        due: settings.due,
        grace_days: settings.grace_days,
        reference_date: settings.reference_date,
        rules: settings.rules,
        id_key: existing
            .as_ref()
            .map_or_else(crate::secrets::new_token, |c| c.id_key.clone()),
        published_at: existing.as_ref().and_then(|c| c.published_at),
        retention_days: settings.retention_days,
        documents_purged_at: None,
        reminders: settings.reminders,
        decision_mails: settings.decision_mails,
    };
    let purge = campaign.documents_purge();
    let mut writes = Vec::new();
    match &existing {
        // Purged, and the date stays: nothing is left to list.
        Some(existing) if existing.documents_purge() == purge && existing.documents_purged_at.is_some() => {
            campaign.documents_purged_at = existing.documents_purged_at;
        }
        _ => {
            if let Some(before) = existing.as_ref().map(Campaign::documents_purge)
                && before.key() != purge.key()
            {
                writes.push(Write::delete(before.key()));
            }
            writes.push(Write::put(purge.key(), to_item(&purge, None)));
        }
    }
    // The scheduled mails move with the settings: listings of moments no longer scheduled go.
    let scheduled = campaign.scheduled_mails();
    for before in existing.iter().flat_map(Campaign::scheduled_mails) {
        if !scheduled.iter().any(|listed| listed.key() == before.key()) {
            writes.push(Write::delete(before.key()));
        }
    }
    writes.extend(
        scheduled
            .iter()
            .map(|listed| Write::put(listed.key(), to_item(listed, None))),
    );
    // The id key must never change once targets exist: written only with the one read.
    let unchanged_key = match &existing {
        Some(existing) => Cond::eq(Campaign::ID_KEY, existing.id_key.as_str()),
        None => Cond::NotExists,
    };
    writes.push(Write::put(Campaign::key(insurer, year), to_item(&campaign, None)).when(unchanged_key));
    store.transact(writes).await?;
    Ok(campaign)
}

/// What publishing does or would do.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Selection {
    pub dependents: usize,
    pub targets: usize,
    pub excluded: BTreeMap<Exclusion, usize>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Publication {
    pub selection: Selection,
    /// Targets written by this run.
    pub added: usize,
    /// Targets the campaign already had.
    pub kept: usize,
    /// Targets marked by this run because their dependent left the roster.
    pub marked_left: usize,
}

/// A dependent as the walk hands it: with the insured person's office and the rule that leaves
/// them out, if any.
struct Walked {
    dependent: Dependent,
    office: Option<OfficeCode>,
    exclusion: Option<Exclusion>,
}

/// The roster of the campaign's year, streamed a page at a time: each dependent with their
/// insured person and the rule that excludes them.
struct RosterWalk<'c> {
    campaign: &'c Campaign,
    partition: String,
    person: Option<RosterPerson>,
    after: Option<String>,
    finished: bool,
}

impl<'c> RosterWalk<'c> {
    fn new(campaign: &'c Campaign) -> Self {
        Self {
            campaign,
            partition: RosterPerson::partition(&campaign.insurer, campaign.year),
            person: None,
            after: None,
            finished: false,
        }
    }

    async fn next_page(&mut self, store: &dyn ItemStore) -> Result<Option<Vec<Walked>>, Error> {
        if self.finished {
            return Ok(None);
        }
        let page = store
            .query_page(
                &self.partition,
                RosterPerson::SK_PREFIX,
                self.after.as_deref(),
                PAGE_ITEMS,
            )
            .await?;
        let mut dependents = Vec::new();
        for item in page.items {
            match RosterEntry::from_item(item)? {
                RosterEntry::Person(found) => self.person = Some(found),
                RosterEntry::Dependent(dependent) => {
                    // The person sorts right before their dependents; the import refuses a
                    // dependent without one.
                    let Some(person) = self
                        .person
                        .as_ref()
                        .filter(|p| p.symbol == dependent.symbol && p.number == dependent.number)
                    else {
                        continue;
                    };
                    dependents.push(Walked {
                        exclusion: self.campaign.exclusion(person, &dependent),
                        office: person.office.clone(),
                        dependent,
                    });
                }
            }
        }
        self.finished = page.last.is_none();
        self.after = page.last;
        Ok(Some(dependents))
    }
}

fn count(selection: &mut Selection, exclusion: Option<Exclusion>) {
    selection.dependents += 1;
    match exclusion {
        None => selection.targets += 1,
        Some(exclusion) => *selection.excluded.entry(exclusion).or_default() += 1,
    }
}

fn unknown_campaign() -> Error {
    Error::NotFound
}

/// How many dependents publishing would make targets, and how many each rule leaves out,
/// without writing anything.
pub async fn preview(store: &dyn ItemStore, insurer: &InsurerCode, year: i32) -> Result<Selection, Error> {
    let campaign = get(store, insurer, year).await?.ok_or_else(unknown_campaign)?;
    let mut selection = Selection::default();
    let mut walk = RosterWalk::new(&campaign);
    while let Some(page) = walk.next_page(store).await? {
        for walked in page {
            count(&mut selection, walked.exclusion);
        }
    }
    Ok(selection)
}

enum Outcome {
    Added,
    Kept,
    MarkedLeft,
    Nothing,
}

async fn publish_one(
    store: &dyn ItemStore,
    campaign: &Campaign,
    Walked {
        dependent,
        office,
        exclusion,
    }: Walked,
    now: i64,
) -> Result<Outcome, Error> {
    let id = campaign.target_id(&dependent);
    let key = Target::key(
        &campaign.insurer,
        campaign.year,
        &dependent.symbol,
        &dependent.number,
        &id,
    );
    match exclusion {
        None => {
            let target = Target {
                id,
                insurer: dependent.insurer,
                year: dependent.year,
                symbol: dependent.symbol,
                number: dependent.number,
                recorded: dependent.recorded,
                status: TargetStatus::NotStarted,
                version: 0,
                created_at: now,
                updated_at: now,
                left_roster: false,
                office,
                status_list: String::new(),
                status_order: String::new(),
                office_list: None,
                office_order: None,
                kana_list: String::new(),
                kana_order: String::new(),
                answers: None,
                submitted_at: None,
                return_reason: None,
                decision: None,
            }
            .listed();
            match store
                .transact(vec![Write::put(key, to_item(&target, None)).when(Cond::NotExists)])
                .await
            {
                Ok(()) => Ok(Outcome::Added),
                Err(StoreError::ConditionFailed { .. }) => Ok(Outcome::Kept),
                Err(error) => Err(error.into()),
            }
        }
        Some(Exclusion::LeftRoster) => {
            let unmarked = Cond::And(vec![Cond::Exists, Cond::missing(Target::LEFT_ROSTER)]);
            // The version too: a save racing the mark must not put the target back unmarked.
            let changes = [
                Change::set(Target::LEFT_ROSTER, true),
                Change::set(Target::UPDATED_AT, now),
                Change::add(Target::VERSION, 1),
            ];
            match store.update(&key, &changes, Some(&unmarked)).await {
                Ok(_) => Ok(Outcome::MarkedLeft),
                Err(StoreError::ConditionFailed { .. }) => Ok(Outcome::Nothing),
                Err(error) => Err(error.into()),
            }
        }
        Some(_) => Ok(Outcome::Nothing),
    }
}

/// Freezes the campaign's targets from the roster: adds a target for every selected dependent
/// that has none and marks the targets of dependents who left the roster. Safe to run again at
/// any time, and after an interruption. `progress` is told how many dependents are done.
pub async fn publish(
    store: &dyn ItemStore,
    insurer: &InsurerCode,
    year: i32,
    now: i64,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Publication, Error> {
    let campaign = get(store, insurer, year).await?.ok_or_else(unknown_campaign)?;
    let mut publication = Publication::default();
    let mut walk = RosterWalk::new(&campaign);
    // The targets of each office (事業所), for the progress page.
    let mut offices: BTreeMap<OfficeCode, i64> = BTreeMap::new();
    while let Some(page) = walk.next_page(store).await? {
        for walked in &page {
            count(&mut publication.selection, walked.exclusion);
            if let (None, Some(office)) = (walked.exclusion, &walked.office) {
                *offices.entry(office.clone()).or_default() += 1;
            }
        }
        let mut outcomes = futures::stream::iter(page)
            .map(|walked| publish_one(store, &campaign, walked, now))
            .buffer_unordered(PUBLISH_CONCURRENCY);
        while let Some(outcome) = outcomes.next().await {
            match outcome? {
                Outcome::Added => publication.added += 1,
                Outcome::Kept => publication.kept += 1,
                Outcome::MarkedLeft => publication.marked_left += 1,
                Outcome::Nothing => {}
            }
        }
        progress(publication.selection.dependents);
    }
    // Set, not added: every run counts the whole selection, so a second run changes nothing.
    futures::stream::iter(offices)
        .map(|(office, targets)| async move {
            let changes = [
                Change::set(OfficeProgress::OFFICE, &office),
                Change::set(OfficeProgress::TARGETS, targets),
            ];
            store
                .update(&Progress::office_key(insurer, year, &office), &changes, None)
                .await
        })
        .buffer_unordered(PUBLISH_CONCURRENCY)
        .try_collect::<Vec<_>>()
        .await?;
    store
        .update(
            &Campaign::key(insurer, year),
            &[Change::set(Campaign::PUBLISHED_AT, now)],
            Some(&Cond::Exists),
        )
        .await?;
    Ok(publication)
}

/// A moment as 「2026年12月6日 09:00」 in Japan time.
pub fn japan_minute(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at)
        .map(|t| t.to_offset(offset!(+9)))
        .map(|t| {
            format!(
                "{}年{}月{}日 {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// The campaign's scheduled and decision mails as the operator reads them.
pub fn describe_mails(campaign: &Campaign) -> String {
    let reminders = if campaign.reminders.is_empty() {
        "なし".to_string()
    } else {
        let days: Vec<String> = campaign
            .reminders
            .iter()
            .map(|days| match days {
                0 => "当日".to_string(),
                days => format!("{days}日前"),
            })
            .collect();
        format!("回答期限の{}（各日 {REMINDER_HOUR:02}:00）", days.join("・"))
    };
    let on = |yes: bool| if yes { "送る" } else { "送らない" };
    format!(
        "リマインダー: {reminders}\n判定の通知: 削除は{}、継続は{}",
        on(campaign.decision_mails.removal),
        on(campaign.decision_mails.continuation)
    )
}

/// The campaign's window as the operator reads it: the opening minute, the due day and the grace
/// days, in Japan time.
pub fn describe_window(campaign: &Campaign) -> String {
    let opens = japan_minute(campaign.opens_at);
    format!(
        "{opens} 〜 {}（猶予 {}日）",
        campaign.due.japanese(),
        campaign.grace_days
    )
}

/// How long the campaign's documents are kept, as the operator reads it: the days after the
/// close, the day they are deleted (Japan time), and whether they have been.
pub fn describe_retention(campaign: &Campaign) -> String {
    let japan_day = |at: i64| {
        OffsetDateTime::from_unix_timestamp(at)
            .map(|t| Day::from(t.to_offset(offset!(+9)).date()).japanese())
            .unwrap_or_default()
    };
    let state = match campaign.documents_purged_at {
        Some(at) => format!("{}に削除済み", japan_day(at)),
        None => format!("{}に削除予定", japan_day(campaign.documents_purge_at())),
    };
    format!("添付資料の保存: 締切後 {}日（{state}）", campaign.retention_days)
}

/// The campaign's targets by status, from the union's status lists (a second or so behind the
/// latest change on DynamoDB).
pub async fn status_counts(store: &dyn ItemStore, campaign: &Campaign) -> Result<BTreeMap<TargetStatus, usize>, Error> {
    let counts = futures::future::try_join_all(TargetStatus::ALL.map(|status| async move {
        let partition = Target::status_partition(&campaign.insurer, campaign.year, status);
        let count = store.index_count(Index::ByStatus, &partition).await?;
        Ok::<_, Error>((status, usize::try_from(count).unwrap_or(usize::MAX)))
    }))
    .await?;
    Ok(counts.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_person_is_a_year_older_on_their_birthday() {
        assert_eq!(age_on(date!(2008 - 04 - 01), date!(2026 - 04 - 01)), 18);
        assert_eq!(age_on(date!(2008 - 04 - 02), date!(2026 - 04 - 01)), 17);
        assert_eq!(age_on(date!(2008 - 03 - 31), date!(2026 - 04 - 01)), 18);
        // Born on 29 February: a year older from 1 March in a common year.
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2022 - 02 - 28)), 17);
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2022 - 03 - 01)), 18);
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2024 - 02 - 29)), 20);
    }

    fn campaign(grace_days: i64) -> Campaign {
        Campaign {
            insurer: InsurerCode::parse("0904").unwrap(),
            year: 2026,
            title: "調査".into(),
            opens_at: parse_opening("2026-09-01T09:00").unwrap(),
            due: Day::from(date!(2026 - 09 - 30)),
            grace_days,
            reference_date: Day::from(date!(2026 - 04 - 01)),
            rules: TargetRules::default(),
            id_key: "key".into(),
            published_at: None,
            retention_days: DEFAULT_RETENTION_DAYS,
            documents_purged_at: None,
            reminders: vec![14, 7, 0],
            decision_mails: DecisionMails::default(),
        }
    }

    #[test]
    fn the_window_runs_from_the_opening_minute_to_the_end_of_the_due_day_then_the_grace_days() {
        let opens = parse_opening("2026-09-01T09:00").unwrap();
        assert_eq!(opens, 1_788_220_800, "09:00 in Japan is 00:00 UTC");
        let due_day_ends = parse_opening("2026-10-01T00:00").unwrap();
        let with_grace = campaign(2);
        assert_eq!(with_grace.window(opens - 1), Window::Upcoming);
        assert_eq!(with_grace.window(opens), Window::Open);
        assert_eq!(with_grace.window(due_day_ends - 1), Window::Open);
        assert_eq!(with_grace.window(due_day_ends), Window::PastDue);
        assert_eq!(with_grace.window(due_day_ends + 2 * 86_400 - 1), Window::PastDue);
        assert_eq!(with_grace.window(due_day_ends + 2 * 86_400), Window::Closed);
        assert_eq!(campaign(0).window(due_day_ends), Window::Closed);
    }

    #[test]
    fn documents_are_purged_the_retention_days_after_the_grace_days_end() {
        let closes = parse_opening("2026-10-03T00:00").unwrap();
        let mut kept = campaign(2);
        assert_eq!(kept.closes_at(), closes);
        assert_eq!(kept.documents_purge_at(), closes + 365 * 86_400);
        assert_eq!(
            describe_retention(&kept),
            "添付資料の保存: 締切後 365日（2027年10月3日に削除予定）"
        );
        kept.retention_days = 30;
        assert_eq!(kept.documents_purge().purge_at, closes + 30 * 86_400);
        kept.documents_purged_at = Some(kept.documents_purge_at() + 3_600);
        assert_eq!(
            describe_retention(&kept),
            "添付資料の保存: 締切後 30日（2026年11月2日に削除済み）"
        );
    }

    #[test]
    fn reminders_go_out_at_nine_in_japan_and_lapse_when_the_next_is_due() {
        let campaign = campaign(0);
        let due_day_nine = parse_opening("2026-09-30T09:00").unwrap();
        assert_eq!(campaign.reminder_at(Reminder::DaysBefore(0)), due_day_nine);
        let week_before = parse_opening("2026-09-23T09:00").unwrap();
        assert_eq!(campaign.reminder_at(Reminder::DaysBefore(7)), week_before);
        assert_eq!(campaign.reminder_expires_at(Reminder::DaysBefore(14)), week_before);
        assert_eq!(campaign.reminder_expires_at(Reminder::DaysBefore(7)), due_day_nine);
        assert_eq!(
            campaign.reminder_expires_at(Reminder::DaysBefore(0)),
            campaign.due_ends_at()
        );
        assert_eq!(campaign.reminder_at(Reminder::Invitation), campaign.opens_at);
        assert_eq!(
            campaign.reminder_expires_at(Reminder::Invitation),
            campaign.due_ends_at()
        );
        let listed: Vec<Reminder> = campaign.scheduled_mails().into_iter().map(|m| m.reminder).collect();
        assert_eq!(
            listed,
            [
                Reminder::Invitation,
                Reminder::DaysBefore(14),
                Reminder::DaysBefore(7),
                Reminder::DaysBefore(0)
            ]
        );
    }

    #[test]
    fn settings_that_contradict_themselves_are_refused() {
        let base = Settings {
            title: "調査".into(),
            opens_at: parse_opening("2026-09-01T09:00").unwrap(),
            due: Day::from(date!(2026 - 09 - 30)),
            grace_days: 0,
            reference_date: Day::from(date!(2026 - 04 - 01)),
            rules: TargetRules::default(),
            retention_days: DEFAULT_RETENTION_DAYS,
            reminders: vec![14, 7, 3, 1, 0],
            decision_mails: DecisionMails::default(),
        };
        assert!(base.check().is_ok());
        let refused = |change: fn(&mut Settings)| {
            let mut settings = base.clone();
            change(&mut settings);
            settings.check().unwrap_err()
        };
        refused(|s| s.title = String::new());
        refused(|s| s.title = "あ".repeat(MAX_TITLE_CHARS + 1));
        refused(|s| s.grace_days = MAX_GRACE_DAYS + 1);
        refused(|s| s.retention_days = RETENTION_DAYS.start() - 1);
        refused(|s| s.retention_days = RETENTION_DAYS.end() + 1);
        refused(|s| s.reminders = vec![7, 7]);
        refused(|s| s.reminders = vec![0, 7]);
        refused(|s| s.reminders = vec![MAX_REMINDER_DAYS + 1]);
        refused(|s| s.reminders = vec![-1]);
        refused(|s| s.reminders = (0..=MAX_REMINDERS as i64).rev().collect());
        refused(|s| s.rules.min_age = Some(-1));
        refused(|s| {
            s.rules.min_age = Some(23);
            s.rules.max_age = Some(18)
        });
        refused(|s| s.opens_at = parse_opening("2026-10-01T00:00").unwrap());
        assert!(parse_opening("2026-09-01 09:00").is_err());
        assert!(parse_opening("2026-09-31T09:00").is_err());
    }
}
