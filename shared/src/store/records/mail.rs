//! Mail that kennin sends on its own: the outbox of jobs, the reminders' schedule and claims, the
//! rate across invocations, and each person's mail history (docs/data-model.md, "Mail").

use super::{Key, Record};
use crate::domain::{CardNumber, CardSymbol, Day, InsurerCode};
use serde::{Deserialize, Serialize};

/// Which of a campaign's scheduled mails: the invitation at opening, or a reminder so many days
/// before the due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reminder {
    Invitation,
    DaysBefore(i64),
}

impl Reminder {
    /// How the reminder appears in keys: fixed text, no separator inside.
    fn key_part(self) -> String {
        match self {
            Reminder::Invitation => "OPENING".into(),
            Reminder::DaysBefore(days) => format!("D{days:03}"),
        }
    }
}

/// What a mail job says: the template's parameters, rendered when it is sent. Never an
/// answer's figure, a card number or a birth date (the templates print none of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum MailContent {
    /// 初回ログインのご案内, to a roster address that has no account yet.
    #[serde(rename_all = "camelCase")]
    Invitation { title: String, window: String, due: Day },
    /// A reminder of unsubmitted forms, `days_left` before the due day (0: on it).
    #[serde(rename_all = "camelCase")]
    Reminder { title: String, due: Day, days_left: i64 },
    /// 提出を受け付けました: the dependent whose form was submitted and the documents it needs.
    #[serde(rename_all = "camelCase")]
    Receipt {
        target_id: String,
        dependent: String,
        documents: Vec<String>,
    },
    /// 差し戻し, with the reason.
    #[serde(rename_all = "camelCase")]
    Returned { target_id: String, reason: String },
    /// A document marked 不備, with the reason.
    #[serde(rename_all = "camelCase")]
    DocumentRefused {
        target_id: String,
        dependent: String,
        document: String,
        reason: String,
    },
    /// The union removes the dependent from the insurance (削除) from `effective_date`.
    #[serde(rename_all = "camelCase")]
    Removed {
        target_id: String,
        dependent: String,
        effective_date: Option<Day>,
    },
    /// The union keeps the dependent (継続): sent only where the campaign says so.
    #[serde(rename_all = "camelCase")]
    Continued { target_id: String, dependent: String },
}

/// A mail to send: queued in the same transaction as the change it tells of, in one partition
/// sorted by when it is due. Taking a job moves it to the end of its lease (a new key), so
/// another sender does not see it until the lease ends; a sender that dies leaves it due again
/// then. Sent or dropped, it is deleted and a `MailLog` entry written in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailJob {
    pub id: String,
    pub due_at: i64,
    pub insurer: InsurerCode,
    pub year: i32,
    pub symbol: CardSymbol,
    pub number: CardNumber,
    /// The person's account, when the queueing knew it (a reminder): the address is read from
    /// it without looking the person up in the roster again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The site the mail's links point to (`https://…`, no trailing slash).
    pub site: String,
    pub content: MailContent,
    /// Sends tried and failed so far: the next waits longer.
    #[serde(default)]
    pub attempts: i64,
    pub created_at: i64,
}

attributes!(MailJob {
    ID: str = "id",
    DUE_AT: i64 = "dueAt",
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    SYMBOL: CardSymbol = "symbol",
    NUMBER: CardNumber = "number",
    ACCOUNT: str = "account",
    SITE: str = "site",
    CONTENT: MailContent = "content",
    ATTEMPTS: i64 = "attempts",
    CREATED_AT: i64 = "createdAt",
});

impl MailJob {
    /// The queue is spread over this many partitions (by the job's id), so that senders running
    /// at once each start on a different one instead of all reaching for the same first jobs.
    pub const SHARDS: usize = 8;

    pub fn partition(shard: usize) -> String {
        format!("MAILJOBS#{shard}")
    }

    fn shard(&self) -> usize {
        self.id.bytes().map(usize::from).sum::<usize>() % Self::SHARDS
    }

    /// Sorted by when the job is due: the time in fixed width, so that text order is time order.
    pub fn key(&self) -> Key {
        Key::new(
            Self::partition(self.shard()),
            format!("{:012}#{}", self.due_at, self.id),
        )
    }

    /// The last sort key of the jobs due at `now`: '$' sorts after '#'.
    pub fn due_through(now: i64) -> String {
        format!("{now:012}$")
    }
}

/// A scheduled mail of a campaign waiting for its moment, listed by date in one small partition
/// that the schedule reads up to the present (it never scans the table). Written by every change
/// of the campaign's settings, deleted once every person was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderDue {
    pub insurer: InsurerCode,
    pub year: i32,
    pub reminder: Reminder,
    pub at: i64,
}

attributes!(ReminderDue {
    INSURER: InsurerCode = "insurer",
    YEAR: i32 = "year",
    REMINDER: Reminder = "reminder",
    AT: i64 = "at",
});

impl ReminderDue {
    pub const PARTITION: &str = "REMINDERS";

    pub fn key(&self) -> Key {
        Key::new(
            Self::PARTITION,
            format!(
                "{:012}#{}#{}#{}",
                self.at,
                self.insurer,
                self.year,
                self.reminder.key_part()
            ),
        )
    }

    pub fn due_through(now: i64) -> String {
        format!("{now:012}$")
    }

    /// The partition of the reminder's claims and cursor.
    fn claims_partition(&self) -> String {
        format!("REMINDER#{}#{}#{}", self.insurer, self.year, self.reminder.key_part())
    }
}

/// One person queued for one reminder: put on the condition that it does not exist, in the same
/// transaction as the job, so that runs that overlap, retry or die half-way queue each person
/// once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderClaim {
    pub job_id: String,
    pub at: i64,
}

attributes!(ReminderClaim {
    JOB_ID: str = "jobId",
    AT: i64 = "at",
});

impl ReminderClaim {
    pub fn key(due: &ReminderDue, symbol: &CardSymbol, number: &CardNumber) -> Key {
        Key::new(
            due.claims_partition(),
            format!("CARD#{}#{}", symbol.as_str(), number.as_str()),
        )
    }
}

/// Where the reminder's paging stopped: the list it was reading (`stage`) and the cursor in it.
/// Only ever written after the page before it was queued, so resuming from it misses no one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderCursor {
    pub stage: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

attributes!(ReminderCursor {
    STAGE: usize = "stage",
    AFTER: str = "after",
});

impl ReminderCursor {
    pub fn key(due: &ReminderDue) -> Key {
        Key::new(due.claims_partition(), "CURSOR")
    }

    /// Where the next page starts, after a page that ended at `last` (the next list's start when
    /// the page was its list's last).
    pub fn after_page(&self, last: Option<String>) -> Self {
        match last {
            Some(after) => Self {
                stage: self.stage,
                after: Some(after),
            },
            None => Self {
                stage: self.stage + 1,
                after: None,
            },
        }
    }
}

/// One page of a scheduled mail's list, taken by one run for a lease while it queues the page's
/// persons, then marked done: runs at once share the pages instead of all working through each.
/// A run that dies leaves the page to be taken again when the lease ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderPage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leased_until: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
}

attributes!(ReminderPage {
    LEASED_UNTIL: i64 = "leasedUntil",
    DONE: bool = "done",
});

impl ReminderPage {
    /// The page of list `stage` that starts after `after` (its start, hashed: cursors are long).
    pub fn key(due: &ReminderDue, stage: usize, after: Option<&str>) -> Key {
        use sha2::Digest;
        let start = hex::encode(&sha2::Sha256::digest(after.unwrap_or_default().as_bytes())[..12]);
        Key::new(due.claims_partition(), format!("PAGE#{stage}#{start}"))
    }
}

/// Mails sent in one second, by every sender together: raised on the condition that it is below
/// the rate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendRate {
    pub count: i64,
}

attributes!(SendRate { COUNT: i64 = "count" });

impl SendRate {
    pub fn key(second: i64) -> Key {
        Key::new(format!("MAILRATE#{second}"), "RATE")
    }
}

/// What became of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MailOutcome {
    Sent,
    /// The person has no account (or, for an invitation, has one already, or no address).
    NoAddress,
    /// The address bounced or complained.
    Undeliverable,
    /// SES refused it again and again.
    Failed,
}

impl MailOutcome {
    /// As the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            MailOutcome::Sent => "送信済み",
            MailOutcome::NoAddress => "送信せず（宛先のアカウントなし）",
            MailOutcome::Undeliverable => "送信せず（アドレスが不達）",
            MailOutcome::Failed => "送信できず（再送を断念）",
        }
    }
}

/// One mail of a person's history, for the union's staff: what, when, and whether it went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailLog {
    pub job_id: String,
    pub at: i64,
    pub subject: String,
    pub outcome: MailOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
}

attributes!(MailLog {
    JOB_ID: str = "jobId",
    AT: i64 = "at",
    SUBJECT: str = "subject",
    OUTCOME: MailOutcome = "outcome",
    TARGET_ID: str = "targetId",
});

impl MailLog {
    pub fn partition(insurer: &InsurerCode, year: i32, symbol: &CardSymbol, number: &CardNumber) -> String {
        format!("MAILLOG#{insurer}#{year}#{}#{}", symbol.as_str(), number.as_str())
    }

    pub fn key(job: &MailJob, at: i64) -> Key {
        Key::new(
            Self::partition(&job.insurer, job.year, &job.symbol, &job.number),
            format!("{at:012}#{}", job.id),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(due_at: i64) -> MailJob {
        MailJob {
            id: "j1".into(),
            due_at,
            insurer: InsurerCode::parse("0904").unwrap(),
            year: 2026,
            symbol: CardSymbol::parse("1001").unwrap(),
            number: CardNumber::parse("1").unwrap(),
            account: Some("a1".into()),
            site: "https://kennin.example.jp".into(),
            content: MailContent::Returned {
                target_id: "t1".into(),
                reason: "理由".into(),
            },
            attempts: 1,
            created_at: 1,
        }
    }

    #[test]
    fn mail_records_store_exactly_the_attributes_they_declare() {
        use super::super::tests::assert_declared_as_stored;
        assert_declared_as_stored(&[job(5)]);
        let due = ReminderDue {
            insurer: InsurerCode::parse("0904").unwrap(),
            year: 2026,
            reminder: Reminder::DaysBefore(7),
            at: 9,
        };
        assert_declared_as_stored(std::slice::from_ref(&due));
        assert_declared_as_stored(&[ReminderClaim {
            job_id: "j1".into(),
            at: 2,
        }]);
        assert_declared_as_stored(&[ReminderCursor {
            stage: 1,
            after: Some("c".into()),
        }]);
        assert_declared_as_stored(&[SendRate { count: 3 }]);
        assert_declared_as_stored(&[ReminderPage {
            leased_until: Some(5),
            done: true,
        }]);
        assert_declared_as_stored(&[MailLog {
            job_id: "j1".into(),
            at: 4,
            subject: "件名".into(),
            outcome: MailOutcome::Sent,
            target_id: Some("t1".into()),
        }]);
    }

    #[test]
    fn jobs_and_reminders_sort_by_their_time_and_the_due_bound_takes_the_whole_second() {
        assert!(job(99).key().sk < job(100).key().sk);
        assert_eq!(job(99).key().pk, job(100).key().pk, "a job's shard is its id's");
        assert!(job(100).key().sk.as_str() <= MailJob::due_through(100).as_str());
        assert!(job(101).key().sk.as_str() > MailJob::due_through(100).as_str());
        let due = |reminder, at| ReminderDue {
            insurer: InsurerCode::parse("0904").unwrap(),
            year: 2026,
            reminder,
            at,
        };
        let opening = due(Reminder::Invitation, 10);
        let week = due(Reminder::DaysBefore(7), 10);
        assert_ne!(opening.key(), week.key());
        assert_ne!(ReminderCursor::key(&opening), ReminderCursor::key(&week));
        assert!(week.key().sk.as_str() <= ReminderDue::due_through(10).as_str());
        let card = (CardSymbol::parse("1001").unwrap(), CardNumber::parse("1").unwrap());
        assert_eq!(
            ReminderClaim::key(&week, &card.0, &card.1).pk,
            ReminderCursor::key(&week).pk
        );
    }
}
