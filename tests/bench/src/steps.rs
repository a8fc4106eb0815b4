//! Warm per-step latency against DynamoDB Local, next to the DynamoDB round trips each step
//! makes (from the engine's own `kennin::dynamodb` debug events, matched by request ID) and the
//! capacity units they consumed.

use crate::local::{self, Client, Engine, Local, Reply};
use crate::stats::{fmt, median, quantile};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The top page as the portal asks for it: who is logged in, the notices and the survey.
pub const TOP_PAGE: &str = "GET /api/me?include=survey";

/// The top page's address, without the method.
pub fn top_page_path() -> &'static str {
    TOP_PAGE.trim_start_matches("GET ")
}

/// The measured steps, in the order a person meets them.
pub const STEPS: [(&str, &str, bool); 13] = [
    ("identity ①", "POST /api/signup/identity", false),
    ("account ②", "POST /api/signup/account", true),
    ("code ③", "POST /api/signup/code", false),
    ("login ④", "POST /api/session", true),
    ("terms ⑤", "GET /api/terms", false),
    ("accept terms ⑤", "POST /api/me/terms", false),
    ("contact ⑤", "PUT /api/me/contact", false),
    ("top page", TOP_PAGE, false),
    ("notices", "GET /api/notices", false),
    ("contact read", "GET /api/me/contact", false),
    ("plain top page", "GET /api/me", false),
    ("sessions list", "GET /api/me/sessions", false),
    ("logout", "DELETE /api/session", false),
];

#[derive(Deserialize)]
struct LogLine {
    /// When the line was written: the end of the call it reports (RFC 3339, microseconds).
    timestamp: Option<String>,
    message: Option<String>,
    operation: Option<String>,
    items: Option<u64>,
    elapsed_us: Option<u64>,
    read_units: Option<f64>,
    write_units: Option<f64>,
    span: Option<LogSpan>,
}

#[derive(Deserialize)]
struct LogSpan {
    request_id: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct RoundTrip {
    pub(crate) operation: String,
    pub(crate) items: u64,
    pub(crate) elapsed_ms: f64,
    /// The call's end in unix microseconds, from the log line's timestamp.
    pub(crate) ended_us: i64,
    pub(crate) read_units: f64,
    pub(crate) write_units: f64,
}

/// Slack for the time between a call's end and its log line: a call that starts less than this
/// before another's logged end still followed it.
const LOGGING_SLACK_US: i64 = 200;

/// A request's calls in rounds: calls sent side by side (each started before any of the others
/// ended) make one round trip; the rounds in the order they went out.
pub(crate) fn rounds(calls: &[RoundTrip]) -> Vec<Vec<&RoundTrip>> {
    let mut by_start: Vec<&RoundTrip> = calls.iter().collect();
    by_start.sort_by_key(|c| c.started_us());
    let mut rounds: Vec<Vec<&RoundTrip>> = Vec::new();
    for call in by_start {
        match rounds.last_mut() {
            Some(round)
                if round
                    .iter()
                    .map(|c| c.ended_us)
                    .min()
                    .is_some_and(|first_end| call.started_us() + LOGGING_SLACK_US < first_end) =>
            {
                round.push(call)
            }
            _ => rounds.push(vec![call]),
        }
    }
    rounds
}

/// The request's time waiting on DynamoDB: each round from its first start to its last end.
pub(crate) fn waited_ms(calls: &[RoundTrip]) -> f64 {
    rounds(calls)
        .iter()
        .map(|round| {
            let start = round.iter().map(|c| c.started_us()).min().unwrap_or(0);
            let end = round.iter().map(|c| c.ended_us).max().unwrap_or(0);
            (end - start) as f64 / 1000.0
        })
        .sum()
}

/// The rounds as `A → B ∥ C → D`: side-by-side calls joined by ∥, in a stable order.
pub(crate) fn signature(calls: &[RoundTrip]) -> String {
    rounds(calls)
        .iter()
        .map(|round| {
            let mut labels: Vec<String> = round.iter().map(|c| c.label()).collect();
            labels.sort();
            labels.join(" ∥ ")
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

impl RoundTrip {
    fn started_us(&self) -> i64 {
        self.ended_us - (self.elapsed_ms * 1000.0).round() as i64
    }

    pub(crate) fn label(&self) -> String {
        if self.operation == "TransactWriteItems" {
            format!("TransactWriteItems({})", self.items)
        } else {
            self.operation.clone()
        }
    }

    /// Units as DynamoDB bills them: a transactional write costs 2 units per item (and KB),
    /// whatever an emulator reports.
    pub(crate) fn billed_write_units(&self) -> f64 {
        if self.operation == "TransactWriteItems" {
            self.write_units.max(2.0 * self.items as f64)
        } else {
            self.write_units
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct StepFigures {
    pub step: String,
    pub route: String,
    pub hashing: bool,
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub round_trips: usize,
    pub operations: String,
    /// Written as a sum by runs before side-by-side calls were told apart.
    #[serde(alias = "dynamodb_sum_p50_ms")]
    pub dynamodb_wait_p50_ms: f64,
    /// Written as a sum by runs before side-by-side calls were told apart.
    #[serde(alias = "dynamodb_sum_p99_ms")]
    pub dynamodb_wait_p99_ms: f64,
    /// Median over requests of (step time / its time waiting on DynamoDB, `waited_ms`).
    pub ratio_p50: f64,
    /// Median over requests of (step time − its time waiting on DynamoDB).
    pub own_p50_ms: f64,
    pub read_units: f64,
    pub write_units: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Capacity {
    pub read_units: f64,
    pub write_units: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct StepsReport {
    pub engine: String,
    pub persons: u32,
    pub warm_up_persons: u32,
    pub repeats: u32,
    pub steps: Vec<StepFigures>,
    pub signup: Capacity,
    pub login: Capacity,
    pub top_page: Capacity,
    /// What the emulator reported for a transaction's write units, per item (DynamoDB bills 2).
    pub emulator_transaction_units_per_item: f64,
    /// Mails the runner wrote per person over the whole journey.
    pub mails_per_person: f64,
    /// Bytes of the production (info) log lines per request, for the CloudWatch Logs bill.
    pub log_bytes_per_request: f64,
}

struct Sample {
    step: usize,
    person: u32,
    elapsed_ms: f64,
    request_id: String,
}

pub(crate) fn expect(reply: Reply, status: u16, what: &str) -> Result<Reply, String> {
    if reply.status == status {
        Ok(reply)
    } else {
        Err(format!(
            "{what}: expected {status}, got {} {}",
            reply.status, reply.body
        ))
    }
}

/// A person of the bench's roster through the whole first login ① → ⑤, each reply handed to
/// `record` with its index in `STEPS`; answers the session cookie (`name=value`).
pub(crate) async fn first_login(
    client: &Client,
    outbox: &Path,
    person: u32,
    ip: &str,
    record: &mut dyn FnMut(usize, &Reply),
) -> Result<String, String> {
    let user_id = user_id_of(person);
    let email = format!("bench{person}@example.com");
    let identity = json!({
        "insurerCode": local::INSURER, "symbol": local::SYMBOL, "number": person.to_string(),
        "birthDate": local::BIRTH_DATE, "nameKana": local::NAME_KANA,
    });
    let reply = client
        .send("POST", "/api/signup/identity", Some(identity), None, ip)
        .await?;
    let reply = expect(reply, 200, "identity")?;
    record(0, &reply);
    let flow = format!(
        "{}={}",
        kennin::http::SIGNUP_COOKIE,
        reply.cookie(kennin::http::SIGNUP_COOKIE).ok_or("no flow cookie")?
    );
    let account = json!({ "userId": user_id, "password": local::PASSWORD, "email": email });
    let reply = client
        .send("POST", "/api/signup/account", Some(account), Some(&flow), ip)
        .await?;
    record(1, &expect(reply, 200, "account")?);
    let code = local::take_code(outbox, &email)?;
    let reply = client
        .send(
            "POST",
            "/api/signup/code",
            Some(json!({ "code": code })),
            Some(&flow),
            ip,
        )
        .await?;
    record(2, &expect(reply, 200, "code")?);
    let login = json!({ "userId": user_id, "password": local::PASSWORD });
    let reply = expect(
        client.send("POST", "/api/session", Some(login), None, ip).await?,
        200,
        "login",
    )?;
    record(3, &reply);
    let session = format!(
        "{}={}",
        kennin::http::SESSION_COOKIE,
        reply.cookie(kennin::http::SESSION_COOKIE).ok_or("no session cookie")?
    );
    let terms = expect(
        client
            .send("GET", "/api/terms", None, Some(session.as_str()), ip)
            .await?,
        200,
        "terms",
    )?;
    record(4, &terms);
    let version = json!({ "version": terms.body["version"] });
    let reply = client
        .send("POST", "/api/me/terms", Some(version), Some(session.as_str()), ip)
        .await?;
    record(5, &expect(reply, 200, "accept terms")?);
    let contact = json!({ "postalCode": "1000001", "address": "東京都千代田区千代田1-1", "phone": "0312345678" });
    let reply = client
        .send("PUT", "/api/me/contact", Some(contact), Some(session.as_str()), ip)
        .await?;
    record(6, &expect(reply, 200, "contact")?);
    Ok(session)
}

/// The user ID `first_login` registers for `person`.
pub(crate) fn user_id_of(person: u32) -> String {
    format!("bench_user_{person}")
}

/// A client address of its own for each person: the runner throttles per address.
pub(crate) fn address_of(person: u32) -> String {
    format!("10.{}.{}.{}", (person >> 16) & 255, (person >> 8) & 255, person & 255)
}

/// One person's whole journey; every request's time goes to `samples` under its step.
async fn journey(
    client: &Client,
    outbox: &Path,
    person: u32,
    repeats: u32,
    samples: &mut Vec<Sample>,
) -> Result<(), String> {
    let ip = address_of(person);
    let mut record = |step: usize, reply: &Reply| {
        samples.push(Sample {
            step,
            person,
            elapsed_ms: reply.elapsed.as_secs_f64() * 1000.0,
            request_id: reply.request_id.clone(),
        })
    };
    let session = first_login(client, outbox, person, &ip, &mut record).await?;
    let session = Some(session.as_str());
    for _ in 0..repeats {
        let reply = client.send("GET", top_page_path(), None, session, &ip).await?;
        record(7, &expect(reply, 200, "top page")?);
        let reply = client.send("GET", "/api/notices", None, None, &ip).await?;
        record(8, &expect(reply, 200, "notices")?);
        let reply = client.send("GET", "/api/me/contact", None, session, &ip).await?;
        record(9, &expect(reply, 200, "contact read")?);
        let reply = client.send("GET", "/api/me", None, session, &ip).await?;
        record(10, &expect(reply, 200, "plain top page")?);
        let reply = client.send("GET", "/api/me/sessions", None, session, &ip).await?;
        record(11, &expect(reply, 200, "sessions list")?);
    }
    let reply = client.send("DELETE", "/api/session", None, session, &ip).await?;
    record(12, &expect(reply, 204, "logout")?);
    Ok(())
}

/// The round trips of each request, and the bytes of every other (production) log line.
pub(crate) fn round_trips_by_request(log: &Path) -> Result<(HashMap<String, Vec<RoundTrip>>, usize), String> {
    let text = std::fs::read_to_string(log).map_err(|e| e.to_string())?;
    let mut by_request: HashMap<String, Vec<RoundTrip>> = HashMap::new();
    let mut info_bytes = 0;
    for raw in text.lines().filter(|l| l.starts_with('{')) {
        let Ok(line) = serde_json::from_str::<LogLine>(raw) else {
            continue;
        };
        if line.message.as_deref() != Some("dynamodb round trip") {
            info_bytes += raw.len() + 1;
            continue;
        }
        let Some(request_id) = line.span.and_then(|s| s.request_id) else {
            continue;
        };
        let ended_us = line
            .timestamp
            .as_deref()
            .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
            .map(|t| (t.unix_timestamp_nanos() / 1000) as i64)
            .ok_or("a round trip's log line without a readable timestamp")?;
        by_request.entry(request_id).or_default().push(RoundTrip {
            operation: line.operation.unwrap_or_default(),
            items: line.items.unwrap_or(1),
            elapsed_ms: line.elapsed_us.unwrap_or(0) as f64 / 1000.0,
            ended_us,
            read_units: line.read_units.unwrap_or(0.0),
            write_units: line.write_units.unwrap_or(0.0),
        });
    }
    Ok((by_request, info_bytes))
}

/// The most frequent value (ties: the smallest), for the per-request counts that do not vary.
pub(crate) fn mode<T: Ord + Clone>(values: impl IntoIterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(v, _)| v)
}

pub async fn run(
    binary: &Path,
    endpoint: &str,
    work_dir: &Path,
    persons: u32,
    warm_up: u32,
    repeats: u32,
) -> Result<StepsReport, String> {
    let engine = Engine::Dynamo {
        endpoint: endpoint.to_string(),
        table: local::fresh_table("steps"),
    };
    let result = measure(binary, &engine, work_dir, persons, warm_up, repeats).await;
    engine.discard().await;
    result
}

async fn measure(
    binary: &Path,
    engine: &Engine,
    work_dir: &Path,
    persons: u32,
    warm_up: u32,
    repeats: u32,
) -> Result<StepsReport, String> {
    let runner = Local::start(
        binary,
        engine,
        work_dir,
        persons + warm_up,
        "info,kennin::dynamodb=debug",
    )
    .await?;
    let client = Client::new(&runner.base);
    let mut samples = Vec::new();
    for person in 1..=persons + warm_up {
        journey(&client, &runner.outbox, person, repeats, &mut samples).await?;
    }
    // The runner writes each line as it happens; give the last ones a moment to land.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Each journey took (and removed) its code mail; whatever else it caused is still there.
    let left = std::fs::read_dir(&runner.outbox)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        })
        .unwrap_or(0);
    let mails_per_person = (f64::from(persons + warm_up) + left as f64) / f64::from(persons + warm_up);
    let (trips, info_bytes) = round_trips_by_request(&runner.log)?;
    let log_bytes_per_request = info_bytes as f64 / samples.len() as f64;
    drop(runner);
    let samples: Vec<Sample> = samples.into_iter().filter(|s| s.person > warm_up).collect();

    let no_trips = Vec::new();
    let mut steps = Vec::new();
    let mut per_person: HashMap<(usize, u32), (f64, f64)> = HashMap::new();
    let mut emulator_units = Vec::new();
    for (index, (step, route, hashing)) in STEPS.iter().enumerate() {
        let mine: Vec<&Sample> = samples.iter().filter(|s| s.step == index).collect();
        let (mut elapsed, mut waits, mut ratios, mut own, mut reads, mut writes) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut counts, mut signatures) = (vec![], vec![]);
        for sample in &mine {
            let calls = trips.get(&sample.request_id).unwrap_or(&no_trips);
            let sum = waited_ms(calls);
            let read: f64 = calls.iter().map(|c| c.read_units).sum();
            let write: f64 = calls.iter().map(RoundTrip::billed_write_units).sum();
            for call in calls.iter().filter(|c| c.operation == "TransactWriteItems") {
                emulator_units.push(call.write_units / call.items as f64);
            }
            elapsed.push(sample.elapsed_ms);
            waits.push(sum);
            if sum > 0.0 {
                ratios.push(sample.elapsed_ms / sum);
            }
            own.push(sample.elapsed_ms - sum);
            reads.push(read);
            writes.push(write);
            counts.push(rounds(calls).len());
            signatures.push(signature(calls));
            let entry = per_person.entry((index, sample.person)).or_default();
            entry.0 += read;
            entry.1 += write;
        }
        steps.push(StepFigures {
            step: step.to_string(),
            route: route.to_string(),
            hashing: *hashing,
            samples: mine.len(),
            p50_ms: median(&elapsed),
            p99_ms: quantile(&elapsed, 0.99),
            round_trips: mode(counts).unwrap_or(0),
            operations: mode(signatures).unwrap_or_default(),
            dynamodb_wait_p50_ms: median(&waits),
            dynamodb_wait_p99_ms: quantile(&waits, 0.99),
            ratio_p50: median(&ratios),
            own_p50_ms: median(&own),
            read_units: median(&reads),
            write_units: median(&writes),
        });
    }
    let capacity_of = |indices: &[usize]| {
        let persons: Vec<u32> = samples
            .iter()
            .map(|s| s.person)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let totals: Vec<(f64, f64)> = persons
            .iter()
            .map(|p| {
                indices
                    .iter()
                    .map(|i| per_person.get(&(*i, *p)).copied().unwrap_or_default())
                    .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
            })
            .collect();
        Capacity {
            read_units: median(&totals.iter().map(|t| t.0).collect::<Vec<_>>()),
            write_units: median(&totals.iter().map(|t| t.1).collect::<Vec<_>>()),
        }
    };
    let top_page = steps
        .iter()
        .find(|s| s.route == TOP_PAGE)
        .map(|s| Capacity {
            read_units: s.read_units,
            write_units: s.write_units,
        })
        .ok_or("no top page figures")?;
    Ok(StepsReport {
        engine: engine.label().to_string(),
        persons,
        warm_up_persons: warm_up,
        repeats,
        signup: capacity_of(&[0, 1, 2]),
        login: capacity_of(&[3]),
        top_page,
        steps,
        emulator_transaction_units_per_item: median(&emulator_units),
        mails_per_person,
        log_bytes_per_request,
    })
}

pub const HEADING: &str = "## Warm per-step latency and DynamoDB round trips";

/// The figures of the run before the steps sent independent calls side by side (each call then
/// its own round trip), kept to show what the folding changed.
pub const BEFORE_FOLDING: &str = "steps-before-folding";

pub fn markdown(report: &StepsReport, before: Option<&StepsReport>) -> String {
    let mut out = format!("{HEADING}\n\n");
    out.push_str(&format!(
        "kennin-local (release) on {}, one client, one request at a time on a kept-alive connection; {} persons \
         each go through the whole first login (after {} warm-up persons), and the read-only steps are repeated {} \
         times per person. \"DynamoDB wait\" is, for the same request, the time it waited on its DynamoDB calls as the \
         engine measured them around the SDK's `send()` (its `kennin::dynamodb` debug events, matched to the request \
         by its ID): calls sent side by side (∥) make one round trip, counted from the first's start to the last's \
         end. The ratio is the median over requests of step time ÷ that wait, so what kennin itself adds (HTTP, \
         routing, JSON, cookies, hashing) is the part above 1. Times in ms.\n\n",
        report.engine, report.persons, report.warm_up_persons, report.repeats
    ));
    out.push_str("| step | route | n | p50 | p99 | round trips | calls | DynamoDB wait p50 | wait p99 | step ÷ wait (p50) | kennin's own p50 | RRU | WRU |\n");
    out.push_str("|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|\n");
    for s in &report.steps {
        out.push_str(&format!(
            "| {}{} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            s.step,
            if s.hashing { " (argon2)" } else { "" },
            s.route,
            s.samples,
            fmt(s.p50_ms),
            fmt(s.p99_ms),
            s.round_trips,
            s.operations,
            fmt(s.dynamodb_wait_p50_ms),
            fmt(s.dynamodb_wait_p99_ms),
            fmt(s.ratio_p50),
            fmt(s.own_p50_ms),
            s.read_units,
            s.write_units,
        ));
    }
    if let Some(before) = before {
        out.push_str(&before_and_after(report, before));
    }
    out
}

/// Each step's round trips before the folding and now, with the calls it sends now. Times are
/// left out: they come from another run on another day, and this machine's speed varies more
/// between days than the folding changes them (the "DynamoDB wait" above is this run's).
fn before_and_after(report: &StepsReport, before: &StepsReport) -> String {
    let mut out = String::from(
        "\nRound trips before and after sending independent calls side by side (before: \
         docs/bench/steps-before-folding.json, the run of 2026-11-26 on the code before): identity ① counts both \
         throttles while it reads the union and gives them back while it writes the flow; ② reads the union, the \
         roster person and the ID's guard together; login ④ counts the address while it reads the ID's guard and \
         the ID's try while it reads the account, and gives the address back while it reads the union; every \
         logged-in request reads the union beside the account (the session carries the account's union and \
         year); the top page reads its notices, the mail state, the campaign and the targets together. No rule \
         changed: a guess is still counted before anything is evaluated, and answered only once counted. The \
         top page now carries the survey too (`include=survey`), so it makes more calls than the plain \
         `/api/me` before, in fewer round trips.\n\n\
         | step | round trips before | now | calls now |\n|---|--:|--:|---|\n",
    );
    for now in &report.steps {
        let Some(earlier) = before.steps.iter().find(|s| s.step == now.step) else {
            continue;
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            now.step, earlier.round_trips, now.round_trips, now.operations
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(operation: &str, started_us: i64, ended_us: i64) -> RoundTrip {
        RoundTrip {
            operation: operation.to_string(),
            items: 1,
            elapsed_ms: (ended_us - started_us) as f64 / 1000.0,
            ended_us,
            read_units: 0.0,
            write_units: 0.0,
        }
    }

    #[test]
    fn calls_sent_side_by_side_are_one_round_trip_and_wait_from_first_start_to_last_end() {
        // Logged in the order they ended: the update outlived the read it went out with.
        let calls = [
            call("GetItem", 1_000, 2_000),
            call("UpdateItem", 1_010, 2_600),
            call("GetItem", 2_650, 3_500),
            call("PutItem", 3_700, 4_700),
            call("UpdateItem", 3_705, 4_200),
        ];
        assert_eq!(rounds(&calls).len(), 3);
        assert_eq!(
            signature(&calls),
            "GetItem ∥ UpdateItem → GetItem → PutItem ∥ UpdateItem"
        );
        assert!((waited_ms(&calls) - (1.6 + 0.85 + 1.0)).abs() < 1e-9);
    }

    #[test]
    fn a_call_that_starts_as_the_last_one_is_logged_follows_it() {
        let calls = [
            call("GetItem", 0, 1_000),
            call("GetItem", 1_000 - LOGGING_SLACK_US / 2, 2_000),
        ];
        assert_eq!(signature(&calls), "GetItem → GetItem");
    }
}
