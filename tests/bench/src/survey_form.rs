//! The survey form (調査票) against DynamoDB Local through kennin-local: each person of the bench's
//! union, after the first login, answers for two dependents (a spouse living together with a
//! part-time job, a mother living apart on a pension with a remittance) section by section, ten
//! saves each, submits each once, and reads the top page (with the survey) and the forms as the portal does. The
//! save and submit steps' latency goes next to their DynamoDB round trips (the engine's own
//! `kennin::dynamodb` events, matched by request ID, as in the steps part), and a whole survey's
//! capacity units are summed per person.

use crate::local::{self, Client, Engine, Local, Reply};
use crate::machine;
use crate::stats::{fmt, median, quantile};
use crate::steps::{self, RoundTrip};
use kennin::campaign::{self, Settings};
use kennin::clock::{Clock, SystemClock};
use kennin::console::staff::{self, NewStaffInput};
use kennin::dependents;
use kennin::domain::{Day, InsurerCode};
use kennin::http::STAFF_COOKIE;
use kennin::mail::outbox::Outbox;
use kennin::second_factor::TotpSecret;
use kennin::store::ItemStore;
use kennin::store::records::{Insurer, TargetRules, from_item};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use time::{Date, Duration, Month, OffsetDateTime};

/// The measured steps: (name, route, per survey of a person with two dependents).
pub const STEPS: [(&str, &str, u32); 5] = [
    ("top page with the survey", steps::TOP_PAGE, 2),
    ("form", "GET /api/survey/targets/{id}", 4),
    ("documents list", "GET /api/survey/targets/{id}/documents", 4),
    ("save", "PUT /api/survey/targets/{id}/answers", 2 * SAVES_PER_DEPENDENT),
    ("submit", "POST /api/survey/targets/{id}/submit", 2),
];
/// The staff's review of each submission, as a reviewer works in the console: the list of
/// submitted targets, the target's page, and the decision (継続). Each writes its audit entry
/// (the list and the page because they show persons' names; the decision in its transaction).
pub const REVIEW_STEPS: [(&str, &str, u32); 3] = [
    ("staff list", "GET /api/admin/targets", 1),
    ("staff detail", "GET /api/admin/targets/{id}", 1),
    ("decision", "POST /api/admin/targets/{id}/decision", 1),
];
const LIST: usize = 0;
const DETAIL: usize = 1;
const DECISION: usize = 2;
const REVIEWER_EMAIL: &str = "reviewer@bench.example.com";
const REVIEWER_PASSWORD: &str = "bench-Review-Kq7mZ2vLp9-wide";

const TOP: usize = 0;
const FORM: usize = 1;
const DOCUMENTS: usize = 2;
const SAVE: usize = 3;
const SUBMIT: usize = 4;

pub const SAVES_PER_DEPENDENT: u32 = 10;
/// The dependents each person answers for.
pub const DEPENDENTS: u32 = 2;

/// The answers as the portal saves them on leaving each section, one change at a time, the
/// last a correction after reading the pre-check: each entry is merged into the answers so far.
fn spouse_saves() -> [(&'static str, Value); SAVES_PER_DEPENDENT as usize] {
    [
        ("living", json!("together")),
        ("occupation", json!("part_time")),
        ("incomes", json!([{"kind": "wages", "amount": 80_000, "per": "month"}])),
        ("incomes", json!([{"kind": "wages", "amount": 85_000, "per": "month"}])),
        (
            "incomes",
            json!([{"kind": "wages", "amount": 85_000, "per": "month"}, {"kind": "bonus", "amount": 100_000, "per": "year"}]),
        ),
        ("disabled", json!(false)),
        ("otherInsurance", json!("none")),
        ("residence", json!("japan")),
        ("continuation", json!("continue")),
        (
            "incomes",
            json!([{"kind": "wages", "amount": 86_000, "per": "month"}, {"kind": "bonus", "amount": 100_000, "per": "year"}]),
        ),
    ]
}

fn mother_saves() -> [(&'static str, Value); SAVES_PER_DEPENDENT as usize] {
    [
        ("living", json!("apart")),
        ("apartReason", json!("separate_household")),
        (
            "apartAddress",
            json!({"postalCode": "9800811", "address": "宮城県仙台市青葉区一番町1-1"}),
        ),
        ("occupation", json!("pensioner")),
        (
            "incomes",
            json!([{"kind": "pension_old_age", "amount": 90_000, "per": "month"}]),
        ),
        (
            "remittance",
            json!({"monthlyAmount": 50_000, "method": "bank_transfer", "since": "2020-04"}),
        ),
        ("otherInsurance", json!("none")),
        ("residence", json!("japan")),
        ("continuation", json!("continue")),
        (
            "remittance",
            json!({"monthlyAmount": 60_000, "method": "bank_transfer", "since": "2020-04"}),
        ),
    ]
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct FormStep {
    pub step: String,
    pub route: String,
    /// Requests of this step in one person's whole survey.
    pub per_survey: u32,
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub round_trips: usize,
    pub operations: String,
    /// Written as a sum by runs before side-by-side calls were told apart.
    #[serde(alias = "dynamodb_sum_p50_ms")]
    pub dynamodb_wait_p50_ms: f64,
    /// Written as a sum by runs before side-by-side calls were told apart.
    #[serde(alias = "dynamodb_sum_p95_ms")]
    pub dynamodb_wait_p95_ms: f64,
    /// Median over requests of (step time / its time waiting on DynamoDB).
    pub ratio_p50: f64,
    /// Median over requests of (step time − its time waiting on DynamoDB).
    pub own_p50_ms: f64,
    pub read_units: f64,
    pub write_units: f64,
}

/// One person's whole survey: every request above, summed per person, median over persons.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct WholeSurvey {
    pub dependents: u32,
    pub requests: u32,
    pub round_trips: f64,
    pub read_units: f64,
    pub write_units: f64,
    /// The time of its requests one after another, as the person waits for them.
    pub elapsed_ms: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SurveyFormReport {
    pub measured_at: String,
    pub load_before: String,
    pub engine: String,
    pub persons: u32,
    pub warm_up_persons: u32,
    pub steps: Vec<FormStep>,
    pub survey: WholeSurvey,
    /// The staff's review, per dependent (`per_survey` is per submission); absent from runs
    /// before it was measured.
    #[serde(default)]
    pub review: Vec<FormStep>,
}

impl SurveyFormReport {
    pub fn step(&self, route: &str) -> Option<&FormStep> {
        self.steps.iter().chain(&self.review).find(|s| s.route == route)
    }
}

/// The dependents file of the bench's union: a spouse living together and a mother living
/// apart for each of its `people` persons.
fn dependents_csv(people: u32, reference: Date) -> String {
    let year = reference.year();
    let mut csv =
        String::from("symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living\n");
    for number in 1..=people {
        let symbol = local::SYMBOL;
        csv.push_str(&format!(
            "{symbol},{number},1,ベンチ ハナコ,弁地 花子,{}/05/10,女,配偶者,{}/04/01,同居\n",
            year - 44,
            year - 16
        ));
        csv.push_str(&format!(
            "{symbol},{number},2,ベンチ ウメ,弁地 梅,{}/03/03,女,母,{}/04/01,別居\n",
            year - 70,
            year - 6
        ));
    }
    csv
}

/// The bench union's campaign of the year, open from today's start in Japan for 30 days,
/// published: every dependent is a target.
pub(crate) async fn open_campaign(store: &dyn ItemStore, people: u32) -> Result<(), String> {
    let code = InsurerCode::parse(local::INSURER).map_err(|e| e.to_string())?;
    let today = SystemClock.today_in_japan();
    // The roster is the year's of today (local::Local imports it so); ages count on April 1.
    let year = today.year();
    let reference = Date::from_calendar_date(year, Month::April, 1).map_err(|e| e.to_string())?;
    dependents::import(
        store,
        &code,
        year,
        &dependents_csv(people, reference),
        today,
        &mut |_| {},
    )
    .await
    .map_err(|e| e.to_string())?;
    let opening = format!("{}T00:00", Day::from(today).iso());
    let settings = Settings {
        title: "ベンチ調査".into(),
        opens_at: campaign::parse_opening(&opening).map_err(|e| e.to_string())?,
        due: Day::from(today + Duration::days(30)),
        grace_days: 0,
        reference_date: Day::from(reference),
        rules: TargetRules::default(),
        retention_days: campaign::DEFAULT_RETENTION_DAYS,
        reminders: Vec::new(),
        decision_mails: kennin::store::records::DecisionMails::default(),
    };
    settings.check().map_err(|e| e.to_string())?;
    campaign::put(store, &code, year, settings)
        .await
        .map_err(|e| e.to_string())?;
    campaign::publish(store, &code, year, SystemClock.unix(), &mut |_| {})
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

struct Sample {
    step: usize,
    person: u32,
    elapsed_ms: f64,
    request_id: String,
}

/// `reply`, which must be a 200, noted as a sample of `step` for `person`: its body.
fn recorded(samples: &mut Vec<Sample>, step: usize, person: u32, reply: Reply, what: &str) -> Result<Value, String> {
    let reply = steps::expect(reply, 200, what)?;
    samples.push(Sample {
        step,
        person,
        elapsed_ms: reply.elapsed.as_secs_f64() * 1000.0,
        request_id: reply.request_id,
    });
    Ok(reply.body)
}

/// One person's survey, after the first login; every request's time goes to `samples`.
async fn survey(client: &Client, outbox: &Path, person: u32, samples: &mut Vec<Sample>) -> Result<(), String> {
    let ip = steps::address_of(person);
    let session = steps::first_login(client, outbox, person, &ip, &mut |_, _| {}).await?;
    let session = Some(session.as_str());
    let top_page = steps::top_page_path();
    let mut record = |step: usize, reply: Reply, what: &str| recorded(samples, step, person, reply, what);
    let top = record(TOP, client.send("GET", top_page, None, session, &ip).await?, "top page")?;
    let targets: Vec<(String, String)> = top["survey"]["targets"]
        .as_array()
        .ok_or("no targets in the survey")?
        .iter()
        .filter_map(|t| Some((t["id"].as_str()?.to_string(), t["relationship"].as_str()?.to_string())))
        .collect();
    if targets.len() != DEPENDENTS as usize {
        return Err(format!("{} targets, expected {DEPENDENTS}: {top}", targets.len()));
    }
    for (id, relationship) in targets {
        let path = format!("/api/survey/targets/{id}");
        let documents = format!("{path}/documents");
        let form = record(FORM, client.send("GET", &path, None, session, &ip).await?, "form")?;
        let listed = client.send("GET", &documents, None, session, &ip).await?;
        record(DOCUMENTS, listed, "documents list")?;
        let mut version = form["version"].clone();
        let saves = if relationship == "配偶者" {
            spouse_saves()
        } else {
            mother_saves()
        };
        let mut answers = serde_json::Map::new();
        for (key, value) in saves {
            answers.insert(key.into(), value);
            let body = json!({ "version": version, "answers": answers });
            let saved = client
                .send("PUT", &format!("{path}/answers"), Some(body), session, &ip)
                .await?;
            version = record(SAVE, saved, "save")?["version"].clone();
        }
        let body = json!({ "version": version, "documentsConfirmed": true });
        let submitted = client
            .send("POST", &format!("{path}/submit"), Some(body), session, &ip)
            .await?;
        let submitted = record(SUBMIT, submitted, "submit")?;
        if submitted["status"] != "submitted" {
            return Err(format!("submit: {submitted}"));
        }
        record(FORM, client.send("GET", &path, None, session, &ip).await?, "form")?;
        let listed = client.send("GET", &documents, None, session, &ip).await?;
        record(DOCUMENTS, listed, "documents list")?;
    }
    record(TOP, client.send("GET", top_page, None, session, &ip).await?, "top page")?;
    Ok(())
}

/// A reviewer of the bench's union, invited as kennin-admin invites, enrolled with the
/// authenticator's code and signed in with one of the recovery codes shown at enrolment (the
/// enrolment used this 30-second step's code, and a code works once): the staff cookie
/// (`name=value`).
async fn reviewer_signed_in(
    store: &dyn ItemStore,
    client: &Client,
    site: &str,
    work_dir: &Path,
) -> Result<String, String> {
    let code = InsurerCode::parse(local::INSURER).map_err(|e| e.to_string())?;
    let item = store
        .get(&Insurer::key(&code))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the bench's union is not in the store")?;
    let insurer: Insurer = from_item(item).map_err(|e| e.to_string())?;
    let mailer = Outbox::new(work_dir.join("staff-outbox"), "bench@example.com");
    let input = NewStaffInput {
        email: REVIEWER_EMAIL.into(),
        name: "審査 花子".into(),
        role: "reviewer".into(),
    };
    let invited = staff::add_member(store, &mailer, &insurer, &input, site, None, SystemClock.unix())
        .await
        .map_err(|e| format!("adding the reviewer: {e:?}"))?;
    let token = invited
        .link
        .split_once('#')
        .ok_or("no token in the invitation's link")?
        .1;
    let ip = steps::address_of(0);
    let accept = json!({ "token": token, "password": REVIEWER_PASSWORD });
    let accepted = client
        .send("POST", "/api/admin/invitation/accept", Some(accept), None, &ip)
        .await?;
    let accepted = steps::expect(accepted, 200, "accepting the invitation")?;
    let secret = accepted.body["otpauthUri"]
        .as_str()
        .and_then(|uri| uri.split(['?', '&']).find_map(|part| part.strip_prefix("secret=")))
        .and_then(TotpSecret::from_base32)
        .ok_or("no TOTP secret in the enrolment")?;
    let now = u64::try_from(SystemClock.unix()).map_err(|e| e.to_string())?;
    let confirm = json!({ "token": token, "code": secret.code_at(now) });
    let enrolled = client
        .send("POST", "/api/admin/invitation/totp", Some(confirm), None, &ip)
        .await?;
    let enrolled = steps::expect(enrolled, 200, "enrolling the authenticator")?;
    let recovery_code = enrolled.body["recoveryCodes"][0]
        .as_str()
        .ok_or("no recovery codes at enrolment")?;
    let sign_in = json!({ "email": REVIEWER_EMAIL, "password": REVIEWER_PASSWORD, "code": recovery_code });
    let signed_in = client
        .send("POST", "/api/admin/session", Some(sign_in), None, &ip)
        .await?;
    let signed_in = steps::expect(signed_in, 200, "the reviewer's sign-in")?;
    let token = signed_in.cookie(STAFF_COOKIE).ok_or("no staff session cookie")?;
    Ok(format!("{STAFF_COOKIE}={token}"))
}

/// The reviewer decides every submission, one at a time as in the console: the list of the
/// submitted, the first of them, its decision. The n-th decision counts for person n ÷ 2 + 1
/// (so that the warm-up's are left out like the survey's).
async fn review(client: &Client, cookie: &str, submissions: u32, samples: &mut Vec<Sample>) -> Result<(), String> {
    let ip = steps::address_of(0);
    for decided in 0..submissions {
        let person = decided / DEPENDENTS + 1;
        let mut record = |step: usize, reply: Reply, what: &str| recorded(samples, step, person, reply, what);
        let list = client
            .send("GET", "/api/admin/targets?status=submitted", None, Some(cookie), &ip)
            .await?;
        let list = record(LIST, list, "the staff's list")?;
        let reference = list["targets"][0]["ref"]
            .as_str()
            .ok_or(format!("{decided} decided, none submitted left: {list}"))?
            .to_string();
        let path = format!("/api/admin/targets/{reference}");
        let detail = record(
            DETAIL,
            client.send("GET", &path, None, Some(cookie), &ip).await?,
            "a target's page",
        )?;
        let decision = json!({ "outcome": "continue", "version": detail["version"] });
        let decided = client
            .send("POST", &format!("{path}/decision"), Some(decision), Some(cookie), &ip)
            .await?;
        record(DECISION, decided, "a decision")?;
    }
    Ok(())
}

pub async fn run(
    binary: &Path,
    endpoint: &str,
    work_dir: &Path,
    persons: u32,
    warm_up: u32,
) -> Result<SurveyFormReport, String> {
    let engine = Engine::Dynamo {
        endpoint: endpoint.to_string(),
        table: local::fresh_table("survey-form"),
    };
    let result = measure(binary, &engine, work_dir, persons, warm_up).await;
    engine.discard().await;
    result
}

async fn measure(
    binary: &Path,
    engine: &Engine,
    work_dir: &Path,
    persons: u32,
    warm_up: u32,
) -> Result<SurveyFormReport, String> {
    let now = OffsetDateTime::now_utc();
    let load_before = machine::load_now();
    let people = persons + warm_up;
    let runner = Local::start(binary, engine, work_dir, people, "info,kennin::dynamodb=debug").await?;
    let store = engine.reopen(&runner.data_dir).await?;
    open_campaign(store.as_ref(), people).await?;
    let client = Client::new(&runner.base);
    let mut samples = Vec::new();
    for person in 1..=people {
        survey(&client, &runner.outbox, person, &mut samples).await?;
    }
    let reviewer = reviewer_signed_in(store.as_ref(), &client, &runner.base, work_dir).await?;
    let mut review_samples = Vec::new();
    review(&client, &reviewer, people * DEPENDENTS, &mut review_samples).await?;
    // The runner writes each line as it happens; give the last ones a moment to land.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (trips, _) = steps::round_trips_by_request(&runner.log)?;
    drop(runner);
    let samples: Vec<Sample> = samples.into_iter().filter(|s| s.person > warm_up).collect();

    let review_samples: Vec<Sample> = review_samples.into_iter().filter(|s| s.person > warm_up).collect();
    let no_trips = Vec::new();
    let calls_of = |sample: &Sample| trips.get(&sample.request_id).unwrap_or(&no_trips);
    let figures = step_figures(&STEPS, &samples, &calls_of);
    let review = step_figures(&REVIEW_STEPS, &review_samples, &calls_of);

    let measured: BTreeSet<u32> = samples.iter().map(|s| s.person).collect();
    let mut per_person: HashMap<u32, (f64, f64, f64, f64)> = HashMap::new();
    for sample in &samples {
        let calls = calls_of(sample);
        let entry = per_person.entry(sample.person).or_default();
        entry.0 += steps::rounds(calls).len() as f64;
        entry.1 += calls.iter().map(|c| c.read_units).sum::<f64>();
        entry.2 += calls.iter().map(RoundTrip::billed_write_units).sum::<f64>();
        entry.3 += sample.elapsed_ms;
    }
    let over_persons = |pick: fn(&(f64, f64, f64, f64)) -> f64| {
        median(&measured.iter().map(|p| pick(&per_person[p])).collect::<Vec<_>>())
    };
    Ok(SurveyFormReport {
        measured_at: machine::minute(now),
        load_before,
        engine: engine.label().to_string(),
        persons,
        warm_up_persons: warm_up,
        steps: figures,
        review,
        survey: WholeSurvey {
            dependents: DEPENDENTS,
            requests: STEPS.iter().map(|s| s.2).sum(),
            round_trips: over_persons(|t| t.0),
            read_units: over_persons(|t| t.1),
            write_units: over_persons(|t| t.2),
            elapsed_ms: over_persons(|t| t.3),
        },
    })
}

/// Each step's figures from its samples (`Sample::step` indexes `steps`).
fn step_figures<'a>(
    steps: &[(&str, &str, u32)],
    samples: &[Sample],
    calls_of: &dyn Fn(&Sample) -> &'a Vec<RoundTrip>,
) -> Vec<FormStep> {
    let mut figures = Vec::new();
    for (index, (step, route, per_survey)) in steps.iter().enumerate() {
        let mine: Vec<&Sample> = samples.iter().filter(|s| s.step == index).collect();
        let (mut elapsed, mut waits, mut ratios, mut own, mut reads, mut writes) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut counts, mut signatures) = (vec![], vec![]);
        for sample in &mine {
            let calls = calls_of(sample);
            let sum = steps::waited_ms(calls);
            elapsed.push(sample.elapsed_ms);
            waits.push(sum);
            if sum > 0.0 {
                ratios.push(sample.elapsed_ms / sum);
            }
            own.push(sample.elapsed_ms - sum);
            reads.push(calls.iter().map(|c| c.read_units).sum());
            writes.push(calls.iter().map(RoundTrip::billed_write_units).sum());
            counts.push(steps::rounds(calls).len());
            signatures.push(steps::signature(calls));
        }
        figures.push(FormStep {
            step: step.to_string(),
            route: route.to_string(),
            per_survey: *per_survey,
            samples: mine.len(),
            p50_ms: median(&elapsed),
            p95_ms: quantile(&elapsed, 0.95),
            round_trips: steps::mode(counts).unwrap_or(0),
            operations: steps::mode(signatures).unwrap_or_default(),
            dynamodb_wait_p50_ms: median(&waits),
            dynamodb_wait_p95_ms: quantile(&waits, 0.95),
            ratio_p50: median(&ratios),
            own_p50_ms: median(&own),
            read_units: median(&reads),
            write_units: median(&writes),
        });
    }
    figures
}

pub const HEADING: &str = "## The survey form: save, submit and review";

pub fn markdown(report: &SurveyFormReport) -> String {
    let mut out = format!("{HEADING}\n\n");
    out.push_str(&format!(
        "Measured on {} (load average before: {}) by `kennin-bench survey-form`: kennin-local (release) on {}, one \
         client, one request at a time on a kept-alive connection. Each of {} persons (after {} warm-up persons) \
         logs in for the first time, then answers the survey as the portal sends it: the top page (with the survey), and for each of \
         two dependents (a spouse living together with a part-time job; a mother living apart on a pension, with \
         a remittance) the form and its documents' list, {} saves (one section or correction each, the answers so far sent whole with \
         the version of the last save), the submit, and the form and its list again; the top page once more at the end. Round \
         trips and capacity units are the engine's own `kennin::dynamodb` events matched by request ID, as in the \
         steps section; a transaction's writes are counted at 2 units per item as DynamoDB bills them. The form's \
         reads (session, then the target, the campaign and the union's documents table) run side by side (∥): one \
         round trip, its \"DynamoDB wait\" from the first's start to the last's end. Times in ms.\n\n",
        report.measured_at,
        report.load_before,
        report.engine,
        report.persons,
        report.warm_up_persons,
        SAVES_PER_DEPENDENT
    ));
    out.push_str(&step_table(&report.steps, "per survey"));
    let whole = &report.survey;
    out.push_str(&format!(
        "\nA whole survey (one person, {} dependents, {} requests; the first login not included; median over \
         persons): {} round trips, **{} RRU + {} WRU**, {} ms of requests. These figures go into the bill.\n",
        whole.dependents,
        whole.requests,
        fmt(whole.round_trips),
        fmt(whole.read_units),
        fmt(whole.write_units),
        fmt(whole.elapsed_ms)
    ));
    if !report.review.is_empty() {
        out.push_str(&format!(
            "\nThe staff's review, after the surveys: a reviewer of the union (invited, enrolled with the \
             authenticator, signed in) decides every submission one at a time, as in the console: the list of \
             the submitted (`status=submitted`, the console's first page of up to 50), the first of them, and \
             its decision (継続, with the version read). Every one of the three writes an audit entry: the list \
             and the page before answering (they show persons' names), the decision in its own transaction. \
             The figures leave out the first {} persons' decisions, like the survey's. The bench's union has {} \
             targets, so the list reads fewer than a full page in a real union.\n\n",
            report.warm_up_persons,
            (report.persons + report.warm_up_persons) * DEPENDENTS
        ));
        out.push_str(&step_table(&report.review, "per submission"));
    }
    out
}

/// The steps' table, its third column headed `per`.
fn step_table(figures: &[FormStep], per: &str) -> String {
    let mut out = format!(
        "| step | route | {per} | n | p50 | p95 | round trips | calls | DynamoDB wait p50 | wait p95 | step ÷ wait (p50) \
         | kennin's own p50 | RRU | WRU |\n"
    );
    out.push_str("|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|\n");
    for s in figures {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            s.step,
            s.route,
            s.per_survey,
            s.samples,
            fmt(s.p50_ms),
            fmt(s.p95_ms),
            s.round_trips,
            s.operations,
            fmt(s.dynamodb_wait_p50_ms),
            fmt(s.dynamodb_wait_p95_ms),
            fmt(s.ratio_p50),
            fmt(s.own_p50_ms),
            s.read_units,
            s.write_units,
        ));
    }
    out
}
