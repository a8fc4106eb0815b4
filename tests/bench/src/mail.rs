//! The mail part: how fast the schedule sends against the configured rate (moto's SES v2 on the
//! real clock, senders overlapping as hourly invocations can), and how many mails a whole
//! campaign sends (the real schedule, run every hour on a moved clock over a simulated
//! campaign): the bill's SES line.

use crate::stats::fmt;
use async_trait::async_trait;
use kennin::campaign::{self, Settings};
use kennin::clock::{Clock, ManualClock, SystemClock, japan_day};
use kennin::config::Config;
use kennin::deps::Deps;
use kennin::domain::{CardNumber, CardSymbol, Day, Email, InsurerCode, TargetStatus, UserId};
use kennin::mail::jobs::{self, Recipient};
use kennin::mail::ses::SesMailer;
use kennin::mail::{MailError, Mailer, Message};
use kennin::schedule;
use kennin::store::records::{
    Account, DecisionMails, MailContent, RosterPerson, SendRate, Target, TargetRules, UnionContact, from_item, to_item,
};
use kennin::store::sqlite::SqliteStore;
use kennin::store::{Change, ItemStore, Write};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

pub const HEADING: &str = "## Mail: sending rate and a campaign's mails";

const SENDER: &str = "no-reply@kennin.example";
const SITE: &str = "https://kennin.example.jp";
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The simulated campaign's clock starts 2036-06-01 00:00 UTC (09:00 in Japan).
const START: i64 = 2_095_891_200;
/// A window of four weeks: the middle of the 3–6 weeks unions give (docs/survey handbook).
const WINDOW_DAYS: i64 = 28;
/// The reminders of the example: 14, 7, 3 and 1 days before the due day, and on it.
const REMINDERS: [i64; 5] = [14, 7, 3, 1, 0];
/// Shares of the persons: answering in the first week, never answering.
const FIRST_WEEK: f64 = 0.30;
const NEVER: f64 = 0.05;
/// Submissions sent back (差し戻し) and answered again three days later.
const RETURNED: f64 = 0.05;
/// Dependents removed (削除) with a mail: an assumption, the handbook gives no figure.
const REMOVED: f64 = 0.03;
/// The bill's union.
const BILLED_PERSONS: f64 = 100_000.0;
const SES_USD_PER_MAIL: f64 = 0.10 / 1000.0;
/// Sending is measured for this long at each rate, with this many senders side by side.
const RATE_SECONDS: i64 = 20;
const SENDERS: usize = 4;

#[derive(Debug, Serialize, Deserialize)]
pub struct MailReport {
    pub rates: Vec<RateRun>,
    pub campaign: CampaignMails,
}

/// One measurement of the send path at a configured rate.
#[derive(Debug, Serialize, Deserialize)]
pub struct RateRun {
    pub configured_per_second: i64,
    pub senders: usize,
    pub mails: usize,
    /// Wall time from the first send to the last.
    pub seconds: f64,
    /// Seconds of the clock from the first mail's to the last's, both counted.
    pub clock_seconds: i64,
    /// Mails per second of the clock.
    pub achieved_per_second: f64,
    /// The most mails any one second of the clock held (the shared limiter's counters).
    pub busiest_second: i64,
}

/// The mails of the simulated campaign, by kind.
#[derive(Debug, Serialize, Deserialize)]
pub struct CampaignMails {
    pub persons: usize,
    pub targets: usize,
    pub window_days: i64,
    pub reminders: Vec<i64>,
    pub schedule_runs: usize,
    /// Mails the schedule sent, by subject.
    pub scheduled: BTreeMap<String, usize>,
    /// Mails the changes send (receipts, returns), counted from the simulated changes.
    pub receipts: usize,
    pub returns: usize,
    /// Removal mails at the assumed share.
    pub removals: f64,
    pub simulated_seconds: f64,
}

impl CampaignMails {
    pub fn scheduled_total(&self) -> usize {
        self.scheduled.values().sum()
    }

    pub fn per_person(&self) -> f64 {
        (self.scheduled_total() + self.receipts + self.returns) as f64 / self.persons as f64
            + self.removals / self.persons as f64
    }
}

/// Counts each mail by subject (the campaign), or sends it to moto and notes when (the rate).
struct BenchMailer {
    ses: Option<SesMailer>,
    by_subject: Mutex<BTreeMap<String, usize>>,
    sent: AtomicUsize,
}

#[async_trait]
impl Mailer for BenchMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        if let Some(ses) = &self.ses {
            ses.send(message).await?;
        }
        *self
            .by_subject
            .lock()
            .unwrap()
            .entry(message.subject.clone())
            .or_default() += 1;
        self.sent.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

pub async fn run(work: &Path, moto: &str, persons: usize) -> Result<MailReport, String> {
    let mut rates = Vec::new();
    for rate in [14, 50] {
        rates.push(rate_run(work, moto, rate).await?);
    }
    let campaign = simulate_campaign(work, persons).await?;
    Ok(MailReport { rates, campaign })
}

/// A union of `persons` insured persons with 1 or 2 dependents each (1.5 on average) and a
/// roster address each, none registered yet; its campaign opens a day after `START` with the
/// reminders. The card numbers are 1..=persons.
async fn union(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    persons: usize,
) -> Result<kennin::store::records::Campaign, String> {
    let code = code();
    let today = japan_day(START).date();
    let year = today.year();
    let contact = UnionContact {
        name: Some("適用グループ".into()),
        phone: Some("03-1234-5678".into()),
        hours: None,
        email: None,
    };
    kennin::roster::put_insurer(store, &code, "ベンチ健康保険組合", Some(&contact))
        .await
        .map_err(|e| e.to_string())?;
    let mut roster = String::from("symbol,number,birth_date,name_kana,name,email\n");
    let mut dependents =
        String::from("symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n");
    for i in 1..=persons {
        roster.push_str(&format!(
            "1001,{i},1980/01/01,ベンチ タロウ,ベンチ 太郎,{}\n",
            address(i)
        ));
        dependents.push_str(&format!(
            "1001,{i},1,ベンチ ハナコ,ベンチ 花子,1982/02/02,女,配偶者,2015/01/01,同居\n"
        ));
        if i % 2 == 0 {
            dependents.push_str(&format!(
                "1001,{i},2,ベンチ イチロウ,ベンチ 一郎,2010/03/03,男,子,2010/04/01,同居\n"
            ));
        }
    }
    let people = kennin::roster::parse(&roster, &code, year, today).map_err(|e| format!("{e:?}"))?;
    kennin::roster::import(store, &code, year, people, &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    kennin::dependents::import(store, &code, year, &dependents, today, &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    let opens_at = START + DAY;
    let settings = Settings {
        title: "2036年度 被扶養者資格調査".into(),
        opens_at,
        due: Day::from(japan_day(opens_at).date() + time::Duration::days(WINDOW_DAYS - 1)),
        grace_days: 0,
        reference_date: Day::from(time::Date::from_calendar_date(year, time::Month::April, 1).unwrap()),
        rules: TargetRules::default(),
        retention_days: campaign::DEFAULT_RETENTION_DAYS,
        reminders: REMINDERS.to_vec(),
        decision_mails: DecisionMails::default(),
    };
    let campaign = campaign::put(store, &code, year, settings)
        .await
        .map_err(|e| e.to_string())?;
    campaign::publish(store, &code, year, clock.unix(), &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    Ok(campaign)
}

fn code() -> InsurerCode {
    InsurerCode::parse("0801").unwrap()
}

fn address(i: usize) -> String {
    format!("p{i}@bench.example")
}

fn card(i: usize) -> (CardSymbol, CardNumber) {
    (
        CardSymbol::parse("1001").unwrap(),
        CardNumber::parse(&i.to_string()).unwrap(),
    )
}

/// Person `i` signs up: their account, and the roster row claimed by it.
async fn register(store: &dyn ItemStore, year: i32, i: usize, at: i64) -> Result<(), String> {
    let (symbol, number) = card(i);
    let account = Account {
        id: format!("account{i}"),
        user_id: UserId::parse(&format!("person{i:06}")).unwrap(),
        insurer: code(),
        year,
        symbol: symbol.clone(),
        number: number.clone(),
        name: "ベンチ 太郎".into(),
        email: Email::parse(&address(i)).unwrap(),
        password_hash: "not used".into(),
        created_at: at,
        terms_accepted: None,
        contact: None,
        session_epoch: 0,
        disabled: false,
    };
    store
        .transact(vec![
            Write::put(Account::key(&account.id), to_item(&account, None)),
            Write::update(
                RosterPerson::key(&code(), year, &symbol, &number),
                vec![Change::set(RosterPerson::CLAIMED_BY, account.id.clone())],
            ),
        ])
        .await
        .map_err(|e| e.to_string())
}

/// Person `i`'s targets, moved to `status` (only the first when `first_only`): the number moved.
async fn set_status(
    store: &dyn ItemStore,
    year: i32,
    i: usize,
    status: TargetStatus,
    first_only: bool,
    now: i64,
) -> Result<usize, String> {
    let (symbol, number) = card(i);
    let partition = Target::partition(&code(), year, &symbol, &number);
    let items = store
        .query(&partition, Target::SK_PREFIX)
        .await
        .map_err(|e| e.to_string())?;
    let take = if first_only { 1 } else { items.len() };
    let mut writes = Vec::new();
    for item in items.into_iter().take(take) {
        let target: Target = from_item(item).map_err(|e| e.to_string())?;
        let changed = Target {
            status,
            submitted_at: (status != TargetStatus::InProgress).then_some(now),
            updated_at: now,
            version: target.version + 1,
            ..target
        }
        .listed();
        writes.push((changed.own_key(), to_item(&changed, None)));
    }
    let moved = writes.len();
    store.put_many(writes).await.map_err(|e| e.to_string())?;
    Ok(moved)
}

fn sqlite(work: &Path, name: &str) -> Result<Arc<dyn ItemStore>, String> {
    let dir = work.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(Arc::new(
        SqliteStore::open(&dir.join("kennin.sqlite3")).map_err(|e| e.to_string())?,
    ))
}

fn config(rate: i64) -> Config {
    let mut config = Config::with_secret(b"bench secret of thirty-two bytes".to_vec());
    config.mail_rate_per_second = rate;
    config
}

/// `RATE_SECONDS` worth of reminder jobs at `rate` sent by `SENDERS` drains at once, through
/// moto's SES on the real clock.
async fn rate_run(work: &Path, moto: &str, rate: i64) -> Result<RateRun, String> {
    let store = sqlite(work, &format!("rate-{rate}"))?;
    let mails = usize::try_from(rate * RATE_SECONDS).unwrap();
    let campaign = union(store.as_ref(), &SystemClock, mails).await?;
    let sdk = kennin::aws::sdk_config(Some(moto)).await;
    let client = aws_sdk_sesv2::Client::new(&sdk);
    // Verified once per moto server; a second run's attempt is refused, harmlessly.
    let _ = client.create_email_identity().email_identity(SENDER).send().await;
    let mailer = Arc::new(BenchMailer {
        ses: Some(SesMailer::new(client, SENDER, None)),
        by_subject: Mutex::new(BTreeMap::new()),
        sent: AtomicUsize::new(0),
    });
    let now = SystemClock.unix();
    let mut writes = Vec::new();
    for i in 1..=mails {
        register(store.as_ref(), campaign.year, i, now).await?;
        let (symbol, number) = card(i);
        let recipient = Recipient {
            insurer: code(),
            year: campaign.year,
            symbol,
            number,
        };
        let content = MailContent::Reminder {
            title: campaign.title.clone(),
            due: campaign.due,
            days_left: 3,
        };
        let job = kennin::store::records::MailJob {
            account: Some(format!("account{i}")),
            ..jobs::job(recipient, SITE, content, now)
        };
        writes.push(jobs::queued(&job));
    }
    for chunk in writes.chunks(25) {
        store.transact(chunk.to_vec()).await.map_err(|e| e.to_string())?;
    }
    let deps = Arc::new(
        Deps::new(store.clone(), mailer.clone(), Arc::new(SystemClock), config(rate)).map_err(|e| e.to_string())?,
    );
    let started = Instant::now();
    let first_second = SystemClock.unix();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let deps = deps.clone();
            tokio::spawn(async move { jobs::drain(&deps, Instant::now() + Duration::from_secs(600)).await })
        })
        .collect();
    for sender in senders {
        sender.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let sent = mailer.sent.load(Ordering::SeqCst);
    if sent != mails {
        return Err(format!("rate {rate}: {sent} of {mails} mails sent"));
    }
    let mut per_second = BTreeMap::new();
    for second in first_second..=SystemClock.unix() {
        if let Some(item) = store.get(&SendRate::key(second)).await.map_err(|e| e.to_string())? {
            per_second.insert(second, from_item::<SendRate>(item).map_err(|e| e.to_string())?.count);
        }
    }
    let (Some(first), Some(last)) = (per_second.keys().next(), per_second.keys().last()) else {
        return Err(format!("rate {rate}: no send took a slot"));
    };
    let clock_seconds = last - first + 1;
    let busiest = per_second.values().max().copied().unwrap_or_default();
    eprintln!("mail: rate {rate}/s: {mails} mails in {clock_seconds} s of the clock, busiest second {busiest}");
    Ok(RateRun {
        configured_per_second: rate,
        senders: SENDERS,
        mails,
        seconds,
        clock_seconds,
        achieved_per_second: mails as f64 / clock_seconds as f64,
        busiest_second: busiest,
    })
}

/// What a person does, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Register,
    Submit,
    Return,
    Resubmit,
}

/// Each person's steps, drawn with a fixed seed: everyone signs up in the opening week (an upper
/// bound for reminders, which need an account); 30% submit in the first week, 65% between then
/// and the due day, 5% never; 5% of submissions are sent back two days later and answered
/// again three days after that (if the window is still open).
fn timeline(persons: usize, opens_at: i64, due_ends_at: i64) -> Vec<(i64, usize, Step)> {
    let mut rng = StdRng::seed_from_u64(17);
    let week = 7 * DAY;
    let mut steps = Vec::new();
    for i in 1..=persons {
        let registered = opens_at + rng.random_range(0..week);
        let share: f64 = rng.random();
        let submitted = if share < FIRST_WEEK {
            Some(opens_at + rng.random_range(0..week))
        } else if share < 1.0 - NEVER {
            Some(rng.random_range(opens_at + week..due_ends_at))
        } else {
            None
        };
        steps.push((submitted.map_or(registered, |at| registered.min(at)), i, Step::Register));
        if let Some(at) = submitted {
            steps.push((at, i, Step::Submit));
            if rng.random::<f64>() < RETURNED {
                let returned = at + 2 * DAY;
                if returned < due_ends_at {
                    steps.push((returned, i, Step::Return));
                    if returned + 3 * DAY < due_ends_at {
                        steps.push((returned + 3 * DAY, i, Step::Resubmit));
                    }
                }
            }
        }
    }
    steps.sort();
    steps
}

/// The whole campaign on a moved clock: the people's steps as they fall due, the schedule run
/// every hour from before the opening to a day after the due day, every mail counted.
async fn simulate_campaign(work: &Path, persons: usize) -> Result<CampaignMails, String> {
    let started = std::time::Instant::now();
    let store = sqlite(work, "campaign")?;
    let clock = Arc::new(ManualClock::starting_at(START));
    let campaign = union(store.as_ref(), clock.as_ref(), persons).await?;
    let mailer = Arc::new(BenchMailer {
        ses: None,
        by_subject: Mutex::new(BTreeMap::new()),
        sent: AtomicUsize::new(0),
    });
    let deps = Deps::new(
        store.clone(),
        mailer.clone(),
        clock.clone(),
        config(kennin::config::DEFAULT_MAIL_RATE_PER_SECOND),
    )
    .map_err(|e| e.to_string())?;
    let end = campaign.due_ends_at() + DAY;
    let steps = timeline(persons, campaign.opens_at, campaign.due_ends_at());
    let mut next_step = 0;
    let (mut receipts, mut returns, mut targets_submitted, mut runs) = (0, 0, 0, 0);
    let mut hour = START;
    while hour < end {
        if clock.unix() < hour {
            clock.advance(hour - clock.unix());
        }
        while let Some(&(at, i, step)) = steps.get(next_step).filter(|(at, ..)| *at <= hour) {
            let year = campaign.year;
            match step {
                Step::Register => register(store.as_ref(), year, i, at).await?,
                Step::Submit => {
                    let moved = set_status(store.as_ref(), year, i, TargetStatus::Submitted, false, at).await?;
                    receipts += moved;
                    targets_submitted += moved;
                }
                Step::Return => {
                    set_status(store.as_ref(), year, i, TargetStatus::Returned, true, at).await?;
                    returns += 1;
                }
                Step::Resubmit => {
                    receipts += set_status(store.as_ref(), year, i, TargetStatus::Submitted, true, at).await?
                }
            }
            next_step += 1;
        }
        schedule::run(&deps, SITE, Instant::now() + Duration::from_secs(600))
            .await
            .map_err(|e| e.to_string())?;
        runs += 1;
        hour += HOUR;
    }
    let targets = persons + persons / 2;
    let scheduled = mailer.by_subject.lock().unwrap().clone();
    eprintln!("mail: campaign of {persons} persons: {scheduled:?}, {receipts} receipts, {returns} returns");
    Ok(CampaignMails {
        persons,
        targets,
        window_days: WINDOW_DAYS,
        reminders: REMINDERS.to_vec(),
        schedule_runs: runs,
        scheduled,
        receipts,
        returns,
        removals: REMOVED * targets_submitted as f64,
        simulated_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The SES line of the bill, per person and for the billed union.
pub fn ses_usd(campaign: &CampaignMails) -> f64 {
    campaign.per_person() * BILLED_PERSONS * SES_USD_PER_MAIL
}

pub fn markdown(report: &MailReport) -> String {
    let mut out = format!("{HEADING}\n\n");
    out.push_str(&format!(
        "Sending: reminder jobs for {RATE_SECONDS} seconds' worth at each configured rate (`KENNIN_MAIL_RATE`), \
         sent by {SENDERS} schedule runs side by side (as overlapping invocations) through moto's SES v2 on the \
         real clock, from the embedded store. The busiest second is read from the limiter's own counters \
         (`SendRate`), which every sender shares.\n\n\
         | configured rate | mails | seconds of the clock | achieved | busiest second |\n|--:|--:|--:|--:|--:|\n"
    ));
    for run in &report.rates {
        out.push_str(&format!(
            "| {}/s | {} | {} | {}/s | {} |\n",
            run.configured_per_second,
            run.mails,
            run.clock_seconds,
            fmt(run.achieved_per_second),
            run.busiest_second
        ));
    }
    let c = &report.campaign;
    out.push_str(&format!(
        "\nA campaign's mails: the schedule itself (`schedule::run`, as the hourly function runs it) every hour of \
         a moved clock over a simulated campaign of {} persons with {} dependents to answer for, a window of {} \
         days and the reminders {:?} (days before the due day): every person has a roster address and gets the \
         invitation at opening; everyone signs up in the opening week (an upper bound: reminders go only to \
         registered addresses); {:.0}% submit in the first week, {:.0}% later up to the due day, {:.0}% never; \
         {:.0}% of submissions are sent back and answered again three days later; {:.0}% of dependents are removed \
         with a mail (an assumption; 継続 is not mailed, the default); {} hourly runs of the schedule.\n\n\
         | mail | count | per person |\n|---|--:|--:|\n",
        c.persons,
        c.targets,
        c.window_days,
        c.reminders,
        FIRST_WEEK * 100.0,
        (1.0 - FIRST_WEEK - NEVER) * 100.0,
        NEVER * 100.0,
        RETURNED * 100.0,
        REMOVED * 100.0,
        c.schedule_runs,
    ));
    let persons = c.persons as f64;
    // The invitation first, then the reminders as they go out (fewer each time).
    let mut scheduled: Vec<_> = c.scheduled.iter().collect();
    scheduled.sort_by_key(|(_, count)| std::cmp::Reverse(**count));
    for (subject, count) in scheduled {
        out.push_str(&format!(
            "| {subject} (schedule) | {count} | {} |\n",
            fmt(*count as f64 / persons)
        ));
    }
    for (what, count) in [
        ("提出を受け付けました (on each submission)", c.receipts as f64),
        ("調査票が差し戻されました", c.returns as f64),
        ("削除のお知らせ (assumed share)", c.removals),
    ] {
        out.push_str(&format!("| {what} | {} | {} |\n", fmt(count), fmt(count / persons)));
    }
    let receipts = c.receipts as f64 / persons;
    out.push_str(&format!(
        "| **all** | | **{}** |\n\nSES at US$0.10 per 1,000 mails: **US${:.2} per 100,000 persons** for the \
         survey's mails (the bill's SES line \"the survey's mails\"). Every mail a person gets costs US$10 per \
         100,000 persons, so mail alone is over the whole bill's US$20. The receipt is sent per dependent's form \
         ({} a person); one receipt per sitting, listing every form submitted in it, would save about US${:.0}; \
         the invitation goes only to roster addresses (unions that hand out leaflets instead send none); the \
         reminders are the issue's five and a union may set fewer.\n",
        fmt(c.per_person()),
        ses_usd(c),
        fmt(receipts),
        (receipts - 1.0).max(0.0) * BILLED_PERSONS * SES_USD_PER_MAIL
    ));
    out
}
