//! `kennin-bench`: the parts of docs/performance.md. scripts/bench.sh builds it in release and
//! runs every part, then `report` assembles the document; each part writes its raw figures to
//! docs/bench/<part>.json and its section to target/bench/<part>.md.

mod argon;
mod bill;
mod documents;
mod journey;
mod load;
mod local;
mod machine;
mod mail;
mod pages;
mod stats;
mod steps;
mod survey_form;
mod survey_import;

use clap::{Parser, Subcommand};
use serde::Serialize;
use serde::de::DeserializeOwned;
use stats::fmt;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(about = "kennin's benchmark suite (run it through scripts/bench.sh)")]
struct Cli {
    /// The repository root: raw figures go to docs/bench/, sections to target/bench/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    part: Part,
}

#[derive(Subcommand)]
enum Part {
    /// Warm per-step latency, DynamoDB round trips and capacity units, against DynamoDB Local.
    Steps {
        #[arg(long)]
        local: PathBuf,
        #[arg(long, env = "KENNIN_TEST_DYNAMODB_ENDPOINT")]
        endpoint: String,
        #[arg(long, default_value_t = 150)]
        persons: u32,
        #[arg(long, default_value_t = 15)]
        warm_up: u32,
        #[arg(long, default_value_t = 4)]
        repeats: u32,
    },
    /// argon2id: the crate as kennin builds it against Debian's reference C CLI.
    Argon2 {
        #[arg(long, default_value_t = 31)]
        rounds: usize,
    },
    /// The campaign mix under wrk, on the embedded store and on DynamoDB Local.
    Load {
        #[arg(long)]
        local: PathBuf,
        #[arg(long, env = "KENNIN_TEST_DYNAMODB_ENDPOINT")]
        endpoint: String,
        #[arg(long, default_value = "tests/bench/mix.lua")]
        script: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16")]
        levels: Vec<u32>,
        #[arg(long, default_value_t = 8)]
        seconds: u32,
        #[arg(long, default_value_t = 250)]
        pool: u32,
    },
    /// Importing and publishing a union of full size with the release kennin-admin, on the
    /// embedded store and on DynamoDB Local; its section is also put into docs/performance.md
    /// at once, in place of the previous one.
    SurveyImport {
        #[arg(long)]
        admin: PathBuf,
        #[arg(long, env = "KENNIN_TEST_DYNAMODB_ENDPOINT")]
        endpoint: String,
        #[arg(long, default_value_t = 100_000)]
        persons: u32,
        #[arg(long, default_value_t = 150_000)]
        dependents: u32,
    },
    /// Measures nothing: puts survey-import's section into docs/performance.md again from
    /// docs/bench/survey-import.json (after a change of its text).
    SurveyImportSection,
    /// Measures nothing itself: puts the pages' section into docs/performance.md from
    /// docs/bench/pages.json, which tests/browser/pages.bench.mjs wrote (scripts/bench.sh runs
    /// it through scripts/browser-tests.sh with KENNIN_PAGES_BENCH_OUT), and the bill again
    /// with the person's requests the journey counted (docs/bench/requests.json).
    Pages,
    /// The survey form's save and submit steps and a whole survey's capacity units, against
    /// DynamoDB Local; its section, the bill and the bill's rows of the targets are also put
    /// into docs/performance.md at once (the bill needs the steps and argon2 parts' figures).
    SurveyForm {
        #[arg(long)]
        local: PathBuf,
        #[arg(long, env = "KENNIN_TEST_DYNAMODB_ENDPOINT")]
        endpoint: String,
        #[arg(long, default_value_t = 15)]
        persons: u32,
        #[arg(long, default_value_t = 3)]
        warm_up: u32,
    },
    /// The documents' presign and complete steps against DynamoDB Local, the S3 calls of the
    /// complete step on moto and the verification of 9 MB files at the function's memory size;
    /// its section and the bill are also put into docs/performance.md at once (the bill needs
    /// the steps, argon2 and survey-form parts' figures).
    Documents {
        #[arg(long)]
        local: PathBuf,
        #[arg(long, env = "KENNIN_TEST_DYNAMODB_ENDPOINT")]
        endpoint: String,
        /// moto's server, which scripts/services.sh exports as the SES endpoint.
        #[arg(long, env = "KENNIN_TEST_SES_ENDPOINT")]
        moto: String,
        #[arg(long, default_value_t = 6)]
        persons: u32,
        #[arg(long, default_value_t = 2)]
        warm_up: u32,
    },
    /// The mail schedule: its sending rate on moto's SES and the mails of a simulated campaign
    /// (embedded store, moved clock); its section and the bill (its SES line) are also put into
    /// docs/performance.md at once.
    Mail {
        /// moto's server, which scripts/services.sh exports as the SES endpoint.
        #[arg(long, env = "KENNIN_TEST_SES_ENDPOINT")]
        moto: String,
        #[arg(long, default_value_t = 5_000)]
        persons: usize,
    },
    /// The documents part's child process: verifies one file and prints its time and peak memory.
    #[command(hide = true)]
    VerifyFile {
        #[arg(long)]
        content_type: String,
        #[arg(long)]
        path: PathBuf,
    },
    /// The campaign bill, the summary of every target, and docs/performance.md.
    Report {
        #[command(flatten)]
        facts: machine::RunFacts,
    },
}

fn write_json<T: Serialize>(root: &Path, part: &str, value: &T) -> Result<(), String> {
    let dir = root.join("docs/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(format!("{part}.json")), text + "\n").map_err(|e| e.to_string())
}

fn read_json<T: DeserializeOwned>(root: &Path, part: &str) -> Result<T, String> {
    let path = root.join(format!("docs/bench/{part}.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e} (run that part first)", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_section(root: &Path, part: &str, text: &str) -> Result<(), String> {
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(format!("{part}.md")), text).map_err(|e| e.to_string())
}

fn work_dir(root: &Path, part: &str) -> PathBuf {
    root.join("target/bench/work").join(part)
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(error) = run(cli).await {
        eprintln!("kennin-bench: {error}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let root = cli.root;
    match cli.part {
        Part::Steps {
            local,
            endpoint,
            persons,
            warm_up,
            repeats,
        } => {
            let report = steps::run(&local, &endpoint, &work_dir(&root, "steps"), persons, warm_up, repeats).await?;
            write_json(&root, "steps", &report)?;
            let before = read_json::<steps::StepsReport>(&root, steps::BEFORE_FOLDING).ok();
            let section = steps::markdown(&report, before.as_ref());
            write_section(&root, "steps", &section)?;
            splice_section(&root, steps::HEADING, &section)?;
            splice_rows(&root, WARM_ROW, &warm_step_rows(&report))?;
            eprint!("{section}");
        }
        Part::Argon2 { rounds } => {
            let report = tokio::task::spawn_blocking(move || argon::run(rounds))
                .await
                .map_err(|e| e.to_string())??;
            eprintln!(
                "argon2: kennin {} ms, C {} ms, ratio {}",
                fmt(report.rust_cpu_p50_ms),
                fmt(report.c_cpu_p50_ms),
                fmt(report.ratio_p50)
            );
            write_json(&root, "argon2", &report)?;
        }
        Part::Load {
            local,
            endpoint,
            script,
            levels,
            seconds,
            pool,
        } => {
            let work = work_dir(&root, "load");
            let plan = load::LoadPlan {
                binary: &local,
                script: &script,
                work_dir: &work,
                levels: &levels,
                seconds,
                pool,
            };
            let sqlite = load::run(&plan, local::Engine::Sqlite).await?;
            let dynamo = local::Engine::Dynamo {
                endpoint,
                table: local::fresh_table("load"),
            };
            let dynamo = load::run(&plan, dynamo).await?;
            let loads = vec![sqlite, dynamo];
            write_json(&root, "load", &loads)?;
            write_section(&root, "load", &load::markdown(&loads, seconds))?;
        }
        Part::SurveyImport {
            admin,
            endpoint,
            persons,
            dependents,
        } => {
            let work = work_dir(&root, "survey-import");
            let table = local::fresh_table("survey-import");
            let dynamo = local::Engine::Dynamo {
                endpoint: endpoint.clone(),
                table: table.clone(),
            };
            let measured = tokio::task::spawn_blocking(move || {
                let mut report = survey_import::prepare(&work, persons, dependents)?;
                let sizes = (persons, dependents);
                let sqlite =
                    survey_import::run_engine(&admin, &work, &survey_import::Target::Sqlite, report.year, sizes);
                report.engines.push(sqlite?);
                let target = survey_import::Target::Dynamo {
                    endpoint: &endpoint,
                    table: &table,
                };
                let dynamo = survey_import::run_engine(&admin, &work, &target, report.year, sizes);
                report.engines.push(dynamo?);
                Ok::<_, String>(report)
            })
            .await
            .map_err(|e| e.to_string())?;
            // DynamoDB Local keeps its tables in memory: drop this one whatever happened.
            dynamo.discard().await;
            let report = measured?;
            write_json(&root, "survey-import", &report)?;
            survey_import_section(&root, &report)?;
        }
        Part::SurveyForm {
            local,
            endpoint,
            persons,
            warm_up,
        } => {
            let work = work_dir(&root, "survey-form");
            let report = survey_form::run(&local, &endpoint, &work, persons, warm_up).await?;
            write_json(&root, "survey-form", &report)?;
            let section = survey_form::markdown(&report);
            write_section(&root, "survey-form", &section)?;
            splice_section(&root, survey_form::HEADING, &section)?;
            eprint!("{section}");
            let documents = read_json::<documents::DocumentsReport>(&root, "documents").ok();
            splice_rows(&root, SURVEY_ROW, &survey_step_rows(&report, documents.as_ref()))?;
            splice_bill(&root, &report)?;
        }
        Part::Documents {
            local,
            endpoint,
            moto,
            persons,
            warm_up,
        } => {
            let template = std::fs::read_to_string(root.join("template.yaml")).map_err(|e| e.to_string())?;
            let plan = documents::Plan {
                binary: &local,
                endpoint: &endpoint,
                moto: &moto,
                work_dir: &work_dir(&root, "documents"),
                template: &template,
                persons,
                warm_up,
            };
            let report = documents::run(&plan).await?;
            write_json(&root, "documents", &report)?;
            let section = documents::markdown(&report);
            write_section(&root, "documents", &section)?;
            splice_section(&root, documents::HEADING, &section)?;
            eprint!("{section}");
            let survey = read_json(&root, "survey-form")?;
            splice_rows(&root, SURVEY_ROW, &survey_step_rows(&survey, Some(&report)))?;
            splice_bill(&root, &survey)?;
        }
        Part::Mail { moto, persons } => {
            let report = mail::run(&work_dir(&root, "mail"), &moto, persons).await?;
            write_json(&root, "mail", &report)?;
            let section = mail::markdown(&report);
            write_section(&root, "mail", &section)?;
            splice_section(&root, mail::HEADING, &section)?;
            eprint!("{section}");
            splice_bill(&root, &read_json(&root, "survey-form")?)?;
        }
        Part::VerifyFile { content_type, path } => documents::verify_file(&path, &content_type)?,
        Part::SurveyImportSection => {
            survey_import_section(&root, &read_json(&root, "survey-import")?)?;
        }
        Part::Pages => {
            let report: pages::PagesReport = read_json(&root, "pages")?;
            let section = pages::markdown(&report);
            write_section(&root, "pages", &section)?;
            splice_section(&root, pages::HEADING, &section)?;
            splice_rows(&root, pages::ROW, &pages::target_rows(&report))?;
            eprint!("{section}");
            // The same part counts a person's requests through the journey: the bill follows.
            splice_bill(&root, &read_json(&root, "survey-form")?)?;
        }
        Part::Report { facts } => report(&root, &facts)?,
    }
    Ok(())
}

fn survey_import_section(root: &Path, report: &survey_import::SurveyImportReport) -> Result<(), String> {
    let section = survey_import::markdown(report);
    write_section(root, "survey-import", &section)?;
    splice_section(root, survey_import::HEADING, &section)?;
    eprint!("{section}");
    Ok(())
}

/// The parts' sections in the order of docs/performance.md; tests/bench/notes.md follows them.
const SECTIONS: [&str; 11] = [
    "steps",
    "argon2",
    "load",
    "bill",
    "coldstart",
    "size",
    "survey-import",
    "survey-form",
    "documents",
    "mail",
    "pages",
];

/// The bill computed again with the survey's fresh figures, put into docs/performance.md in
/// place of the old one, with the targets' rows, the capacity line and the notes that follow
/// from it.
fn splice_bill(root: &Path, survey: &survey_form::SurveyFormReport) -> Result<(), String> {
    let steps: steps::StepsReport = read_json(root, "steps")?;
    let argon: argon::ArgonReport = read_json(root, "argon2")?;
    let template = std::fs::read_to_string(root.join("template.yaml")).map_err(|e| e.to_string())?;
    // The documents part may not have run yet: the bill is then without documents.
    let documents = read_json::<documents::DocumentsReport>(root, "documents").ok();
    let mails = read_json::<mail::MailReport>(root, "mail").ok();
    let journey: journey::JourneyRequests = read_json(root, "requests")?;
    let bill = bill::compute(
        &bill::Figures {
            steps: &steps,
            argon: &argon,
            survey,
            journey: &journey,
            documents: documents.as_ref(),
            campaign_mails: mails.as_ref().map(|report| &report.campaign),
        },
        &template,
    )?;
    write_json(root, "bill", &bill)?;
    let section = bill::markdown(&bill);
    write_section(root, "bill", &section)?;
    splice_section(root, bill::HEADING, &section)?;
    let path = root.join("docs/performance.md");
    let document = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let document = replaced_lines(&document, BILL_ROW, &bill_rows(&bill));
    let document = replaced_lines(&document, CAPACITY_LINE, &capacity_line(&steps, survey));
    std::fs::write(&path, document).map_err(|e| e.to_string())?;
    // The notes read the bill's lines: they follow it.
    let notes = std::fs::read_to_string(root.join("tests/bench/notes.md")).map_err(|e| e.to_string())?;
    splice_section(root, NOTES_HEADING, &notes)
}

const NOTES_HEADING: &str = "## Reading the figures";

const BILL_ROW: &str = "| campaign: ";
const CAPACITY_LINE: &str = "Capacity (DynamoDB billing units";

/// The targets' rows of the bill: each starts with `BILL_ROW`.
fn bill_rows(bill: &bill::Bill) -> String {
    let mut rows = format!(
        "{BILL_ROW}Lambda + API Gateway + DynamoDB + S3 ≤ US$5 per 100,000 persons | US${:.2} | {} |\n",
        bill.aws_usd(),
        met(bill.aws_usd() <= 5.0)
    );
    rows.push_str(&format!(
        "{BILL_ROW}everything (SES included) ≤ US$20 per 100,000 persons | US${:.2} | {} |\n",
        bill.total_usd(),
        met(bill.total_usd() <= 20.0)
    ));
    rows
}

/// The targets' rows of the warm steps: each starts with `WARM_ROW`.
const WARM_ROW: &str = "| warm ";

fn warm_step_rows(steps: &steps::StepsReport) -> String {
    steps
        .steps
        .iter()
        .filter(|s| !s.hashing)
        .map(|s| {
            format!(
                "{WARM_ROW}{} ≤ 1.2× its DynamoDB round trips | {}× ({} ms vs {} ms, p50) | {} |\n",
                s.step,
                fmt(s.ratio_p50),
                fmt(s.p50_ms),
                fmt(s.dynamodb_wait_p50_ms),
                met(s.ratio_p50 <= 1.2)
            )
        })
        .collect()
}

/// The targets' rows of the survey's steps (form, review, documents): each starts with
/// `SURVEY_ROW`.
const SURVEY_ROW: &str = "| survey ";

fn survey_step_rows(survey: &survey_form::SurveyFormReport, documents: Option<&documents::DocumentsReport>) -> String {
    let mut rows = String::new();
    let measured = survey.steps.iter().filter(|s| s.route != steps::TOP_PAGE);
    for (part, s) in measured
        .map(|s| ("form", s))
        .chain(survey.review.iter().map(|s| ("review", s)))
    {
        rows.push_str(&format!(
            "{SURVEY_ROW}{part}: {} ≤ 1.2× its DynamoDB round trips | {}× ({} ms vs {} ms, p50) | {} |\n",
            s.step,
            fmt(s.ratio_p50),
            fmt(s.p50_ms),
            fmt(s.dynamodb_wait_p50_ms),
            met(s.ratio_p50 <= 1.2)
        ));
    }
    let Some(documents) = documents else {
        return rows;
    };
    for s in &documents.steps {
        let ratio = s.p50_ms / s.dynamodb_wait_p50_ms;
        // The complete step verifies the file (every pixel decoded): its own work, not a wait.
        let verified = documents
            .verification
            .iter()
            .find(|v| v.bytes == documents.upload_bytes)
            .filter(|_| s.step.starts_with("complete"));
        let figure = match verified {
            Some(v) => format!(
                "{}× ({} ms vs {} ms, p50); {} ms of it verifying the {:.1} MB photo, {}× without",
                fmt(ratio),
                fmt(s.p50_ms),
                fmt(s.dynamodb_wait_p50_ms),
                fmt(v.p50_ms),
                v.bytes as f64 / 1e6,
                fmt((s.p50_ms - v.p50_ms) / s.dynamodb_wait_p50_ms)
            ),
            None => format!(
                "{}× ({} ms vs {} ms, p50)",
                fmt(ratio),
                fmt(s.p50_ms),
                fmt(s.dynamodb_wait_p50_ms)
            ),
        };
        rows.push_str(&format!(
            "{SURVEY_ROW}documents: {} ≤ 1.2× its DynamoDB round trips (S3's on AWS) | {figure} | {} |\n",
            s.step,
            met(ratio <= 1.2)
        ));
    }
    rows
}

/// The round-trip target's row: every step's round trips before and after folding.
fn round_trip_row(steps: &steps::StepsReport, before: &steps::StepsReport) -> String {
    let pairs: Vec<(&steps::StepFigures, usize)> = steps
        .steps
        .iter()
        .filter_map(|now| {
            let then = before.steps.iter().find(|b| b.step == now.step)?;
            Some((now, then.round_trips))
        })
        .collect();
    let fewer = pairs.iter().filter(|(now, then)| now.round_trips < *then).count();
    let more = pairs.iter().filter(|(now, then)| now.round_trips > *then).count();
    let named: Vec<String> = pairs
        .iter()
        .filter(|(now, _)| now.step.starts_with("identity") || now.step.starts_with("login"))
        .map(|(now, then)| format!("{} {then} → {}", now.step, now.round_trips))
        .collect();
    format!(
        "| round trips: fewer where the rules allow (before/after per step in its section) | {}; {fewer} of {} steps \
         fewer, {more} more | {} |\n",
        named.join(", "),
        pairs.len(),
        met(more == 0 && named.len() == 2 && fewer >= named.len())
    )
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met** (see its section)" }
}

/// The capacity line under the targets: a signup, a login, a top page and a whole survey.
fn capacity_line(steps: &steps::StepsReport, survey: &survey_form::SurveyFormReport) -> String {
    format!(
        "{CAPACITY_LINE}, transactions at 2 per item): one signup ① → ③ {} RRU + {} WRU; one login {} RRU + {} WRU; \
         one top page {} RRU + {} WRU; one whole survey ({} dependents, {} requests) {} RRU + {} WRU.\n",
        fmt(steps.signup.read_units),
        fmt(steps.signup.write_units),
        fmt(steps.login.read_units),
        fmt(steps.login.write_units),
        fmt(steps.top_page.read_units),
        fmt(steps.top_page.write_units),
        survey.survey.dependents,
        survey.survey.requests,
        fmt(survey.survey.read_units),
        fmt(survey.survey.write_units)
    )
}

/// `document` with its run of lines starting with `prefix` replaced by `lines` (which end in a
/// line break); unchanged when no line starts so.
fn replaced_lines(document: &str, prefix: &str, lines: &str) -> String {
    let mut out = String::with_capacity(document.len() + lines.len());
    let mut replaced = false;
    for line in document.split_inclusive('\n') {
        if line.starts_with(prefix) {
            if !replaced {
                out.push_str(lines);
                replaced = true;
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Puts one part's fresh rows of the targets table into docs/performance.md in place of its old
/// ones (lines starting with `prefix`).
fn splice_rows(root: &Path, prefix: &str, rows: &str) -> Result<(), String> {
    let path = root.join("docs/performance.md");
    let document = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(&path, replaced_lines(&document, prefix, rows)).map_err(|e| e.to_string())
}

/// Puts one part's fresh section into docs/performance.md without running the other parts:
/// in place of the section whose heading starts with `heading`, else before the section that follows it in
/// `SECTIONS` order (the notes, "## Reading the figures"), else at the end.
fn splice_section(root: &Path, heading: &str, section: &str) -> Result<(), String> {
    let path = root.join("docs/performance.md");
    let document = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(&path, spliced(&document, heading, section)).map_err(|e| e.to_string())
}

fn spliced(document: &str, heading: &str, section: &str) -> String {
    let next_heading = |from: usize| {
        document[from..]
            .match_indices("\n## ")
            .next()
            .map_or(document.len(), |(at, _)| from + at + 1)
    };
    let (start, end) = match document.find(&format!("\n{heading}")) {
        Some(at) => (at + 1, next_heading(at + 1)),
        None => {
            let at = document
                .find(&format!("\n{NOTES_HEADING}\n"))
                .map_or(document.len(), |at| at + 1);
            (at, at)
        }
    };
    let mut out = String::with_capacity(document.len() + section.len());
    out.push_str(&document[..start]);
    if start > 0 && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(section.trim_end());
    out.push_str("\n\n");
    out.push_str(&document[end..]);
    out.trim_end().to_string() + "\n"
}

/// The login latency and cost follow from the argon2 figures and the login's round trips, so
/// the argon2 section and the bill are written here, once every part has run.
fn report(root: &Path, facts: &machine::RunFacts) -> Result<(), String> {
    let steps: steps::StepsReport = read_json(root, "steps")?;
    let argon: argon::ArgonReport = read_json(root, "argon2")?;
    let loads: Vec<load::EngineLoad> = read_json(root, "load")?;
    let template = std::fs::read_to_string(root.join("template.yaml")).map_err(|e| e.to_string())?;
    let login = steps
        .steps
        .iter()
        .find(|s| s.route == "POST /api/session")
        .ok_or("no login figures")?;
    let argon_md = argon::markdown(
        &argon,
        login.dynamodb_wait_p50_ms,
        bill::TOKYO.lambda_arm_gb_second,
        bill::TOKYO.lambda_request,
    );
    write_section(root, "argon2", &argon_md)?;
    let survey: survey_form::SurveyFormReport = read_json(root, "survey-form")?;
    let documents = read_json::<documents::DocumentsReport>(root, "documents").ok();
    let mails = read_json::<mail::MailReport>(root, "mail").ok();
    let journey: journey::JourneyRequests = read_json(root, "requests")?;
    let bill = bill::compute(
        &bill::Figures {
            steps: &steps,
            argon: &argon,
            survey: &survey,
            journey: &journey,
            documents: documents.as_ref(),
            campaign_mails: mails.as_ref().map(|report| &report.campaign),
        },
        &template,
    )?;
    write_section(root, "survey-form", &survey_form::markdown(&survey))?;
    if let Some(documents) = &documents {
        write_section(root, "documents", &documents::markdown(documents))?;
    }
    if let Some(mails) = &mails {
        write_section(root, "mail", &mail::markdown(mails))?;
    }
    write_json(root, "bill", &bill)?;
    write_section(root, "bill", &bill::markdown(&bill))?;

    let mut summary = String::from("## Targets\n\n| target | figure | met? |\n|---|---|---|\n");
    summary.push_str(&warm_step_rows(&steps));
    summary.push_str(&survey_step_rows(&survey, documents.as_ref()));
    if let Ok(before) = read_json::<steps::StepsReport>(root, steps::BEFORE_FOLDING) {
        summary.push_str(&round_trip_row(&steps, &before));
    }
    summary.push_str(&format!(
        "| argon2id ≤ 1.3× the C reference | {}× ({} ms vs {} ms CPU, p50) | {} |\n",
        fmt(argon.ratio_p50),
        fmt(argon.rust_cpu_p50_ms),
        fmt(argon.c_cpu_p50_ms),
        met(argon.ratio_p50 <= 1.3)
    ));
    summary.push_str(&bill_rows(&bill));
    // The cold-start and size rows, as scripts/bench-coldstart.sh judged them.
    for part in ["coldstart-targets", "size-targets"] {
        if let Ok(rows) = std::fs::read_to_string(root.join(format!("target/bench/{part}.md"))) {
            summary.push_str(&rows);
        }
    }
    for load in &loads {
        let figure = match &load.knee {
            Some(k) => format!(
                "knee {} req/s at {} connections, p99 {} ms, 0 errors; peak RSS {} MiB",
                fmt(k.throughput),
                k.connections,
                fmt(k.p99_ms),
                fmt(load.runner_peak_rss_mib)
            ),
            None => "no level met the knee rule".to_string(),
        };
        summary.push_str(&format!(
            "| load on {}: 0 errors below the knee | {figure} | {} |\n",
            load.engine,
            met(load.knee.is_some())
        ));
    }
    if let Some(mails) = &mails {
        let within = mails
            .rates
            .iter()
            .all(|run| run.busiest_second <= run.configured_per_second);
        let figure: Vec<String> = mails
            .rates
            .iter()
            .map(|run| {
                format!(
                    "{}/s: {}/s achieved, busiest second {}",
                    run.configured_per_second,
                    fmt(run.achieved_per_second),
                    run.busiest_second
                )
            })
            .collect();
        summary.push_str(&format!(
            "| mail: never over the configured rate in any second | {} | {} |\n",
            figure.join("; "),
            met(within)
        ));
    }
    if let Ok(pages) = read_json::<pages::PagesReport>(root, "pages") {
        write_section(root, "pages", &pages::markdown(&pages))?;
        summary.push_str(&pages::target_rows(&pages));
    }
    summary.push('\n');
    summary.push_str(&capacity_line(&steps, &survey));
    summary.push('\n');
    write_section(root, "summary", &summary)?;

    // Its own section carries when it was measured; the raw figures are enough to write it.
    if let Ok(survey) = read_json::<survey_import::SurveyImportReport>(root, "survey-import") {
        write_section(root, "survey-import", &survey_import::markdown(&survey))?;
    }

    let mut document = machine::header(facts);
    document.push('\n');
    document.push_str(&summary);
    let sections = root.join("target/bench");
    for part in SECTIONS {
        if let Ok(text) = std::fs::read_to_string(sections.join(format!("{part}.md"))) {
            document.push_str(text.trim_end());
            document.push_str("\n\n");
        }
    }
    // What the figures cannot say by themselves: the round-trip argument, what limits the
    // targets not met, what was tried.
    if let Ok(text) = std::fs::read_to_string(root.join("tests/bench/notes.md")) {
        document.push_str(text.trim_end());
        document.push('\n');
    }
    std::fs::write(root.join("docs/performance.md"), document.trim_end().to_string() + "\n").map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{replaced_lines, round_trip_row, spliced};
    use crate::steps::StepsReport;

    #[test]
    fn the_round_trip_row_names_the_folded_steps_and_fails_on_any_step_that_grew() {
        // The committed run's shape, with round trips set here.
        let mut now: StepsReport = serde_json::from_str(include_str!("../../../docs/bench/steps.json")).unwrap();
        let mut before = now.clone();
        let set = |report: &mut StepsReport, step: &str, trips: usize| {
            report.steps.iter_mut().find(|s| s.step == step).unwrap().round_trips = trips;
        };
        set(&mut before, "identity ①", 7);
        set(&mut now, "identity ①", 3);
        set(&mut before, "login ④", 7);
        set(&mut now, "login ④", 4);
        let row = round_trip_row(&now, &before);
        assert!(row.contains("identity ① 7 → 3, login ④ 7 → 4"), "{row}");
        assert!(
            row.contains(&format!("2 of {} steps fewer, 0 more", now.steps.len())),
            "{row}"
        );
        assert!(row.ends_with("| met |\n"), "{row}");
        set(
            &mut now,
            "logout",
            before.steps.iter().find(|s| s.step == "logout").unwrap().round_trips + 1,
        );
        assert!(round_trip_row(&now, &before).contains("1 more | **not met**"));
    }

    #[test]
    fn a_run_of_lines_is_replaced_in_place() {
        let old = "| a | 1 |\n| campaign: x | 1 |\n| campaign: y | 2 |\n| b | 3 |\n";
        assert_eq!(
            replaced_lines(old, "| campaign: ", "| campaign: z | 9 |\n"),
            "| a | 1 |\n| campaign: z | 9 |\n| b | 3 |\n"
        );
        assert_eq!(replaced_lines(old, "Capacity", "Capacity 1\n"), old);
    }

    #[test]
    fn a_section_replaces_its_old_self_or_goes_before_the_notes() {
        let old = "# P\n\n## Size\n\nsmall\n\n## Import and publish (1 persons)\n\nold\n\n### SQLite\n\nold\n\n## Reading the figures\n\nnotes\n";
        let new = "## Import and publish (2 persons)\n\nnew\n";
        assert_eq!(
            spliced(old, "## Import and publish (", new),
            "# P\n\n## Size\n\nsmall\n\n## Import and publish (2 persons)\n\nnew\n\n## Reading the figures\n\nnotes\n"
        );
        let without = "# P\n\n## Size\n\nsmall\n\n## Reading the figures\n\nnotes\n";
        assert_eq!(
            spliced(without, "## Import and publish (", new),
            spliced(old, "## Import and publish (", new)
        );
        assert_eq!(
            spliced("# P\n\n## Size\n\nsmall\n", "## Import and publish (", new),
            "# P\n\n## Size\n\nsmall\n\n## Import and publish (2 persons)\n\nnew\n"
        );
    }
}
