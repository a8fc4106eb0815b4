//! Importing and publishing a union of full size (issue 13's scale: 100,000 insured persons and
//! 150,000 dependents) with the operator's own tool: each step is one run of the release
//! kennin-admin, timed, with its peak resident set taken from the kernel when it is reaped and,
//! on DynamoDB, its capacity units summed from the round-trip events it logs.

use crate::machine;
use crate::stats::fmt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use time::{Date, Duration, Month, OffsetDateTime};

/// The bench's own union, apart from the other parts' 0990.
const INSURER: &str = "0950";
/// Fixed, so that every run imports the same files.
const SEED: u64 = 13;
/// kennin-admin's filter for the round-trip events: nothing else is logged.
const ROUND_TRIP_LOG: &str = "warn,kennin::dynamodb=debug";

/// How the generated roster and dependents are made up, as written to the files.
#[derive(Serialize, Deserialize, Default)]
pub struct Mix {
    pub general: u32,
    pub voluntary_continuation: u32,
    pub special_retiree: u32,
    pub overseas: u32,
    pub offices: u32,
    pub with_email: u32,
    pub spouses: u32,
    pub children: u32,
    pub children_under_18: u32,
    pub parents: u32,
    pub others: u32,
    pub certified_after_cutoff: u32,
    pub roster_file_mib: f64,
    pub dependents_file_mib: f64,
}

#[derive(Serialize, Deserialize)]
pub struct StepRun {
    pub step: String,
    /// The rows the step handles (file rows for an import, dependents for a campaign step).
    pub rows: u32,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// The child's own peak resident set (ru_maxrss from wait4).
    pub peak_rss_mib: f64,
    pub round_trips: Option<u64>,
    pub read_units: Option<f64>,
    pub write_units: Option<f64>,
    /// Conditional writes refused (a target already published): DynamoDB reports no capacity
    /// for them, though AWS bills each as a write of the item's size.
    pub condition_failed: Option<u64>,
    /// What kennin-admin printed.
    pub output: String,
}

#[derive(Serialize, Deserialize)]
pub struct EngineRun {
    pub engine: String,
    pub steps: Vec<StepRun>,
    /// The SQLite file (and its WAL) at the end.
    pub store_mib: Option<f64>,
    /// DynamoDB Local's JVM (VmHWM over its whole life, this run included).
    pub dynamodb_local_peak_rss_mib: Option<f64>,
}

#[derive(Serialize, Deserialize)]
pub struct SurveyImportReport {
    pub measured_at: String,
    pub load_before: String,
    pub persons: u32,
    pub dependents: u32,
    pub year: i32,
    pub mix: Mix,
    pub engines: Vec<EngineRun>,
}

pub enum Target<'a> {
    Sqlite,
    Dynamo { endpoint: &'a str, table: &'a str },
}

/// The survey year whose reference date (April 1) has passed, so that every generated birth
/// date lies in the past.
fn survey_year(today: Date) -> i32 {
    let april = Date::from_calendar_date(today.year(), Month::April, 2).expect("April 2 exists");
    if today >= april { today.year() } else { today.year() - 1 }
}

fn slash(date: Date) -> String {
    format!("{}/{:02}/{:02}", date.year(), u8::from(date.month()), date.day())
}

fn years_before(date: Date, years: i32, extra_days: i64) -> Date {
    let year = date.year() - years;
    let shifted = Date::from_calendar_date(year, date.month(), date.day().min(28)).expect("day ≤ 28 exists");
    shifted - Duration::days(extra_days)
}

const FAMILY: [(&str, &str); 12] = [
    ("ヤマダ", "山田"),
    ("サトウ", "佐藤"),
    ("スズキ", "鈴木"),
    ("タカハシ", "高橋"),
    ("タナカ", "田中"),
    ("ワタナベ", "渡辺"),
    ("イトウ", "伊藤"),
    ("ナカムラ", "中村"),
    ("コバヤシ", "小林"),
    ("カトウ", "加藤"),
    ("ヨシダ", "吉田"),
    ("マツモト", "松本"),
];
const MALE: [(&str, &str); 6] = [
    ("タロウ", "太郎"),
    ("ヒロシ", "博"),
    ("ケンジ", "健二"),
    ("マコト", "誠"),
    ("ショウタ", "翔太"),
    ("ダイキ", "大輝"),
];
const FEMALE: [(&str, &str); 6] = [
    ("ハナコ", "花子"),
    ("ヨウコ", "洋子"),
    ("ユミ", "由美"),
    ("サクラ", "さくら"),
    ("ミサキ", "美咲"),
    ("アオイ", "葵"),
];

fn pick<'a>(rng: &mut StdRng, names: &'a [(&'a str, &'a str)]) -> (&'a str, &'a str) {
    names[rng.random_range(0..names.len())]
}

/// One insured person as the dependents file needs them.
struct Insured {
    symbol: u32,
    number: u32,
    family: (&'static str, &'static str),
    age: i32,
}

/// Writes roster.csv and dependents.csv into `dir`: `persons` people in offices of very
/// different sizes, about 5 % 任意継続, 1 % 特例退職 and 1 % posted overseas; `dependents`
/// spouses, children of every age, parents and a few others, certified over the years (a few
/// after the campaign's cut-off).
fn write_files(dir: &Path, persons: u32, dependents: u32, reference: Date) -> Result<Mix, String> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut mix = Mix::default();
    let create = |name: &str| -> Result<BufWriter<std::fs::File>, String> {
        std::fs::File::create(dir.join(name))
            .map(BufWriter::new)
            .map_err(|e| format!("{name}: {e}"))
    };
    let io = |e: std::io::Error| e.to_string();

    // Offices: one 記号 each, a few large employers and a long tail of small ones.
    mix.offices = (persons / 250).max(1);
    let mut next_number = vec![0u32; mix.offices as usize];
    let mut roster = create("roster.csv")?;
    writeln!(
        roster,
        "symbol,number,birth_date,name_kana,name,kind,office,office_name,overseas,email"
    )
    .map_err(io)?;
    let mut people = Vec::with_capacity(persons as usize);
    for i in 0..persons {
        let office = (rng.random::<f64>().powi(3) * f64::from(mix.offices)) as u32 % mix.offices;
        next_number[office as usize] += 1;
        let (symbol, number) = (1000 + office, next_number[office as usize]);
        let roll: f64 = rng.random();
        let (kind, age) = if roll < 0.05 {
            mix.voluntary_continuation += 1;
            ("任意継続", rng.random_range(25..75))
        } else if roll < 0.06 {
            mix.special_retiree += 1;
            ("特例退職", rng.random_range(60..75))
        } else {
            mix.general += 1;
            ("一般", rng.random_range(18..66))
        };
        let overseas = kind == "一般" && rng.random_bool(0.0106);
        mix.overseas += u32::from(overseas);
        let email = rng.random_bool(0.3);
        mix.with_email += u32::from(email);
        let family = pick(&mut rng, &FAMILY);
        let given = if rng.random_bool(0.6) {
            pick(&mut rng, &MALE)
        } else {
            pick(&mut rng, &FEMALE)
        };
        let birth = years_before(reference, age, rng.random_range(1..365));
        writeln!(
            roster,
            "{symbol},{number},{},{} {},{} {},{kind},E{:05},第{}事業所,{},{}",
            slash(birth),
            family.0,
            given.0,
            family.1,
            given.1,
            office + 1,
            office + 1,
            u8::from(overseas),
            if email {
                format!("p{i}@example.jp")
            } else {
                String::new()
            }
        )
        .map_err(io)?;
        people.push(Insured {
            symbol,
            number,
            family,
            age,
        });
    }
    roster.flush().map_err(io)?;

    let mut file = create("dependents.csv")?;
    writeln!(
        file,
        "symbol,number,dependent_no,name_kana,name,birth_date,sex,relationship,certified_on,living"
    )
    .map_err(io)?;
    let cutoff = reference - Duration::days(1);
    let mut written = 0u32;
    let mut next_no = vec![0u16; people.len()];
    // Each person's household first; a second round over everyone adds children until the
    // count is reached (a third never comes with the default sizes).
    let mut round = 0;
    while written < dependents && !people.is_empty() {
        for (index, person) in people.iter().enumerate() {
            let mut household: Vec<(&str, i32)> = Vec::new();
            if round == 0 {
                if person.age >= 20 && rng.random_bool(0.45) {
                    household.push(("配偶者", (person.age + rng.random_range(-6..5)).clamp(18, 90)));
                }
                let children = match rng.random::<f64>() {
                    r if r < 0.45 => 0,
                    r if r < 0.70 => 1,
                    r if r < 0.92 => 2,
                    r if r < 0.99 => 3,
                    _ => 4,
                };
                for _ in 0..children {
                    household.push(("子", rng.random_range(0..=(person.age - 18).clamp(0, 25))));
                }
                if person.age >= 35 && rng.random_bool(0.12) {
                    let parent = if rng.random_bool(0.3) { "父" } else { "母" };
                    household.push((parent, (person.age + rng.random_range(24..36)).min(100)));
                }
                if rng.random_bool(0.03) {
                    let other = if person.age >= 55 { "孫" } else { "妹" };
                    household.push((other, rng.random_range(0..(person.age - 10).max(1))));
                }
            } else {
                household.push(("子", rng.random_range(0..=(person.age - 18).clamp(0, 25))));
            }
            for (relationship, age) in household {
                if written == dependents {
                    break;
                }
                next_no[index] += 1;
                let male = match relationship {
                    "父" => true,
                    "母" | "妹" => false,
                    "配偶者" => rng.random_bool(0.2),
                    _ => rng.random_bool(0.5),
                };
                let given = pick(&mut rng, if male { &MALE } else { &FEMALE });
                let birth = years_before(reference, age, rng.random_range(1..365));
                // Children (and other minors) are certified soon after birth, adults some time
                // before the reference date, 2 % of them only after the cut-off.
                let certified = match relationship {
                    _ if relationship == "子" || age < 18 => birth + Duration::days(rng.random_range(14..60)),
                    _ if rng.random_bool(0.02) => cutoff + Duration::days(rng.random_range(1..60)),
                    _ => (cutoff - Duration::days(rng.random_range(0..7000))).max(years_before(birth, -18, 0)),
                };
                mix.certified_after_cutoff += u32::from(certified > cutoff);
                match relationship {
                    "配偶者" => mix.spouses += 1,
                    "子" => {
                        mix.children += 1;
                        mix.children_under_18 += u32::from(age < 18);
                    }
                    "父" | "母" => mix.parents += 1,
                    _ => mix.others += 1,
                }
                let living = match relationship {
                    "父" | "母" => ["同居", "別居"][rng.random_range(0..2)],
                    _ if rng.random_bool(0.05) => "別居",
                    _ => "同居",
                };
                writeln!(
                    file,
                    "{},{},{},{} {},{} {},{},{},{relationship},{},{living}",
                    person.symbol,
                    person.number,
                    next_no[index],
                    person.family.0,
                    given.0,
                    person.family.1,
                    given.1,
                    slash(birth),
                    if male { "男" } else { "女" },
                    slash(certified),
                )
                .map_err(io)?;
                written += 1;
            }
            if written == dependents {
                break;
            }
        }
        round += 1;
    }
    file.flush().map_err(io)?;
    let mib = |name: &str| std::fs::metadata(dir.join(name)).map_or(f64::NAN, |m| m.len() as f64 / 1_048_576.0);
    mix.roster_file_mib = mib("roster.csv");
    mix.dependents_file_mib = mib("dependents.csv");
    Ok(mix)
}

#[derive(Deserialize)]
struct LogLine {
    message: Option<String>,
    read_units: Option<f64>,
    write_units: Option<f64>,
    outcome: Option<String>,
}

/// The round trips kennin-admin logged to `stderr`: (count, RCU, WCU, conditions failed).
fn capacity(stderr: &str) -> (u64, f64, f64, u64) {
    let mut totals = (0, 0.0, 0.0, 0);
    // Progress lines ("\r…件") share stderr with the JSON events but never contain a brace.
    for raw in stderr.lines().filter_map(|l| l.find('{').map(|at| &l[at..])) {
        let Ok(line) = serde_json::from_str::<LogLine>(raw) else {
            continue;
        };
        if line.message.as_deref() != Some("dynamodb round trip") {
            continue;
        }
        totals.0 += 1;
        totals.1 += line.read_units.unwrap_or(0.0);
        totals.2 += line.write_units.unwrap_or(0.0);
        totals.3 += u64::from(line.outcome.as_deref() == Some("condition_failed"));
    }
    totals
}

/// Runs kennin-admin once and reaps it with wait4, for its own peak RSS and CPU time.
fn run_admin(admin: &Path, store_args: &[String], args: &[String], logs: &Path, step: &str) -> Result<StepRun, String> {
    let slug: String = step
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out_path = logs.join(format!("{slug}.out"));
    let err_path = logs.join(format!("{slug}.err"));
    let file = |path: &PathBuf| std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()));
    let mut command = Command::new(admin);
    command
        .args(store_args)
        .args(args)
        .stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?)
        .env_remove("RUST_LOG");
    let dynamo = store_args.iter().any(|a| a == "--table");
    if dynamo {
        command.env("RUST_LOG", ROUND_TRIP_LOG);
    }
    let started = Instant::now();
    let child = command.spawn().map_err(|e| format!("{}: {e}", admin.display()))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; the pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_s = started.elapsed().as_secs_f64();
    if reaped != pid {
        return Err(format!("{step}: wait4: {}", std::io::Error::last_os_error()));
    }
    let output = std::fs::read_to_string(&out_path)
        .unwrap_or_default()
        .trim()
        .to_string();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let tail: Vec<&str> = stderr.lines().filter(|l| !l.starts_with('{')).collect();
        return Err(format!(
            "{step} failed ({status}): {}",
            tail[tail.len().saturating_sub(5)..].join("\n")
        ));
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let (round_trips, read_units, write_units, failed) = capacity(&stderr);
    eprintln!("survey-import: {step}: {wall_s:.1} s, {} MiB", usage.ru_maxrss / 1024);
    Ok(StepRun {
        step: step.to_string(),
        rows: 0,
        wall_s,
        cpu_s: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // Linux gives ru_maxrss in KiB.
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        round_trips: dynamo.then_some(round_trips),
        read_units: dynamo.then_some(read_units),
        write_units: dynamo.then_some(write_units),
        condition_failed: dynamo.then_some(failed),
        output,
    })
}

/// Every step on one engine, each a fresh kennin-admin process.
pub fn run_engine(
    admin: &Path,
    work: &Path,
    target: &Target,
    year: i32,
    sizes: (u32, u32),
) -> Result<EngineRun, String> {
    let (persons, dependents) = sizes;
    let (label, store_args, logs) = match target {
        Target::Sqlite => {
            let data = work.join("sqlite-data");
            let _ = std::fs::remove_dir_all(&data);
            (
                "embedded SQLite",
                vec!["--data-dir".to_string(), data.display().to_string()],
                work.join("sqlite-logs"),
            )
        }
        Target::Dynamo { endpoint, table } => (
            "DynamoDB Local",
            vec![
                "--table".to_string(),
                table.to_string(),
                "--dynamodb-endpoint".to_string(),
                endpoint.to_string(),
            ],
            work.join("dynamodb-logs"),
        ),
    };
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    if matches!(target, Target::Dynamo { .. }) {
        run_admin(
            admin,
            &store_args,
            &strings(&["table", "create"]),
            &logs,
            "table create",
        )?;
    }
    let roster = work.join("roster.csv").display().to_string();
    let dependents_file = work.join("dependents.csv").display().to_string();
    let union_year = |command: &[&str]| {
        let mut args = strings(command);
        args.extend(strings(&["--insurer", INSURER, "--year", &year.to_string()]));
        args
    };
    let with_file = |command: &[&str], file: &str| {
        let mut args = union_year(command);
        args.push(file.to_string());
        args
    };
    let mut campaign_put = union_year(&["campaign", "put"]);
    campaign_put.extend(strings(&[
        "--title",
        &format!("{year}年度 被扶養者資格調査"),
        "--opens",
        &format!("{year}-09-01T09:00"),
        "--due",
        &format!("{year}-09-30"),
        "--grace-days",
        "7",
        "--reference-date",
        &format!("{year}-04-01"),
        "--min-age",
        "18",
        "--certified-before",
        &format!("{year}-03-31"),
        "--exclude-kind",
        "任意継続,特例退職",
        "--exclude-overseas",
    ]));
    let plan: Vec<(&str, u32, Vec<String>)> = vec![
        (
            "insurer put",
            1,
            strings(&["insurer", "put", "--code", INSURER, "--name", "ベンチ健康保険組合"]),
        ),
        ("roster import", persons, with_file(&["roster", "import"], &roster)),
        (
            "dependents import",
            dependents,
            with_file(&["dependents", "import"], &dependents_file),
        ),
        (
            "dependents import again",
            dependents,
            with_file(&["dependents", "import"], &dependents_file),
        ),
        (
            "roster import again",
            persons,
            with_file(&["roster", "import"], &roster),
        ),
        ("campaign put", 1, campaign_put),
        ("campaign preview", dependents, union_year(&["campaign", "preview"])),
        ("campaign publish", dependents, union_year(&["campaign", "publish"])),
        (
            "campaign publish again",
            dependents,
            union_year(&["campaign", "publish"]),
        ),
    ];
    let mut steps = Vec::new();
    for (step, rows, args) in plan {
        let mut run = run_admin(admin, &store_args, &args, &logs, step)?;
        run.rows = rows;
        steps.push(run);
    }
    let store_mib = match target {
        Target::Sqlite => {
            let data = work.join("sqlite-data");
            let bytes: u64 = std::fs::read_dir(&data)
                .map_err(|e| e.to_string())?
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("kennin.sqlite3"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum();
            Some(bytes as f64 / 1_048_576.0)
        }
        Target::Dynamo { .. } => None,
    };
    let dynamodb_local_peak_rss_mib = match target {
        Target::Dynamo { endpoint, .. } => endpoint
            .rsplit(':')
            .next()
            .and_then(|port| port.trim_end_matches('/').parse().ok())
            .and_then(crate::local::dynamodb_local_pid)
            .and_then(crate::local::memory_mib)
            .map(|(peak, _)| peak),
        Target::Sqlite => None,
    };
    Ok(EngineRun {
        engine: label.to_string(),
        steps,
        store_mib,
        dynamodb_local_peak_rss_mib,
    })
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// Generates the files into `work` and returns the report without engines, to be filled in.
pub fn prepare(work: &Path, persons: u32, dependents: u32) -> Result<SurveyImportReport, String> {
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let now = OffsetDateTime::now_utc();
    let today = now.date();
    let year = survey_year(today);
    let reference = Date::from_calendar_date(year, Month::April, 1).expect("April 1 exists");
    let mix = write_files(work, persons, dependents, reference)?;
    Ok(SurveyImportReport {
        measured_at: machine::minute(now),
        load_before: machine::load_now(),
        persons,
        dependents,
        year,
        mix,
        engines: Vec::new(),
    })
}

/// A figure for the tables: thousands grouped from 1,000 on, else `fmt`'s precision.
fn large(value: f64) -> String {
    if value >= 1000.0 {
        thousands(value.round() as u64)
    } else {
        fmt(value)
    }
}

/// 100000 → "100,000".
fn thousands(value: impl Into<u64>) -> String {
    let digits = value.into().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The targets a preview or publish counted (「…のうち調査対象 N件」), for the sanity check.
fn targets_of(step: &StepRun) -> Option<u64> {
    let line = step.output.lines().find(|l| l.contains("のうち調査対象"))?;
    let count = line.split("調査対象").nth(1)?.trim().trim_end_matches('件');
    count.parse().ok()
}

/// The section's heading up to its sizes, whatever they are.
pub const HEADING: &str = "## Import and publish (";

fn step<'a>(engine: &'a EngineRun, name: &str) -> Option<&'a StepRun> {
    engine.steps.iter().find(|s| s.step == name)
}

pub fn markdown(report: &SurveyImportReport) -> String {
    let mix = &report.mix;
    let mut out = format!(
        "{HEADING}{} persons, {} dependents)",
        thousands(report.persons),
        thousands(report.dependents)
    );
    let _ = write!(
        out,
        "\n\nThe operator's path at the issue's scale, measured on {} (load average before: {}) by \
         `kennin-bench survey-import`: every step is one run of the release `kennin-admin`, as an operator \
         would type it, against a fresh store. Peak RSS is the child's own (`ru_maxrss` from `wait4`); CPU is \
         its user + system time. On DynamoDB the round trips and capacity units are what kennin-admin's store \
         logged per call (`RUST_LOG=warn,kennin::dynamodb=debug`, DynamoDB Local's `ConsumedCapacity`).\n\n\
         The files (generated, fixed seed): a roster of {} persons in {} offices ({} 任意継続, {} 特例退職, {} \
         posted overseas, {} with an e-mail address; {:.1} MiB) and {} dependents ({} spouses, {} children of \
         whom {} under 18, {} parents, {} others; {} certified after the cut-off; {:.1} MiB). The campaign: \
         min age 18 on April 1, certified by March 31, 任意継続 and 特例退職 and overseas excluded.\n\n",
        report.measured_at,
        report.load_before,
        thousands(report.persons),
        thousands(mix.offices),
        thousands(mix.voluntary_continuation),
        thousands(mix.special_retiree),
        thousands(mix.overseas),
        thousands(mix.with_email),
        mix.roster_file_mib,
        thousands(report.dependents),
        thousands(mix.spouses),
        thousands(mix.children),
        thousands(mix.children_under_18),
        thousands(mix.parents),
        thousands(mix.others),
        thousands(mix.certified_after_cutoff),
        mix.dependents_file_mib,
    );
    for engine in &report.engines {
        let dynamo = engine.steps.iter().any(|s| s.round_trips.is_some());
        let _ = writeln!(out, "### {}\n", engine.engine);
        if dynamo {
            out.push_str(
                "| step | wall | rows/s | peak RSS | CPU | round trips | RCU | WCU | conditions failed |\n\
                 |---|--:|--:|--:|--:|--:|--:|--:|--:|\n",
            );
        } else {
            out.push_str("| step | wall | rows/s | peak RSS | CPU |\n|---|--:|--:|--:|--:|\n");
        }
        for s in &engine.steps {
            let rate = if s.rows > 1 {
                large(f64::from(s.rows) / s.wall_s)
            } else {
                "–".into()
            };
            let _ = write!(
                out,
                "| {} | {} s | {} | {} MiB | {} s |",
                s.step,
                fmt(s.wall_s),
                rate,
                fmt(s.peak_rss_mib),
                fmt(s.cpu_s)
            );
            if dynamo {
                let _ = write!(
                    out,
                    " {} | {} | {} | {} |",
                    thousands(s.round_trips.unwrap_or(0)),
                    large(s.read_units.unwrap_or(f64::NAN)),
                    large(s.write_units.unwrap_or(f64::NAN)),
                    thousands(s.condition_failed.unwrap_or(0))
                );
            }
            out.push('\n');
        }
        let total: f64 = engine.steps.iter().map(|s| s.wall_s).sum();
        let peak = engine.steps.iter().map(|s| s.peak_rss_mib).fold(0.0, f64::max);
        let _ = write!(
            out,
            "\nAll steps: {} s; the highest peak {} MiB.",
            fmt(total),
            fmt(peak)
        );
        if let Some(mib) = engine.store_mib {
            let _ = write!(out, " The SQLite file at the end: {} MiB.", fmt(mib));
        }
        if let Some(mib) = engine.dynamodb_local_peak_rss_mib {
            let _ = write!(
                out,
                " DynamoDB Local's JVM peaked at {} MiB (its whole life).",
                large(mib)
            );
        }
        if dynamo {
            let reads: f64 = engine.steps.iter().filter_map(|s| s.read_units).sum();
            let writes: f64 = engine.steps.iter().filter_map(|s| s.write_units).sum();
            let failed: u64 = engine.steps.iter().filter_map(|s| s.condition_failed).sum();
            let _ = write!(
                out,
                " Capacity in all: {} RCU and {} WCU as reported, plus {} refused conditional writes that \
                 DynamoDB reports no capacity for but bills as writes.",
                large(reads),
                large(writes),
                thousands(failed)
            );
        }
        out.push_str("\n\n");
        if dynamo {
            out.push_str(&capacity_notes(report, engine));
        }
        let said = |name: &str| {
            step(engine, name)
                .map(|s| s.output.lines().next().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        let preview = step(engine, "campaign preview").and_then(targets_of);
        let published = step(engine, "campaign publish").and_then(targets_of);
        let republished = step(engine, "campaign publish again").and_then(targets_of);
        let _ = write!(
            out,
            "What kennin-admin said: roster «{}»; dependents «{}», again «{}»; roster again «{}». Targets: preview \
             {}, publish {}, publish again {} ({}).\n\n",
            said("roster import"),
            said("dependents import"),
            said("dependents import again"),
            said("roster import again"),
            preview.map_or("–".into(), thousands),
            published.map_or("–".into(), thousands),
            republished.map_or("–".into(), thousands),
            if preview.is_some() && preview == published && published == republished {
                "equal, as they must be"
            } else {
                "**they differ**"
            },
        );
        if let Some(publish) = step(engine, "campaign publish") {
            let lines: Vec<&str> = publish.output.lines().skip(1).collect();
            let _ = write!(out, "The publish's own report:\n\n```\n{}\n```\n\n", lines.join("\n"));
        }
    }
    out.push_str(&memory(report));
    out
}

/// Where the capacity units come from, in the run's own figures.
fn capacity_notes(report: &SurveyImportReport, engine: &EngineRun) -> String {
    let (Some(preview), Some(publish), Some(again)) = (
        step(engine, "campaign preview"),
        step(engine, "campaign publish"),
        step(engine, "campaign publish again"),
    ) else {
        return String::new();
    };
    let added = targets_of(publish).unwrap_or(0).max(1) as f64;
    format!(
        "Every walk of the year's roster partition (dependents import, roster re-import, preview, publish) \
         reads its {} items in {} Query pages for {} RCU (eventually consistent; the re-runs cost nothing \
         else). A roster or dependent row is 1 WCU (BatchWriteItem, 25 a call). A published target is {} WCU: \
         the item and its three list indexes, written by one conditional PutItem, 16 in flight, so publishing is \
         bounded by round trips ({} s for {} on DynamoDB Local). A re-publish writes nothing, but each \
         target's conditional PutItem is refused: {} round trips that DynamoDB reports no capacity for and \
         AWS bills as a write each (1 WCU for an item under 1 KB).\n\n",
        thousands(report.persons + report.dependents),
        thousands(preview.round_trips.unwrap_or(0)),
        large(preview.read_units.unwrap_or(f64::NAN)),
        fmt(publish.write_units.unwrap_or(f64::NAN) / added),
        fmt(publish.wall_s),
        thousands(publish.round_trips.unwrap_or(0)),
        thousands(again.condition_failed.unwrap_or(0)),
    )
}

/// What bounds each step's memory, with the figures of the run (the higher of both engines).
fn memory(report: &SurveyImportReport) -> String {
    let peak = |name: &str| {
        report
            .engines
            .iter()
            .filter_map(|e| step(e, name))
            .map(|s| s.peak_rss_mib)
            .fold(f64::NAN, f64::max)
    };
    // A process that does almost nothing (one UpdateItem): the tool's own footprint.
    let base = peak("insurer put");
    let per_row = |name: &str, rows: u32| (peak(name) - base) * 1_048_576.0 / f64::from(rows);
    let walk = peak("campaign preview")
        .max(peak("campaign publish"))
        .max(peak("campaign publish again"));
    format!(
        "### What bounds memory\n\n\
         kennin-admin alone, doing one write, takes {} MiB. **Preview and publish** hold one page of the \
         roster walk (1,000 items, a person and their dependents together) and publish's 16 writes in \
         flight, whatever the union's size: at most {} MiB here (on SQLite its page cache counts too). **Dependents import** reads its file \
         twice and keeps only keys: the roster's persons (each row's insured person must exist), the \
         file's dependents (to find who left) and, once dependents are stored, each stored dependent's \
         key and digest (to skip unchanged rows); with the file itself, read whole and decoded, that is \
         {} MiB on the first import and {} MiB on a re-run, about {} bytes per dependent of the union \
         above the baseline: it grows with the union, but by keys, not rows. **Roster import** is the step that \
         still holds rows whole: every parsed person (`roster::parse` answers a `Vec`), every new person's \
         item before the one `put_many` call, and on a re-run the stored roster in a map \
         (`HashMap<String, RosterPerson>`) instead of the items. That makes it the largest figure, {} MiB \
         for a first import and {} MiB for a re-run of {} persons, about {} KiB a person, linear in the \
         roster's size. At the issue's 100,000 persons it is well within a laptop's or a CI runner's \
         memory; reading the roster the way the dependents are read (check pass keeping keys, then batches \
         of 500 compared by digest) would bring it down to the dependents' level.\n\n",
        fmt(base),
        fmt(walk),
        fmt(peak("dependents import")),
        fmt(peak("dependents import again")),
        fmt(per_row("dependents import again", report.dependents)),
        fmt(peak("roster import")),
        fmt(peak("roster import again")),
        thousands(report.persons),
        fmt(per_row("roster import", report.persons) / 1024.0),
    )
}
