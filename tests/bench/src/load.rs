//! Load: the campaign mix driven by wrk (Debian) with tests/bench/mix.lua against a release
//! kennin-local, on the embedded store and on DynamoDB Local, stepping up the number of
//! connections until p99 bends.

use crate::local::{self, Client, Engine, Local};
use crate::stats::fmt;
use crate::{steps, survey_form};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

/// Accounts the logins cycle through (each wrk thread its own) and sessions the top pages do:
/// at least as many as the most connections, so that no two threads share a login.
const ACCOUNTS: u32 = 32;
/// p99 above this multiple of the single-connection p99 is past the knee.
const KNEE_FACTOR: f64 = 2.0;

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Level {
    pub connections: u32,
    pub requests: u64,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
    /// Stateful requests replaced by a top-page load because the prepared pool ran out.
    pub substituted: u64,
    pub runner_rss_mib: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct EngineLoad {
    pub engine: String,
    pub levels: Vec<Level>,
    /// The last level before p99 bends (and with no error up to it).
    pub knee: Option<Level>,
    pub runner_peak_rss_mib: f64,
    pub dynamodb_local_peak_rss_mib: Option<f64>,
}

#[derive(Deserialize)]
struct WrkSummary {
    requests: u64,
    duration_us: u64,
    connect_errors: u64,
    read_errors: u64,
    write_errors: u64,
    status_errors: u64,
    timeouts: u64,
    failures: u64,
    substituted: u64,
    p50_us: u64,
    p90_us: u64,
    p99_us: u64,
    max_us: u64,
}

struct Pools {
    lines: Vec<String>,
}

fn ip(n: u32) -> String {
    format!("10.{}.{}.{}", 200 + (n >> 16) % 50, (n >> 8) & 255, n & 255)
}

fn signup_cookie(reply: &local::Reply) -> Result<String, String> {
    let value = reply
        .cookie(kennin::http::SIGNUP_COOKIE)
        .ok_or_else(|| format!("identity answered {} {}", reply.status, reply.body))?;
    Ok(format!("{}={value}", kennin::http::SIGNUP_COOKIE))
}

fn identity_body(number: u32) -> String {
    json!({
        "insurerCode": local::INSURER, "symbol": local::SYMBOL, "number": number.to_string(),
        "birthDate": local::BIRTH_DATE, "nameKana": local::NAME_KANA,
    })
    .to_string()
}

/// Takes person `number` through ① (and ② and reads the code, when `to_code`), returning the
/// pool line for the step after.
async fn prepare_flow(client: &Client, outbox: &Path, number: u32, to_code: bool) -> Result<String, String> {
    let body = serde_json::from_str(&identity_body(number)).map_err(|e| e.to_string())?;
    let reply = client
        .send("POST", "/api/signup/identity", Some(body), None, &ip(number))
        .await?;
    let cookie = signup_cookie(&reply)?;
    let user_id = format!("load_user_{number}");
    let email = format!("load{number}@example.com");
    let account = json!({ "userId": user_id, "password": local::PASSWORD, "email": email });
    if !to_code {
        return Ok(format!("account\t{cookie}\t{account}"));
    }
    let reply = client
        .send("POST", "/api/signup/account", Some(account), Some(&cookie), &ip(number))
        .await?;
    if reply.status != 200 {
        return Err(format!("account answered {} {}", reply.status, reply.body));
    }
    let code = local::take_code(outbox, &email)?;
    Ok(format!("code\t{cookie}\t{}", json!({ "code": code })))
}

/// Takes `ACCOUNTS` persons through the whole first login: the logins, sessions and forms (a
/// session and one of its targets) every level reuses.
async fn prepare_accounts(client: &Client, outbox: &Path, first: u32) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for number in first..first + ACCOUNTS {
        let cookie = steps::first_login(client, outbox, number, &ip(number), &mut |_, _| {}).await?;
        let top = client
            .send("GET", steps::top_page_path(), None, Some(&cookie), &ip(number))
            .await?;
        let targets = top.body["survey"]["targets"].as_array().cloned().unwrap_or_default();
        if targets.is_empty() {
            return Err(format!("no targets on the top page: {} {}", top.status, top.body));
        }
        for target in targets {
            let id = target["id"].as_str().ok_or("a target without an id")?;
            lines.push(format!("form\t{cookie}\t{id}"));
        }
        let login = json!({ "userId": steps::user_id_of(number), "password": local::PASSWORD });
        lines.push(format!("login\t{login}"));
        lines.push(format!("me\t{cookie}"));
    }
    Ok(lines)
}

async fn prepare_pools(
    client: &Client,
    outbox: &Path,
    first: u32,
    pool: u32,
    reusable: &[String],
) -> Result<Pools, String> {
    let mut lines: Vec<String> = (first..first + pool)
        .map(|n| format!("identity\t{}", identity_body(n)))
        .collect();
    let flows = (first + pool..first + 3 * pool).map(|n| (n, n >= first + 2 * pool));
    let prepared: Vec<String> = stream::iter(flows)
        .map(|(n, to_code)| prepare_flow(client, outbox, n, to_code))
        .buffer_unordered(4)
        .try_collect()
        .await?;
    lines.extend(prepared);
    lines.extend(reusable.iter().cloned());
    Ok(Pools { lines })
}

fn run_wrk(script: &Path, pools: &Path, base: &str, connections: u32, seconds: u32) -> Result<WrkSummary, String> {
    let output = Command::new("wrk")
        .args(["-t", &connections.to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--timeout", "10s", "-s"])
        .arg(script)
        .arg(base)
        .arg("--")
        .arg(pools)
        .arg(connections.to_string())
        .output()
        .map_err(|e| format!("wrk (apt-get install wrk): {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.trim().is_empty() {
        eprintln!("wrk at {connections} connections, first complaints:");
        for line in stderr.lines().take(5) {
            eprintln!("    {line}");
        }
    }
    let json = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| format!("wrk printed no summary:\n{stdout}\n{stderr}"))?;
    serde_json::from_str(json).map_err(|e| format!("{e}: {json}"))
}

pub struct LoadPlan<'a> {
    pub binary: &'a Path,
    pub script: &'a Path,
    pub work_dir: &'a Path,
    pub levels: &'a [u32],
    pub seconds: u32,
    pub pool: u32,
}

pub async fn run(plan: &LoadPlan<'_>, engine: Engine) -> Result<EngineLoad, String> {
    let result = measure(plan, &engine).await;
    engine.discard().await;
    result
}

async fn measure(plan: &LoadPlan<'_>, engine: &Engine) -> Result<EngineLoad, String> {
    let people = ACCOUNTS + plan.levels.len() as u32 * 3 * plan.pool + 10;
    let runner = Local::start(plan.binary, engine, plan.work_dir, people, "info").await?;
    // The accounts' dependents are targets of an open campaign: the survey's requests answer them.
    survey_form::open_campaign(engine.reopen(&runner.data_dir).await?.as_ref(), ACCOUNTS).await?;
    let client = Client::new(&runner.base);
    let reusable = prepare_accounts(&client, &runner.outbox, 1).await?;
    let mut levels = Vec::new();
    let mut next_person = ACCOUNTS + 1;
    for &connections in plan.levels {
        let pools = prepare_pools(&client, &runner.outbox, next_person, plan.pool, &reusable).await?;
        next_person += 3 * plan.pool;
        let pool_file = plan.work_dir.join(format!("pool-{connections}.tsv"));
        let mut file = std::fs::File::create(&pool_file).map_err(|e| e.to_string())?;
        for line in &pools.lines {
            writeln!(file, "{line}").map_err(|e| e.to_string())?;
        }
        drop(file);
        let summary = run_wrk(plan.script, &pool_file, &runner.base, connections, plan.seconds)?;
        let seconds = summary.duration_us as f64 / 1e6;
        let level = Level {
            connections,
            requests: summary.requests,
            seconds,
            throughput: summary.requests as f64 / seconds,
            p50_ms: summary.p50_us as f64 / 1000.0,
            p90_ms: summary.p90_us as f64 / 1000.0,
            p99_ms: summary.p99_us as f64 / 1000.0,
            max_ms: summary.max_us as f64 / 1000.0,
            errors: summary.connect_errors
                + summary.read_errors
                + summary.write_errors
                + summary.timeouts
                + summary.status_errors.max(summary.failures),
            substituted: summary.substituted,
            runner_rss_mib: local::memory_mib(runner.pid()).map(|m| m.1).unwrap_or(f64::NAN),
        };
        eprintln!(
            "  {} c={connections}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, errors {}, substituted {}",
            engine.label(),
            level.throughput,
            level.p50_ms,
            level.p99_ms,
            level.errors,
            level.substituted
        );
        levels.push(level);
    }
    let runner_peak_rss_mib = local::memory_mib(runner.pid()).map(|m| m.0).unwrap_or(f64::NAN);
    let dynamodb_local_peak_rss_mib = match engine {
        Engine::Dynamo { endpoint, .. } => endpoint
            .rsplit(':')
            .next()
            .and_then(|port| port.trim_end_matches('/').parse().ok())
            .and_then(local::dynamodb_local_pid)
            .and_then(local::memory_mib)
            .map(|m| m.0),
        Engine::Sqlite => None,
    };
    Ok(EngineLoad {
        engine: engine.label().to_string(),
        knee: knee(&levels),
        levels,
        runner_peak_rss_mib,
        dynamodb_local_peak_rss_mib,
    })
}

/// The highest-throughput level whose p99 stays within `KNEE_FACTOR` of the single-connection
/// p99, with no error at it or below it.
fn knee(levels: &[Level]) -> Option<Level> {
    let base = levels.first()?.p99_ms;
    levels
        .iter()
        .take_while(|l| l.errors == 0 && l.p99_ms <= KNEE_FACTOR * base)
        .max_by(|a, b| a.throughput.total_cmp(&b.throughput))
        .cloned()
}

pub fn markdown(loads: &[EngineLoad], seconds: u32) -> String {
    let mut out = String::from("## Load: the campaign mix\n\n");
    out.push_str(&format!(
        "wrk (Debian) with `tests/bench/mix.lua` against kennin-local (release, log level info as in \
         production). The mix is one person's campaign, in the shares the bill counts in Chromium: per 50 \
         requests one identity check ①, one account ② (argon2 hash, mails a code), one code ③, two logins ④ \
         (argon2 verify), six plain top pages (`GET /api/me`), seven top pages with the survey, and the survey: \
         three reads of a dependent's form, three of its documents, sixteen saves (each with the version the \
         form or the last save answered) and five presigned uploads, each deleted later (the upload itself and \
         complete's verification of the file are the documents section's: Lambda runs them in a function of \
         their own); shuffled. The bench prepares what the stateful requests need before each level (fresh \
         roster people, flows waiting at ② and at ③ with their mailed code, {ACCOUNTS} accounts whose two \
         dependents each are targets of an open campaign, each wrk thread logging in with its own and \
         answering its own forms, and their sessions for the top pages). Every request comes from a random \
         client address. wrk is a closed-loop \
         generator: the rate is stepped up by adding connections (one per wrk thread), {seconds} s per level; \
         the knee is the highest-throughput level whose p99 stays within {KNEE_FACTOR}× the one-connection \
         p99, with no error up to it. Errors are non-2xx answers and socket errors. Memory is the resident set \
         of the kennin-local process (VmHWM/VmRSS from /proc); DynamoDB Local's JVM is reported separately.\n\n"
    ));
    for load in loads {
        out.push_str(&format!("### {}\n\n", load.engine));
        out.push_str(
            "| connections | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | pool ran out | runner RSS MiB |\n",
        );
        out.push_str("|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for l in &load.levels {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                l.connections,
                fmt(l.throughput),
                fmt(l.p50_ms),
                fmt(l.p90_ms),
                fmt(l.p99_ms),
                fmt(l.max_ms),
                l.errors,
                l.substituted,
                fmt(l.runner_rss_mib)
            ));
        }
        match &load.knee {
            Some(k) => out.push_str(&format!(
                "\nKnee: **{} req/s** at {} connections (p99 {} ms); peak RSS of kennin-local {} MiB",
                fmt(k.throughput),
                k.connections,
                fmt(k.p99_ms),
                fmt(load.runner_peak_rss_mib)
            )),
            None => out.push_str("\nNo level stayed within the knee rule"),
        }
        if let Some(java) = load.dynamodb_local_peak_rss_mib {
            out.push_str(&format!(
                "; DynamoDB Local's JVM peak RSS {} MiB (since it started)",
                fmt(java)
            ));
        }
        out.push_str(".\n\n");
    }
    out
}
