//! The mail schedule (issue 17) through moto's SES v2: the reminders of a whole campaign on a
//! moved clock, exactly once under overlapping, killed and failing runs, and the rate shared by
//! every sender.

use async_trait::async_trait;
use kennin::campaign::{self, Settings};
use kennin::clock::{Clock, ManualClock, japan_day};
use kennin::deps::Deps;
use kennin::domain::{CardNumber, CardSymbol, Day, Email, InsurerCode, TargetStatus, UserId};
use kennin::mail::jobs::{self, LEASE_SECONDS};
use kennin::mail::ses::SesMailer;
use kennin::mail::{MailError, Mailer, Message};
use kennin::schedule;
use kennin::store::records::{
    Account, MailJob, MailLog, MailOutcome, Reminder, RosterPerson, SendRate, SuppressionKind, Target, UnionContact,
    from_item, to_item,
};
use kennin::store::{Change, Key};
use kennin_tests::{Engine, SES_ENDPOINT_VAR, campaign_settings, endpoint, fresh_store, on_both_engines, test_config};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::Notify;
use tokio::time::Instant;

const SENDER: &str = "no-reply@kennin.example";
const SITE: &str = "https://kennin.example.jp";
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The clock's start: 2036-06-01 00:00 UTC, 09:00 in Japan.
const START: i64 = 2_095_891_200;

/// One mail as the test's sender saw it go to moto.
#[derive(Debug, Clone)]
struct Sent {
    to: String,
    subject: String,
    text: String,
    at: i64,
}

/// SES v2 on moto, recording each mail that SES accepted with the clock's time; it can refuse
/// every `fail_every`-th send (as SES throttles), or stop answering after `hang_after` sends (a
/// sender that dies in the middle of a send).
struct RecordingMailer {
    ses: SesMailer,
    clock: Arc<ManualClock>,
    sent: Mutex<Vec<Sent>>,
    tries: AtomicUsize,
    fail_every: Option<usize>,
    /// Sends after which the sender stops answering; `usize::MAX`: never.
    hang_after: AtomicUsize,
    hung: Notify,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let try_number = self.tries.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail_every.is_some_and(|every| try_number.is_multiple_of(every)) {
            return Err(MailError("SES TooManyRequestsException".into()));
        }
        if try_number > self.hang_after.load(Ordering::SeqCst) {
            self.hung.notify_one();
            std::future::pending::<()>().await;
        }
        self.ses.send(message).await?;
        self.sent.lock().unwrap().push(Sent {
            to: message.to.as_str().to_string(),
            subject: message.subject.clone(),
            text: message.text.clone(),
            at: self.clock.unix(),
        });
        Ok(())
    }
}

impl RecordingMailer {
    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// Mails per address.
    fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for sent in self.sent() {
            *counts.entry(sent.to).or_default() += 1;
        }
        counts
    }
}

/// A union of `persons` insured persons, each with one dependent to answer for, of whom the first
/// `registered` have an account; its campaign opens a day after the clock's start and is due 20
/// days later, with `reminders`.
struct Union {
    deps: Arc<Deps>,
    clock: Arc<ManualClock>,
    mailer: Arc<RecordingMailer>,
    code: InsurerCode,
    year: i32,
    domain: String,
    campaign: kennin::store::records::Campaign,
    _dir: TempDir,
}

struct Shape {
    persons: usize,
    registered: usize,
    reminders: Vec<i64>,
    rate: i64,
    fail_every: Option<usize>,
    hang_after: Option<usize>,
}

impl Default for Shape {
    fn default() -> Self {
        Self {
            persons: 10,
            registered: 10,
            reminders: vec![14, 7, 3, 1, 0],
            rate: 50,
            fail_every: None,
            hang_after: None,
        }
    }
}

async fn union(engine: Engine, shape: Shape) -> Union {
    let (store, dir) = fresh_store(engine).await;
    let clock = Arc::new(ManualClock::starting_at(START));
    let sdk = kennin::aws::sdk_config(Some(&endpoint(SES_ENDPOINT_VAR))).await;
    let client = aws_sdk_sesv2::Client::new(&sdk);
    // Verified once for the whole moto server; a second test's attempt is refused, harmlessly.
    let _ = client.create_email_identity().email_identity(SENDER).send().await;
    let mailer = Arc::new(RecordingMailer {
        ses: SesMailer::new(client, SENDER, None),
        clock: clock.clone(),
        sent: Mutex::new(Vec::new()),
        tries: AtomicUsize::new(0),
        fail_every: shape.fail_every,
        hang_after: AtomicUsize::new(shape.hang_after.unwrap_or(usize::MAX)),
        hung: Notify::new(),
    });
    let mut config = test_config();
    config.mail_rate_per_second = shape.rate;
    let deps = Deps::new(store.clone(), mailer.clone(), clock.clone(), config).unwrap();

    let code = InsurerCode::parse("0701").unwrap();
    let today = clock.today_in_japan();
    let year = today.year();
    let contact = UnionContact {
        name: Some("適用グループ".into()),
        phone: Some("03-1234-5678".into()),
        hours: None,
        email: None,
    };
    kennin::roster::put_insurer(store.as_ref(), &code, "リマインド健康保険組合", Some(&contact))
        .await
        .unwrap();
    let domain = format!("{}.example", uuid::Uuid::new_v4().simple());
    let mut roster = String::from("symbol,number,birth_date,name_kana,name,email\n");
    let mut dependents =
        String::from("symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n");
    for i in 1..=shape.persons {
        roster.push_str(&format!(
            "1001,{i},1980/01/01,テスト タロウ,テスト 太郎,p{i}@{domain}\n"
        ));
        dependents.push_str(&format!(
            "1001,{i},1,テスト ハナコ,テスト 花子,1982/02/02,女,配偶者,2015/01/01,同居\n"
        ));
    }
    let people = kennin::roster::parse(&roster, &code, year, today).unwrap();
    kennin::roster::import(store.as_ref(), &code, year, people, &mut |_| {})
        .await
        .unwrap();
    kennin::dependents::import(store.as_ref(), &code, year, &dependents, today, &mut |_| {})
        .await
        .unwrap();
    let opens_at = START + DAY;
    let settings = Settings {
        reminders: shape.reminders,
        ..campaign_settings(
            "2036年度 被扶養者資格調査",
            opens_at,
            Day::from(japan_day(opens_at).date() + time::Duration::days(20)),
            Day::from(time::Date::from_calendar_date(year, time::Month::April, 1).unwrap()),
        )
    };
    let campaign = campaign::put(store.as_ref(), &code, year, settings).await.unwrap();
    campaign::publish(store.as_ref(), &code, year, START, &mut |_| {})
        .await
        .unwrap();
    let accounts: Vec<(Key, kennin::store::Item)> = (1..=shape.registered)
        .map(|i| {
            let account = Account {
                id: format!("account{i}"),
                user_id: UserId::parse(&format!("person{i:05}")).unwrap(),
                insurer: code.clone(),
                year,
                symbol: CardSymbol::parse("1001").unwrap(),
                number: CardNumber::parse(&i.to_string()).unwrap(),
                name: "テスト 太郎".into(),
                email: Email::parse(&format!("p{i}@{domain}")).unwrap(),
                password_hash: "not used".into(),
                created_at: START,
                terms_accepted: None,
                contact: None,
                session_epoch: 0,
                disabled: false,
            };
            (Account::key(&account.id), to_item(&account, None))
        })
        .collect();
    store.put_many(accounts).await.unwrap();
    for i in 1..=shape.registered {
        let key = RosterPerson::key(&code, year, &symbol(), &number(i));
        store
            .update(
                &key,
                &[Change::set(RosterPerson::CLAIMED_BY, format!("account{i}"))],
                None,
            )
            .await
            .unwrap();
    }
    Union {
        deps: Arc::new(deps),
        clock,
        mailer,
        code,
        year,
        domain,
        campaign,
        _dir: dir,
    }
}

fn symbol() -> CardSymbol {
    CardSymbol::parse("1001").unwrap()
}

fn number(i: usize) -> CardNumber {
    CardNumber::parse(&i.to_string()).unwrap()
}

impl Union {
    fn address(&self, i: usize) -> String {
        format!("p{i}@{}", self.domain)
    }

    /// Moves person `i`'s target to `status`, as their answers and the union's review would.
    async fn set_status(&self, i: usize, status: TargetStatus) {
        let store = self.deps.store.as_ref();
        let partition = Target::partition(&self.code, self.year, &symbol(), &number(i));
        let item = store.query(&partition, Target::SK_PREFIX).await.unwrap().remove(0);
        let target: Target = from_item(item).unwrap();
        let now = self.clock.unix();
        let submitted_at = matches!(
            status,
            TargetStatus::Submitted | TargetStatus::Returned | TargetStatus::Confirmed
        )
        .then_some(now);
        let changed = Target {
            status,
            submitted_at,
            updated_at: now,
            version: target.version + 1,
            ..target
        }
        .listed();
        store
            .put_many(vec![(changed.own_key(), to_item(&changed, None))])
            .await
            .unwrap();
    }

    /// Moves the clock to the moment `reminder` is due.
    fn move_to(&self, reminder: Reminder) {
        self.clock
            .advance(self.campaign.reminder_at(reminder) - self.clock.unix());
    }

    /// One run of the schedule, as the hourly function makes it, with a minute to spare.
    async fn run(&self) -> schedule::Report {
        schedule::run(&self.deps, SITE, Instant::now() + Duration::from_secs(600))
            .await
            .unwrap()
    }

    /// The jobs still in the outbox, due or not.
    async fn queued(&self) -> Vec<MailJob> {
        let mut jobs = Vec::new();
        for shard in 0..MailJob::SHARDS {
            let items = self.deps.store.query(&MailJob::partition(shard), "").await.unwrap();
            jobs.extend(items.into_iter().map(|item| from_item::<MailJob>(item).unwrap()));
        }
        jobs
    }

    async fn history(&self, i: usize) -> Vec<MailLog> {
        let partition = MailLog::partition(&self.code, self.year, &symbol(), &number(i));
        let items = self.deps.store.query(&partition, "").await.unwrap();
        items.into_iter().map(|item| from_item(item).unwrap()).collect()
    }

    /// `schedule::run` on `runs` tasks at once.
    async fn concurrent_runs(&self, runs: usize) {
        let handles: Vec<_> = (0..runs)
            .map(|_| {
                let deps = self.deps.clone();
                tokio::spawn(async move {
                    schedule::run(&deps, SITE, Instant::now() + Duration::from_secs(600))
                        .await
                        .unwrap()
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    }

    fn assert_each_mailed_once(&self, persons: usize) {
        self.assert_each_mailed(persons, 1);
    }

    /// Each of the `persons` got `mails` mails, no more, no fewer.
    fn assert_each_mailed(&self, persons: usize, mails: usize) {
        let counts = self.mailer.counts();
        assert_eq!(counts.len(), persons, "every person was mailed");
        let wrong: Vec<_> = counts.iter().filter(|(_, count)| **count != mails).collect();
        assert!(wrong.is_empty(), "not mailed {mails} times: {wrong:?}");
    }
}

/// A whole campaign on a moved clock, run every hour as in AWS: the invitation reaches the roster
/// address without an account at opening; each reminder reaches exactly the persons with a form
/// not submitted (or sent back), once, at 09:00 in Japan of its day; the due day's on the due
/// day; none holds a card number or a birth date.
async fn reminders_over_a_whole_campaign_reach_exactly_the_persons_with_forms_left(engine: Engine) {
    let union = union(
        engine,
        Shape {
            persons: 6,
            registered: 5,
            ..Shape::default()
        },
    )
    .await;
    // 1 has not started, 2 is answering, 3 submitted, 4 is confirmed, 5 was sent back, 6 has no
    // account (only the invitation).
    union.set_status(2, TargetStatus::InProgress).await;
    union.set_status(3, TargetStatus::Submitted).await;
    union.set_status(4, TargetStatus::Confirmed).await;
    union.set_status(5, TargetStatus::Returned).await;
    let end = union.campaign.due_ends_at() + DAY;
    while union.clock.unix() < end {
        union.run().await;
        union.clock.advance(HOUR);
    }
    let sent = union.mailer.sent();
    let to = |i: usize| -> Vec<&Sent> { sent.iter().filter(|s| s.to == union.address(i)).collect() };

    let invitations = to(6);
    assert_eq!(invitations.len(), 1, "{invitations:?}");
    let invitation = invitations[0];
    assert_eq!(invitation.at, union.campaign.opens_at, "sent in the opening hour");
    assert!(
        invitation.subject.contains("初回ログインのご案内"),
        "{}",
        invitation.subject
    );
    assert!(
        invitation.text.contains(&format!("{SITE}/portal/signup?insurer=0701")),
        "{}",
        invitation.text
    );
    assert!(invitation.text.contains("保険者指定コード：0701"));

    let due_day = union.campaign.due;
    for i in [1, 2, 5] {
        let mails = to(i);
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(
            subjects,
            [
                "【被扶養者資格調査】回答期限まであと14日です",
                "【被扶養者資格調査】回答期限まであと7日です",
                "【被扶養者資格調査】回答期限まであと3日です",
                "【被扶養者資格調査】回答期限まであと1日です",
                "【被扶養者資格調査】本日が回答期限です",
            ],
            "person {i}"
        );
        let last = mails.last().unwrap();
        assert_eq!(
            japan_day(last.at),
            due_day,
            "the due day's mail on the due day in Japan"
        );
        assert_eq!(last.at, union.campaign.reminder_at(Reminder::DaysBefore(0)));
        for mail in &mails {
            let nine = (mail.at + 9 * HOUR) % DAY;
            assert_eq!(nine, 9 * HOUR, "at 09:00 in Japan: {}", mail.at);
            assert!(mail.text.contains(&format!("{SITE}/portal/")), "{}", mail.text);
            assert!(mail.text.contains("適用グループ"), "the union's contact: {}", mail.text);
            for secret in ["1001", "1980", "テスト"] {
                assert!(!mail.text.contains(secret), "{secret} in {}", mail.text);
            }
        }
    }
    for i in [3, 4] {
        assert!(to(i).is_empty(), "person {i} submitted: {:?}", to(i));
    }
    assert!(union.queued().await.is_empty(), "nothing is left in the outbox");
    let history = union.history(1).await;
    assert_eq!(history.len(), 5);
    assert!(history.iter().all(|log| log.outcome == MailOutcome::Sent));
    let unregistered = union.history(6).await;
    assert_eq!(unregistered.len(), 1, "the invitation only");
}

/// Two, then ten schedule runs at once over 2,000 persons (the 7 days' and the 3 days'
/// reminders of one union): every person is mailed once per reminder, and no second of the clock
/// holds more mails than the rate (50 a second: at least 40 seconds).
async fn overlapping_runs_mail_each_person_once_within_the_rate(engine: Engine) {
    let persons = 2_000;
    let union = union(
        engine,
        Shape {
            persons,
            registered: persons,
            reminders: vec![7, 3],
            rate: 50,
            ..Shape::default()
        },
    )
    .await;
    for (mails, runs, reminder) in [(1, 2, Reminder::DaysBefore(7)), (2, 10, Reminder::DaysBefore(3))] {
        union.move_to(reminder);
        let started = union.clock.unix();
        union.concurrent_runs(runs).await;
        union.assert_each_mailed(persons, mails);
        // Every send took a slot of its second first (the limiter all senders share): the slots
        // add up to the mails, and no second holds more than the rate.
        let mut per_second = BTreeMap::new();
        for second in started..=union.clock.unix() {
            if let Some(item) = union.deps.store.get(&SendRate::key(second)).await.unwrap() {
                per_second.insert(second, from_item::<SendRate>(item).unwrap().count);
            }
        }
        assert_eq!(
            per_second.values().sum::<i64>(),
            persons as i64,
            "{runs} runs: {per_second:?}"
        );
        let busiest = per_second.values().max().copied().unwrap_or_default();
        assert!(busiest <= 50, "{runs} runs: {busiest} mails in one second");
        assert!(
            per_second.len() >= 40,
            "{runs} runs: 2,000 mails at 50 a second went out in {} seconds of the clock",
            per_second.len()
        );
        assert!(union.queued().await.is_empty());
    }
}

/// A run killed in the middle of its sends, then run again after the lease: nobody missed,
/// nobody mailed twice.
async fn a_run_killed_half_way_is_finished_by_the_next_without_doubles(engine: Engine) {
    let persons = 300;
    let union = union(
        engine,
        Shape {
            persons,
            registered: persons,
            reminders: vec![3],
            hang_after: Some(120),
            ..Shape::default()
        },
    )
    .await;
    union.move_to(Reminder::DaysBefore(3));
    let deps = union.deps.clone();
    let run = tokio::spawn(async move { schedule::run(&deps, SITE, Instant::now() + Duration::from_secs(600)).await });
    union.mailer.hung.notified().await;
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    let before = union.mailer.sent().len();
    assert!(before < persons, "killed half-way: {before} sent");
    // The sender works again (as a fresh Lambda's would); the jobs taken by the killed run are
    // due when their lease ends.
    union.mailer.hang_after.store(usize::MAX, Ordering::SeqCst);
    union.run().await;
    union.clock.advance(LEASE_SECONDS + 1);
    union.run().await;
    union.assert_each_mailed_once(persons);
    assert!(union.queued().await.is_empty());
}

/// SES refusing every seventh send (throttling): each refused mail waits and is sent by a later
/// run; nothing is lost or doubled.
async fn throttled_sends_are_retried_and_nothing_is_lost(engine: Engine) {
    let persons = 100;
    let union = union(
        engine,
        Shape {
            persons,
            registered: persons,
            reminders: vec![1],
            fail_every: Some(7),
            ..Shape::default()
        },
    )
    .await;
    union.move_to(Reminder::DaysBefore(1));
    let first = union.run().await;
    assert!(first.mail.retried > 0, "{first:?}");
    assert_eq!(first.reminders.queued, persons);
    for _ in 0..10 {
        union.clock.advance(jobs::retry_delay(5));
        union.run().await;
    }
    union.assert_each_mailed_once(persons);
    assert!(union.queued().await.is_empty());
}

/// A person without an account gets no reminder, and the reminder's paging records where it
/// stopped: a schedule that changes drops what it no longer plans.
async fn reminders_skip_persons_without_account_and_follow_the_settings(engine: Engine) {
    let union = union(
        engine,
        Shape {
            persons: 4,
            registered: 2,
            reminders: vec![7, 0],
            ..Shape::default()
        },
    )
    .await;
    union.move_to(Reminder::DaysBefore(7));
    let report = union.run().await;
    assert_eq!(
        (report.reminders.queued, report.reminders.unregistered),
        (2 + 2, 2),
        "the invitation to 3 and 4, the reminder to 1 and 2: {report:?}"
    );
    assert_eq!(union.mailer.counts().len(), 4);
    // The union drops the due day's reminder: it is not sent.
    let settings = Settings {
        reminders: vec![7],
        ..campaign_settings(
            &union.campaign.title,
            union.campaign.opens_at,
            union.campaign.due,
            union.campaign.reference_date,
        )
    };
    campaign::put(union.deps.store.as_ref(), &union.code, union.year, settings)
        .await
        .unwrap();
    union
        .clock
        .advance(union.campaign.due_ends_at() - union.clock.unix() - HOUR);
    let late = union.run().await;
    assert_eq!(
        (late.reminders.queued, late.reminders.completed),
        (0, 2),
        "listed again by the change, the invitation and the 7 days' reminder are done at once: {late:?}"
    );
    let counts = union.mailer.counts();
    assert_eq!(counts[&union.address(1)], 1, "no due-day reminder after it was dropped");
}

/// An address that bounced is not mailed again: the reminder is logged as undeliverable in the
/// person's history, and the others' go out.
async fn a_bounced_address_gets_no_reminder(engine: Engine) {
    let union = union(
        engine,
        Shape {
            persons: 2,
            registered: 2,
            reminders: vec![7],
            ..Shape::default()
        },
    )
    .await;
    let bounced = Email::parse(&union.address(1)).unwrap();
    kennin::suppression::report(
        union.deps.store.as_ref(),
        &bounced,
        SuppressionKind::Bounce,
        START,
        Some(&union.code),
    )
    .await
    .unwrap();
    union.move_to(Reminder::DaysBefore(7));
    let report = union.run().await;
    assert_eq!((report.mail.sent, report.mail.not_sent), (1, 1), "{report:?}");
    assert_eq!(union.mailer.counts().keys().collect::<Vec<_>>(), [&union.address(2)]);
    let history = union.history(1).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].outcome, MailOutcome::Undeliverable);
}

on_both_engines!(
    a_bounced_address_gets_no_reminder,
    reminders_over_a_whole_campaign_reach_exactly_the_persons_with_forms_left,
    overlapping_runs_mail_each_person_once_within_the_rate,
    a_run_killed_half_way_is_finished_by_the_next_without_doubles,
    throttled_sends_are_retried_and_nothing_is_lost,
    reminders_skip_persons_without_account_and_follow_the_settings,
);
