//! `cargo xtask`: what the scripts in scripts/ would otherwise do with sed, awk or Python —
//! reading template.yaml, driving the demo person through the API, counting answers, reading
//! the fuzzer's figures. The scripts
//! install tools and start services; anything that reads YAML or an application's output is here.

mod fuzz;
mod schemathesis;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Helpers for the scripts in scripts/")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The functions of template.yaml: each one's binary (= package) name, one a line.
    Functions {
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))]
        template: PathBuf,
    },
    /// Lays the deploy build out for `sam deploy`, as `sam build` would: OUT/template.yaml with
    /// every function's CodeUri at OUT/LOGICAL_ID, which gets the bootstrap cargo lambda built
    /// (LAMBDA_DIR/BINARY/bootstrap). OUT must not exist yet.
    DeployLayout {
        #[arg(long)]
        lambda_dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))]
        template: PathBuf,
    },
    /// Writes an API Gateway v2 event for every route of template.yaml (`NAME.json`, the body and
    /// path from the OpenAPI document's examples), for `cargo lambda invoke --data-file`.
    Events {
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events"))]
        out: PathBuf,
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))]
        template: PathBuf,
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../functions/portal/assets/openapi.json"))]
        openapi: PathBuf,
    },
    /// Signs the demo person up at a fresh kennin-local and takes them past first login ⑤; prints
    /// `NAME=token` lines: four sessions and an open signup flow (at ②) of another person.
    DemoSessions {
        /// kennin-local's address, e.g. http://127.0.0.1:3000
        #[arg(long)]
        base: String,
    },
    /// Succeeds when GET /api/me answers 200 to the session token.
    LoggedIn {
        #[arg(long)]
        base: String,
        session: String,
    },
    /// From schemathesis' NDJSON event files: a table of the answers' statuses per operation on
    /// stderr, and `REQUESTS SERVER_ERRORS` on stdout (an unanswered request counts as an error).
    SchemathesisAnswers { events: Vec<PathBuf> },
    /// From kennin-local's JSON log (one line per request): `REQUESTS SERVER_ERRORS` on stdout,
    /// the first 5xx lines on stderr.
    LoggedAnswers { log: PathBuf },
    /// From a libFuzzer run's log: `RUNS EXEC/S COV FT` on stdout, `-` where it has none.
    FuzzStats { log: PathBuf },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Functions { template } => functions(&template),
        Command::DeployLayout {
            lambda_dir,
            out,
            template,
        } => deploy_layout(&template, &lambda_dir, &out),
        Command::Events { out, template, openapi } => events(&out, &template, &openapi),
        Command::DemoSessions { base } => schemathesis::demo_sessions(&base),
        Command::LoggedIn { base, session } => schemathesis::logged_in(&base, &session),
        Command::SchemathesisAnswers { events } => schemathesis::answers(&events),
        Command::LoggedAnswers { log } => schemathesis::logged_answers(&log),
        Command::FuzzStats { log } => fuzz::print_stats(&log),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn functions(template: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
    let functions = kennin_template::functions(&text)?;
    if functions.is_empty() {
        return Err(format!("no function in {}", template.display()));
    }
    for function in functions {
        println!("{}", function.binary);
    }
    Ok(())
}

fn deploy_layout(template: &Path, lambda_dir: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
    let deployed = kennin_template::deploy_template(&text)?;
    // A folder of its own each time: a function dropped from the template leaves nothing behind.
    std::fs::create_dir(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let functions = kennin_template::functions(&text)?;
    for function in &functions {
        let bootstrap = lambda_dir.join(&function.binary).join("bootstrap");
        let folder = out.join(&function.logical_id);
        std::fs::create_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        // fs::copy keeps the executable bit.
        std::fs::copy(&bootstrap, folder.join("bootstrap")).map_err(|e| format!("{}: {e}", bootstrap.display()))?;
    }
    let written = out.join("template.yaml");
    std::fs::write(&written, deployed).map_err(|e| format!("{}: {e}", written.display()))?;
    println!("{} functions in {}", functions.len(), out.display());
    Ok(())
}

fn events(out: &Path, template: &Path, openapi: &Path) -> Result<(), String> {
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let events = kennin_template::events::events(&read(template)?, &read(openapi)?)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for event in &events {
        let path = out.join(format!("{}.json", event.name));
        let text = serde_json::to_string_pretty(&event.event).map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("{} events in {}", events.len(), out.display());
    Ok(())
}
