//! The outbox: mails that must not be lost are queued as `MailJob`s in the same transaction as
//! the change they tell of, then sent by whoever gets to them first — the request itself right
//! after its commit (`send_now`), else the schedule (`drain`).
//!
//! Taking a job moves it to the end of a lease (`LEASE_SECONDS`), so concurrent senders never
//! take the same job; a sender that dies leaves the job due again when the lease ends. A sent
//! job is deleted and logged in one transaction. Every send first takes a slot of the rate
//! (`SendRate`), shared by all senders. A failed send waits longer each time
//! (`retry_delay`) and is given up (and logged as such) only after `MAX_ATTEMPTS`.
//!
//! Known limit: SES has no idempotency key, so a sender that dies after SES accepted a message
//! and before the job is deleted sends it again when the lease ends (once).

use super::{Message, templates};
use crate::deps::Deps;
use crate::domain::{CardNumber, CardSymbol, Email, InsurerCode};
use crate::error::Error;
use crate::store::records::{
    Account, Insurer, MailContent, MailJob, MailLog, MailOutcome, RosterPerson, SendRate, Target, from_item, to_item,
};
use crate::store::{Change, Cond, ItemStore, StoreError, TTL, Write};
use crate::suppression;
use futures::StreamExt;
use rand::seq::SliceRandom;
use tokio::time::Instant;

/// How long a taken job is left to its sender before another may take it.
pub const LEASE_SECONDS: i64 = 300;
/// Sends tried before a job is given up.
pub const MAX_ATTEMPTS: i64 = 20;
/// The longest wait between two tries.
const MAX_RETRY_DELAY_SECONDS: i64 = 3_600;
/// Jobs read at once, and sent side by side, by one sender.
const PAGE: usize = 50;
const CONCURRENCY: usize = 16;
/// How long a person's mail history is kept: past the year's survey and its questions.
pub const MAIL_LOG_DAYS: i64 = 400;

/// Who a mail is for: an insured person of a union's year, by card (the address is looked up
/// when the mail is sent, so a changed address is used).
#[derive(Debug, Clone)]
pub struct Recipient {
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
}

impl Recipient {
    /// The insured person of a target.
    pub fn of(target: &Target) -> Self {
        Self {
            insurer: target.insurer.clone(),
            year: target.year,
            symbol: target.symbol.clone(),
            number: target.number.clone(),
        }
    }

    /// A person of the roster.
    pub fn of_person(person: &RosterPerson) -> Self {
        Self {
            insurer: person.insurer.clone(),
            year: person.year,
            symbol: person.symbol.clone(),
            number: person.number.clone(),
        }
    }
}

/// A dependent as the person's mails name them: by relationship (「配偶者」), never by name, as
/// a mail crosses servers the union does not run; the form's address tells two children apart.
pub fn dependent_label(target: &Target) -> String {
    target.recorded.relationship.as_str().to_string()
}

/// A new job, due at once.
pub fn job(recipient: Recipient, site: &str, content: MailContent, now: i64) -> MailJob {
    MailJob {
        id: crate::secrets::new_token(),
        due_at: now,
        insurer: recipient.insurer,
        year: recipient.year,
        symbol: recipient.symbol,
        number: recipient.number,
        account: None,
        site: site.trim_end_matches('/').to_string(),
        content,
        attempts: 0,
        created_at: now,
    }
}

/// The job's write, for the transaction of the change it tells of.
pub fn queued(job: &MailJob) -> Write {
    Write::put(job.key(), to_item(job, None)).when(Cond::NotExists)
}

/// The wait after the `attempts`-th failed send: a minute, doubling, at most an hour.
pub fn retry_delay(attempts: i64) -> i64 {
    let doubled = 60_i64.saturating_mul(1_i64 << attempts.clamp(0, 30));
    doubled.min(MAX_RETRY_DELAY_SECONDS)
}

/// What a drain did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    /// Logged as not sent: no address, or an undeliverable one.
    pub not_sent: usize,
    /// Failed and due again later.
    pub retried: usize,
    /// Given up after `MAX_ATTEMPTS`.
    pub failed: usize,
}

impl Report {
    fn add(&mut self, handled: Handled) {
        match handled {
            Handled::Sent => self.sent += 1,
            Handled::NotSent => self.not_sent += 1,
            Handled::Retried => self.retried += 1,
            Handled::Failed => self.failed += 1,
            Handled::Elsewhere => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handled {
    Sent,
    NotSent,
    Retried,
    Failed,
    /// Another sender had taken it.
    Elsewhere,
}

/// Sends a job the request has just committed, best effort: a failure leaves it to the
/// schedule. True when it went out now.
pub async fn send_now(deps: &Deps, job: MailJob) -> bool {
    match handle(deps, job).await {
        Ok(handled) => handled == Handled::Sent,
        Err(error) => {
            tracing::warn!(error = %error, "mail left to the schedule");
            false
        }
    }
}

/// Sends the jobs due, page after page, shard after shard (from a shard of its own choosing),
/// until none is due or `until` has passed.
pub async fn drain(deps: &Deps, until: Instant) -> Result<Report, Error> {
    let mut report = Report::default();
    let first = rand::random_range(0..MailJob::SHARDS);
    for shard in (0..MailJob::SHARDS).map(|n| (first + n) % MailJob::SHARDS) {
        let partition = MailJob::partition(shard);
        while Instant::now() < until {
            let now = deps.clock.unix();
            let items = deps
                .store
                .query_through(&partition, &MailJob::due_through(now), PAGE)
                .await?;
            if items.is_empty() {
                break;
            }
            let mut jobs: Vec<MailJob> = items.into_iter().map(from_item).collect::<Result<_, _>>()?;
            // Senders on the same shard read the same head of it: each tries it in its own order.
            jobs.shuffle(&mut rand::rng());
            let mut handled =
                futures::stream::iter(jobs.into_iter().map(|job| handle(deps, job))).buffer_unordered(CONCURRENCY);
            while let Some(result) = handled.next().await {
                report.add(result?);
            }
        }
    }
    Ok(report)
}

async fn handle(deps: &Deps, listed: MailJob) -> Result<Handled, Error> {
    let store = deps.store.as_ref();
    let Some(job) = take(store, listed, deps.clock.unix()).await? else {
        return Ok(Handled::Elsewhere);
    };
    let Some(message) = render(store, &job).await? else {
        finish(store, &job, None, MailOutcome::NoAddress, deps.clock.unix()).await?;
        return Ok(Handled::NotSent);
    };
    if suppression::is_suppressed(store, &message.to).await? {
        finish(
            store,
            &job,
            Some(&message.subject),
            MailOutcome::Undeliverable,
            deps.clock.unix(),
        )
        .await?;
        return Ok(Handled::NotSent);
    }
    take_rate_slot(deps).await?;
    match deps.mailer.send(&message).await {
        Ok(()) => {
            finish(
                store,
                &job,
                Some(&message.subject),
                MailOutcome::Sent,
                deps.clock.unix(),
            )
            .await?;
            tracing::info!(event = "mail_sent", job_id = %job.id, kind = kind(&job.content), "mail");
            Ok(Handled::Sent)
        }
        Err(error) => {
            tracing::warn!(event = "mail_failed", job_id = %job.id, attempts = job.attempts + 1, error = %error, "mail");
            retry(store, job, &message.subject, deps.clock.unix()).await
        }
    }
}

/// Every mail of the person this survey year, oldest first: what the call center sees.
pub async fn person_history(store: &dyn ItemStore, recipient: &Recipient) -> Result<Vec<MailLog>, StoreError> {
    let partition = MailLog::partition(&recipient.insurer, recipient.year, &recipient.symbol, &recipient.number);
    store.query(&partition, "").await?.into_iter().map(from_item).collect()
}

/// The person's mails about `target` and the survey's mails to all (invitation, reminders),
/// oldest first: the history staff see beside the form.
pub async fn history(store: &dyn ItemStore, target: &Target) -> Result<Vec<MailLog>, StoreError> {
    let logs = person_history(store, &Recipient::of(target)).await?;
    Ok(logs
        .into_iter()
        .filter(|log| log.target_id.as_ref().is_none_or(|id| *id == target.id))
        .collect())
}

/// The kind of mail, for the logs.
fn kind(content: &MailContent) -> &'static str {
    match content {
        MailContent::Invitation { .. } => "invitation",
        MailContent::Reminder { .. } => "reminder",
        MailContent::Receipt { .. } => "receipt",
        MailContent::Returned { .. } => "returned",
        MailContent::DocumentRefused { .. } => "document_refused",
        MailContent::Removed { .. } => "removed",
        MailContent::Continued { .. } => "continued",
    }
}

/// Takes the job for one lease: it moves to the lease's end, on the condition that it is still
/// where it was listed. `None` when another sender moved it first.
async fn take(store: &dyn ItemStore, listed: MailJob, now: i64) -> Result<Option<MailJob>, StoreError> {
    let taken = MailJob {
        due_at: now + LEASE_SECONDS,
        ..listed.clone()
    };
    match store.transact(moved(&listed, &taken)).await {
        Ok(()) => Ok(Some(taken)),
        Err(error) if error.is_condition_failed() => Ok(None),
        Err(error) => Err(error),
    }
}

fn moved(from: &MailJob, to: &MailJob) -> Vec<Write> {
    vec![
        Write::delete(from.key()).when(Cond::Exists),
        Write::put(to.key(), to_item(to, None)).when(Cond::NotExists),
    ]
}

/// Deletes the taken job and logs what became of it, in one transaction. The job gone already
/// means the lease ran out and another sender took it: its log will say.
async fn finish(
    store: &dyn ItemStore,
    job: &MailJob,
    subject: Option<&str>,
    outcome: MailOutcome,
    now: i64,
) -> Result<(), StoreError> {
    let log = MailLog {
        job_id: job.id.clone(),
        at: now,
        subject: subject.unwrap_or_default().to_string(),
        outcome,
        target_id: target_of(&job.content).map(str::to_string),
    };
    let writes = vec![
        Write::delete(job.key()).when(Cond::Exists),
        Write::put(
            MailLog::key(job, now),
            to_item(&log, Some(now + MAIL_LOG_DAYS * 86_400)),
        ),
    ];
    match store.transact(writes).await {
        Err(error) if error.is_condition_failed() => {
            tracing::warn!(event = "mail_lease_lost", job_id = %job.id, "mail");
            Ok(())
        }
        other => other,
    }
}

/// The job due again after its wait, or given up after `MAX_ATTEMPTS`.
async fn retry(store: &dyn ItemStore, job: MailJob, subject: &str, now: i64) -> Result<Handled, Error> {
    let attempts = job.attempts + 1;
    if attempts >= MAX_ATTEMPTS {
        finish(store, &job, Some(subject), MailOutcome::Failed, now).await?;
        tracing::error!(event = "mail_given_up", job_id = %job.id, attempts, "mail");
        return Ok(Handled::Failed);
    }
    let later = MailJob {
        due_at: now + retry_delay(job.attempts),
        attempts,
        ..job.clone()
    };
    match store.transact(moved(&job, &later)).await {
        Err(error) if !error.is_condition_failed() => Err(error.into()),
        _ => Ok(Handled::Retried),
    }
}

/// Waits for a slot of the rate, which every sender shares: each second holds at most the
/// configured number of sends.
async fn take_rate_slot(deps: &Deps) -> Result<(), StoreError> {
    let rate = deps.config.mail_rate_per_second;
    loop {
        let second = deps.clock.unix();
        let below_rate = Cond::Or(vec![Cond::missing(SendRate::COUNT), Cond::lt(SendRate::COUNT, rate)]);
        let changes = [Change::add(SendRate::COUNT, 1), Change::set(TTL, second + 60)];
        match deps
            .store
            .update(&SendRate::key(second), &changes, Some(&below_rate))
            .await
        {
            Ok(_) => return Ok(()),
            Err(error) if error.is_condition_failed() => deps.clock.sleep_until(second + 1).await,
            Err(error) => return Err(error),
        }
    }
}

fn target_of(content: &MailContent) -> Option<&str> {
    match content {
        MailContent::Invitation { .. } | MailContent::Reminder { .. } => None,
        MailContent::Receipt { target_id, .. }
        | MailContent::Returned { target_id, .. }
        | MailContent::DocumentRefused { target_id, .. }
        | MailContent::Removed { target_id, .. }
        | MailContent::Continued { target_id, .. } => Some(target_id),
    }
}

/// The address the job goes to now, and the account it belongs to: the account's of the person
/// this year; for an invitation, the roster's while the person has no account. `None`: nobody
/// to mail.
async fn address(store: &dyn ItemStore, job: &MailJob) -> Result<Option<(Email, Option<String>)>, Error> {
    let account_id = match (&job.account, &job.content) {
        (Some(account_id), _) => account_id.clone(),
        (None, content) => {
            let roster_key = RosterPerson::key(&job.insurer, job.year, &job.symbol, &job.number);
            let Some(item) = store.get_eventually_consistent(&roster_key).await? else {
                return Ok(None);
            };
            let person: RosterPerson = from_item(item)?;
            match (content, person.claimed_by) {
                (MailContent::Invitation { .. }, None) => return Ok(person.email.map(|email| (email, None))),
                (MailContent::Invitation { .. }, Some(_)) | (_, None) => return Ok(None),
                (_, Some(account_id)) => account_id,
            }
        }
    };
    let Some(item) = store.get_eventually_consistent(&Account::key(&account_id)).await? else {
        return Ok(None);
    };
    let account: Account = from_item(item)?;
    let theirs = account.insurer == job.insurer
        && account.year == job.year
        && account.symbol == job.symbol
        && account.number == job.number;
    Ok((theirs && !account.disabled).then_some((account.email, Some(account.id))))
}

/// The job's mail as it reads now, or `None` when there is nobody to send it to.
async fn render(store: &dyn ItemStore, job: &MailJob) -> Result<Option<Message>, Error> {
    let (to, insurer) = futures::try_join!(address(store, job), async {
        let item = store.get_eventually_consistent(&Insurer::key(&job.insurer)).await?;
        item.map(from_item::<Insurer>).transpose().map_err(Error::from)
    })?;
    let (Some((to, account)), Some(insurer)) = (to, insurer) else {
        return Ok(None);
    };
    let contact = insurer.contact.as_ref();
    let site = &job.site;
    let form = |target_id: &str| format!("{site}/portal/survey/{target_id}");
    let message = match &job.content {
        MailContent::Invitation { title, window, due } => templates::survey_invitation(
            &to,
            &insurer.name,
            insurer.code.as_str(),
            &templates::SurveyDates {
                title: title.clone(),
                window: window.clone(),
                due: due.japanese(),
            },
            &format!("{site}/portal/signup?insurer={}", insurer.code),
            contact,
        ),
        MailContent::Reminder { title, due, days_left } => templates::survey_reminder(
            &to,
            &templates::SurveyDates {
                title: title.clone(),
                window: String::new(),
                due: due.japanese(),
            },
            *days_left,
            &format!("{site}/portal/"),
            contact,
        ),
        MailContent::Receipt {
            target_id,
            dependent,
            documents,
        } => templates::answers_received(&to, dependent, documents, &form(target_id), contact),
        MailContent::Returned { target_id, reason } => templates::answers_returned(
            &to,
            account.as_deref().unwrap_or_default(),
            reason,
            &form(target_id),
            contact,
        ),
        MailContent::DocumentRefused {
            target_id,
            dependent,
            document,
            reason,
        } => templates::document_refused(&to, dependent, document, reason, &form(target_id), contact),
        MailContent::Removed {
            dependent,
            effective_date,
            ..
        } => templates::dependent_removed(
            &to,
            dependent,
            effective_date.map(|day| day.japanese()).as_deref(),
            contact,
        ),
        MailContent::Continued { dependent, .. } => templates::dependent_continued(&to, dependent, contact),
    };
    // A bounce of the mail names the account it was for (the SES tag).
    Ok(Some(Message { account, ..message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_send_waits_a_minute_then_twice_as_long_each_time_up_to_an_hour() {
        assert_eq!(retry_delay(0), 60);
        assert_eq!(retry_delay(1), 120);
        assert_eq!(retry_delay(5), 1_920);
        assert_eq!(retry_delay(6), MAX_RETRY_DELAY_SECONDS);
        assert_eq!(retry_delay(MAX_ATTEMPTS), MAX_RETRY_DELAY_SECONDS);
        assert_eq!(retry_delay(i64::MAX), MAX_RETRY_DELAY_SECONDS);
    }

    #[test]
    fn every_kind_of_mail_but_the_schedules_names_its_target() {
        let returned = MailContent::Returned {
            target_id: "t".into(),
            reason: "r".into(),
        };
        assert_eq!(target_of(&returned), Some("t"));
        assert_eq!(kind(&returned), "returned");
    }
}
