//! The campaign's scheduled mails: the invitation at opening to roster addresses with no
//! account, and the reminders before the due day to every person with a form not yet submitted
//! (or sent back). The hourly schedule reads the mails due from their listing
//! (`ReminderDue`), pages through the campaign's lists from where the last run stopped
//! (`ReminderCursor`), and queues one job per person in the same transaction as the person's
//! `ReminderClaim`: runs that overlap, retry or die half-way queue each person once. The jobs go
//! out through the outbox (`mail::jobs`). A scheduled mail is sent once per person: moving the
//! due date does not send a reminder that went out again.
//!
//! Reminders read the targets by status (`Index::ByStatus`, eventually consistent): a target
//! whose status changes while a run pages may be read in its old list, its new one, or (rarely)
//! neither; the next reminder reaches such a person.

use crate::campaign::{self, describe_window};
use crate::clock::japan_day;
use crate::deps::Deps;
use crate::domain::{CardNumber, CardSymbol, TargetStatus};
use crate::error::Error;
use crate::mail::jobs::{self, Recipient};
use crate::store::records::{
    Campaign, MailContent, MailJob, Reminder, ReminderClaim, ReminderCursor, ReminderDue, ReminderPage, RosterEntry,
    RosterPerson, Target, from_item, to_item,
};
use crate::store::{Change, Cond, Index, ItemStore, Key, Page, StoreError, TTL, Write};
use futures::StreamExt;
use tokio::time::Instant;

/// The statuses whose persons a reminder goes to, one list each, read in this order.
pub const REMINDED: [TargetStatus; 3] = [
    TargetStatus::NotStarted,
    TargetStatus::InProgress,
    TargetStatus::Returned,
];
/// Items read per page of a list.
const PAGE: usize = 100;
/// Persons queued side by side.
const CONCURRENCY: usize = 8;
/// Scheduled mails of campaigns worked on in one run, at most.
const LISTINGS_PER_RUN: usize = 50;
/// How long a run may hold a page before another takes it: far longer than a page takes.
const PAGE_LEASE_SECONDS: i64 = 300;
/// A claim is kept this long after the campaign closes (then DynamoDB's TTL removes it).
const CLAIM_DAYS_AFTER_CLOSE: i64 = 30;

/// A scheduled mail as staff and operators read it.
pub fn label(reminder: Reminder) -> String {
    match reminder {
        Reminder::Invitation => "初回ログインのご案内".to_string(),
        Reminder::DaysBefore(0) => "回答期限の当日".to_string(),
        Reminder::DaysBefore(days) => format!("回答期限の{days}日前"),
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Persons queued for a mail.
    pub queued: usize,
    /// Persons another run (or an earlier one) had queued already.
    pub already: usize,
    /// Persons with a form to remind of but no account to mail.
    pub unregistered: usize,
    /// Scheduled mails whose every person is queued: their listing is gone.
    pub completed: usize,
    /// Scheduled mails dropped unsent: lapsed, or no longer in the campaign's settings.
    pub dropped: usize,
    /// Scheduled mails left for the next run (time ran out, or the campaign is not published).
    pub waiting: usize,
}

/// Queues the scheduled mails due at the clock's now, until `until`; links point to `site`.
pub async fn queue_due(deps: &Deps, site: &str, until: Instant) -> Result<Report, Error> {
    let store = deps.store.as_ref();
    let now = deps.clock.unix();
    let listed = store
        .query_through(ReminderDue::PARTITION, &ReminderDue::due_through(now), LISTINGS_PER_RUN)
        .await?;
    let mut report = Report::default();
    for item in listed {
        let due: ReminderDue = from_item(item)?;
        let campaign = campaign::get(store, &due.insurer, due.year).await?;
        let scheduled = campaign
            .as_ref()
            .filter(|c| c.scheduled_mails().contains(&due) && now < c.reminder_expires_at(due.reminder));
        let Some(campaign) = scheduled else {
            // A listing of a change's old settings, or one that lapsed: the people are not told.
            store.transact(vec![Write::delete(due.key())]).await?;
            report.dropped += 1;
            continue;
        };
        if due.reminder != Reminder::Invitation && campaign.published_at.is_none() {
            report.waiting += 1;
            continue;
        }
        // The cursor stays past the last list: listed again by a change of the settings, the
        // mail is done at once, never sent again.
        if work_through(deps, site, campaign, &due, until, &mut report).await? {
            store.transact(vec![Write::delete(due.key())]).await?;
            report.completed += 1;
            tracing::info!(event = "reminder_completed", insurer = %due.insurer, year = due.year, reminder = ?due.reminder, "mail");
        } else {
            report.waiting += 1;
        }
    }
    Ok(report)
}

/// Pages through the scheduled mail's lists from its cursor, queueing the persons of each page
/// it can take (`ReminderPage`); true when the cursor has passed the last list, false when
/// `until` came first or pages taken by other runs are not done yet.
async fn work_through(
    deps: &Deps,
    site: &str,
    campaign: &Campaign,
    due: &ReminderDue,
    until: Instant,
    report: &mut Report,
) -> Result<bool, Error> {
    let store = deps.store.as_ref();
    let stages = lists(due.reminder);
    let mut at = read_cursor(store, due).await?;
    while at.stage < stages {
        if Instant::now() >= until {
            return Ok(false);
        }
        let (page, persons) = read_page(store, campaign, due.reminder, &at).await?;
        let page_key = ReminderPage::key(due, at.stage, at.after.as_deref());
        let done = match take_page(store, &page_key, deps.clock.unix(), kept_until(campaign)).await? {
            PageState::Taken => {
                queue_page(deps, site, campaign, due, persons, report).await?;
                store
                    .update(&page_key, &[Change::set(ReminderPage::DONE, true)], None)
                    .await?;
                true
            }
            PageState::Done => true,
            PageState::Elsewhere => false,
        };
        let next = at.after_page(page.last);
        if done {
            advance_cursor(store, due, &at, &next, kept_until(campaign)).await?;
        }
        at = next;
    }
    Ok(read_cursor(store, due).await?.stage >= stages)
}

async fn read_cursor(store: &dyn ItemStore, due: &ReminderDue) -> Result<ReminderCursor, Error> {
    Ok(match store.get(&ReminderCursor::key(due)).await? {
        Some(item) => from_item(item)?,
        None => ReminderCursor::default(),
    })
}

/// Moves the cursor from the page `from` (done) to `to`, if it is still there: the cursor only
/// ever passes pages that are done, so resuming from it misses no one.
async fn advance_cursor(
    store: &dyn ItemStore,
    due: &ReminderDue,
    from: &ReminderCursor,
    to: &ReminderCursor,
    expires: i64,
) -> Result<(), Error> {
    let same_after = match &from.after {
        Some(after) => Cond::eq(ReminderCursor::AFTER, after.as_str()),
        None => Cond::missing(ReminderCursor::AFTER),
    };
    let at_from = Cond::And(vec![Cond::eq(ReminderCursor::STAGE, from.stage), same_after]);
    let still_there = if *from == ReminderCursor::default() {
        Cond::Or(vec![Cond::NotExists, at_from])
    } else {
        at_from
    };
    let write = Write::put(ReminderCursor::key(due), to_item(to, Some(expires))).when(still_there);
    match store.transact(vec![write]).await {
        Err(error) if !error.is_condition_failed() => Err(error.into()),
        _ => Ok(()),
    }
}

enum PageState {
    Taken,
    Done,
    /// Another run holds its lease.
    Elsewhere,
}

/// Takes the page for `PAGE_LEASE_SECONDS` unless it is done or another run holds it.
async fn take_page(store: &dyn ItemStore, key: &Key, now: i64, expires: i64) -> Result<PageState, Error> {
    let free = Cond::And(vec![
        Cond::missing(ReminderPage::DONE),
        Cond::Or(vec![
            Cond::missing(ReminderPage::LEASED_UNTIL),
            Cond::lt(ReminderPage::LEASED_UNTIL, now),
        ]),
    ]);
    let lease = [
        Change::set(ReminderPage::LEASED_UNTIL, now + PAGE_LEASE_SECONDS),
        Change::set(TTL, expires),
    ];
    match store.update(key, &lease, Some(&free)).await {
        Ok(_) => Ok(PageState::Taken),
        Err(error) if error.is_condition_failed() => {
            let page: ReminderPage = match store.get(key).await? {
                Some(item) => from_item(item)?,
                None => ReminderPage::default(),
            };
            Ok(if page.done {
                PageState::Done
            } else {
                PageState::Elsewhere
            })
        }
        Err(error) => Err(error.into()),
    }
}

/// Queues the persons of one page, side by side.
async fn queue_page(
    deps: &Deps,
    site: &str,
    campaign: &Campaign,
    due: &ReminderDue,
    persons: Vec<(CardSymbol, CardNumber)>,
    report: &mut Report,
) -> Result<(), Error> {
    let content = content(campaign, due.reminder, deps.clock.unix());
    let mut queued = futures::stream::iter(persons.into_iter().map(|(symbol, number)| {
        let content = content.clone();
        async move { queue_person(deps, site, campaign, due, &symbol, &number, content).await }
    }))
    .buffer_unordered(CONCURRENCY);
    while let Some(result) = queued.next().await {
        match result? {
            Queued::Now => report.queued += 1,
            Queued::Before => report.already += 1,
            Queued::NoAccount => report.unregistered += 1,
        }
    }
    Ok(())
}

/// One page of the list the cursor is in, and the persons on it to mail: for a reminder, those
/// of its targets still in the survey; for the invitation, roster persons with an address and no
/// account.
async fn read_page(
    store: &dyn ItemStore,
    campaign: &Campaign,
    reminder: Reminder,
    cursor: &ReminderCursor,
) -> Result<(Page, Vec<(CardSymbol, CardNumber)>), Error> {
    let after = cursor.after.as_deref();
    let mut persons = Vec::new();
    let mut add = |person: (CardSymbol, CardNumber)| {
        if !persons.contains(&person) {
            persons.push(person);
        }
    };
    let page = match reminder {
        Reminder::Invitation => {
            let partition = RosterPerson::partition(&campaign.insurer, campaign.year);
            let page = store
                .query_page(&partition, RosterPerson::SK_PREFIX, after, PAGE)
                .await?;
            for item in &page.items {
                if let RosterEntry::Person(person) = RosterEntry::from_item(item.clone())?
                    && person.email.is_some()
                    && person.claimed_by.is_none()
                {
                    add((person.symbol, person.number));
                }
            }
            page
        }
        Reminder::DaysBefore(_) => {
            let partition = Target::status_partition(&campaign.insurer, campaign.year, REMINDED[cursor.stage]);
            let page = store
                .index_page(Index::ByStatus, &partition, "", after, PAGE, false)
                .await?;
            for item in &page.items {
                let target: Target = from_item(item.clone())?;
                if !target.left_roster {
                    add((target.symbol, target.number));
                }
            }
            page
        }
    };
    Ok((page, persons))
}

/// How many lists the scheduled mail pages through: the roster for the invitation, one status
/// list per `REMINDED` for a reminder.
fn lists(reminder: Reminder) -> usize {
    match reminder {
        Reminder::Invitation => 1,
        Reminder::DaysBefore(_) => REMINDED.len(),
    }
}

/// The account that registered the roster person, if any.
async fn account_of(
    store: &dyn ItemStore,
    campaign: &Campaign,
    symbol: &CardSymbol,
    number: &CardNumber,
) -> Result<Option<String>, Error> {
    let key = RosterPerson::key(&campaign.insurer, campaign.year, symbol, number);
    Ok(match store.get_eventually_consistent(&key).await? {
        Some(item) => from_item::<RosterPerson>(item)?.claimed_by,
        None => None,
    })
}

/// What the scheduled mail says, as of `now`.
fn content(campaign: &Campaign, reminder: Reminder, now: i64) -> MailContent {
    match reminder {
        Reminder::Invitation => MailContent::Invitation {
            title: campaign.title.clone(),
            window: describe_window(campaign),
            due: campaign.due,
        },
        Reminder::DaysBefore(_) => MailContent::Reminder {
            title: campaign.title.clone(),
            due: campaign.due,
            days_left: (campaign.due.date() - japan_day(now).date()).whole_days().max(0),
        },
    }
}

/// When a scheduled mail's claims, pages and cursor may go: a while after the campaign closes.
fn kept_until(campaign: &Campaign) -> i64 {
    campaign.closes_at() + CLAIM_DAYS_AFTER_CLOSE * 86_400
}

enum Queued {
    Now,
    Before,
    NoAccount,
}

/// Queues the person once per scheduled mail: the claim and the job in one transaction. A
/// reminder goes only to a person with an account (the invitation is for those without).
async fn queue_person(
    deps: &Deps,
    site: &str,
    campaign: &Campaign,
    due: &ReminderDue,
    symbol: &CardSymbol,
    number: &CardNumber,
    content: MailContent,
) -> Result<Queued, Error> {
    let store = deps.store.as_ref();
    let mut account = None;
    if matches!(due.reminder, Reminder::DaysBefore(_)) {
        account = account_of(store, campaign, symbol, number).await?;
        if account.is_none() {
            return Ok(Queued::NoAccount);
        }
    }
    let now = deps.clock.unix();
    let recipient = Recipient {
        insurer: campaign.insurer.clone(),
        year: campaign.year,
        symbol: symbol.clone(),
        number: number.clone(),
    };
    let job = MailJob {
        account,
        ..jobs::job(recipient, site, content, now)
    };
    let claim = ReminderClaim {
        job_id: job.id.clone(),
        at: now,
    };
    let expires = kept_until(campaign);
    let writes = vec![
        Write::put(ReminderClaim::key(due, symbol, number), to_item(&claim, Some(expires))).when(Cond::NotExists),
        jobs::queued(&job),
    ];
    match store.transact(writes).await {
        Ok(()) => Ok(Queued::Now),
        Err(StoreError::ConditionFailed { .. }) => Ok(Queued::Before),
        Err(error) => Err(error.into()),
    }
}

/// The campaign's next scheduled mail still to go out, and whom it would reach as things stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub reminder: Reminder,
    pub at: i64,
    pub persons: Vec<(CardSymbol, CardNumber)>,
}

/// What the schedule will send next for the campaign (`kennin-admin reminders preview`): reads
/// every list the mail reads, so an operator's command, not a page's.
pub async fn preview(store: &dyn ItemStore, campaign: &Campaign) -> Result<Option<Preview>, Error> {
    let listed = store.query(ReminderDue::PARTITION, "").await?;
    let mut next = None;
    for item in listed {
        let due: ReminderDue = from_item(item)?;
        if due.insurer == campaign.insurer && due.year == campaign.year && campaign.scheduled_mails().contains(&due) {
            next = Some(due);
            break;
        }
    }
    let Some(due) = next else {
        return Ok(None);
    };
    let stages = lists(due.reminder);
    let mut persons = Vec::new();
    let mut at = ReminderCursor::default();
    while at.stage < stages {
        let (page, on_page) = read_page(store, campaign, due.reminder, &at).await?;
        for (symbol, number) in on_page {
            let registered = match due.reminder {
                Reminder::Invitation => true,
                Reminder::DaysBefore(_) => account_of(store, campaign, &symbol, &number).await?.is_some(),
            };
            if registered && !persons.contains(&(symbol.clone(), number.clone())) {
                persons.push((symbol, number));
            }
        }
        at = at.after_page(page.last);
    }
    Ok(Some(Preview {
        reminder: due.reminder,
        at: due.at,
        persons,
    }))
}
