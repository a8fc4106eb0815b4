//! Cold starts side by side: every kennin function, the no-SDK floor, the same-SDK floor (kennin's
//! DynamoDB client making the identity step's first call), and the same identity step
//! in Python + boto3 and in Node + the AWS SDK v3, each spawned fresh against its own Runtime API
//! emulator, round-robin, N rounds. Writes the raw samples as JSON and a markdown section with
//! medians, p90s and per-round ratios. A benchmark, not a test: slow machines give slow figures,
//! never a failure; only a subject that does not answer (or answers 5xx) fails the run.

mod emulator;
mod relay;
mod report;
mod size;

use clap::Parser;
use emulator::Emulator;
use relay::Relay;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Cold-start and package-size benchmark of kennin's Lambda functions")]
enum Cli {
    /// Cold starts of every subject, round-robin; the raw samples and the markdown section.
    Run(Box<RunArgs>),
    /// The package-size section from the built bootstraps and their zips.
    Size(size::SizeArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Cold starts per subject (interleaved round-robin).
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Folder with the kennin functions' release binaries (kennin-signup-identity, …).
    #[arg(long)]
    functions: PathBuf,
    /// template.yaml: which functions there are (Metadata.BuildProperties.Binary).
    #[arg(long)]
    template: PathBuf,
    /// The folder `cargo xtask events` wrote: the API Gateway v2 event each function gets first.
    #[arg(long)]
    events: PathBuf,
    /// The no-SDK lambda_http hello function.
    #[arg(long)]
    floor: PathBuf,
    /// lambda_http with kennin's DynamoDB client making the identity step's first call.
    #[arg(long)]
    sdk_floor: PathBuf,
    /// The python of the venv with boto3 and awslambdaric.
    #[arg(long)]
    python: PathBuf,
    /// The folder with app.py.
    #[arg(long)]
    python_app: PathBuf,
    /// The node binary.
    #[arg(long, default_value = "node")]
    node: PathBuf,
    /// The folder with index.mjs and node_modules (@aws-sdk/client-dynamodb, aws-lambda-ric).
    #[arg(long)]
    node_app: PathBuf,
    /// Another build of kennin-signup-identity to compare: `LABEL=PATH` (repeatable).
    #[arg(long, value_parser = parse_variant)]
    variant: Vec<(String, PathBuf)>,
    #[arg(long)]
    dynamodb_endpoint: String,
    #[arg(long)]
    ses_endpoint: Option<String>,
    #[arg(long)]
    table: String,
    /// Where each subject's stdout and stderr go (one file per subject).
    #[arg(long)]
    logs: PathBuf,
    #[arg(long)]
    json: PathBuf,
    #[arg(long)]
    markdown: PathBuf,
    /// The cold-start rows for the targets table of docs/performance.md.
    #[arg(long)]
    targets: PathBuf,
    /// Only these kennin functions (binary names); every function in the template when empty.
    #[arg(long)]
    function: Vec<String>,
}

fn parse_variant(value: &str) -> Result<(String, PathBuf), String> {
    let (label, path) = value.split_once('=').ok_or("expected LABEL=PATH")?;
    Ok((label.to_string(), PathBuf::from(path)))
}

/// The step every runtime is compared on.
pub const IDENTITY: &str = "kennin-signup-identity";
pub const FLOOR: &str = "floor: lambda_http hello, no SDK";
pub const SDK_FLOOR: &str = "same-SDK floor: lambda_http + kennin's DynamoDB client, one GetItem";
pub const PYTHON: &str = "Python 3.11 + boto3 (awslambdaric)";
pub const NODE: &str = "Node 20 + @aws-sdk/client-dynamodb (aws-lambda-ric)";
pub const SMALL_ARGON2: &str = "kennin-signup-identity, argon2 m=8 KiB t=1";
pub const BUNDLE_ONLY: &str = "kennin-signup-identity, CA bundle file only";
/// Debian's bundle of the system's root certificates, next to one file per certificate.
const DEBIAN_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Kennin,
    Floor,
    Peer,
    Variant,
}

struct Subject {
    name: String,
    group: Group,
    program: PathBuf,
    args: Vec<String>,
    dir: Option<PathBuf>,
    env: Vec<(String, String)>,
    event_file: PathBuf,
    event: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub round: usize,
    /// Spawn → first `/next` poll.
    pub init_ms: Option<f64>,
    /// Spawn → first response posted.
    pub first_invocation_ms: Option<f64>,
    pub status: Option<u16>,
    /// When each connection to DynamoDB was opened, ms after spawn.
    pub dynamodb_connections_ms: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SubjectResult {
    pub name: String,
    pub group: Group,
    pub event: String,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub load_before: String,
    pub load_after: String,
}

#[derive(Debug, Serialize)]
pub struct Run {
    pub started_unix: u64,
    pub rounds: usize,
    pub wall_seconds: f64,
    pub machine: Machine,
    pub subjects: Vec<SubjectResult>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Cli::parse() {
        Cli::Run(args) => run(*args).await,
        Cli::Size(args) => Ok(size::write(&args)?),
    }
}

async fn run(cli: RunArgs) -> Result<(), Box<dyn std::error::Error>> {
    let subjects = subjects(&cli)?;
    std::fs::create_dir_all(&cli.logs)?;
    let dynamodb = endpoint_address(&cli.dynamodb_endpoint).await?;
    let started = Instant::now();
    let started_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let load_before = read_trimmed("/proc/loadavg");

    let mut results: Vec<SubjectResult> = subjects
        .iter()
        .map(|subject| SubjectResult {
            name: subject.name.clone(),
            group: subject.group,
            event: subject.event_file.display().to_string(),
            samples: Vec::new(),
        })
        .collect();
    for round in 0..cli.rounds {
        // Each round starts one subject further on, so no subject always follows the same one.
        for offset in 0..subjects.len() {
            let index = (round + offset) % subjects.len();
            let sample = cold_start(&cli, &subjects[index], dynamodb, round).await?;
            if let Some(error) = &sample.error {
                eprintln!("bench-coldstart: {} round {round}: {error}", subjects[index].name);
            }
            results[index].samples.push(sample);
        }
        eprintln!("bench-coldstart: round {}/{} done", round + 1, cli.rounds);
    }

    let run = Run {
        started_unix,
        rounds: cli.rounds,
        wall_seconds: started.elapsed().as_secs_f64(),
        machine: Machine {
            cpu: cpu_model(),
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            kernel: read_trimmed("/proc/sys/kernel/osrelease"),
            load_before,
            load_after: read_trimmed("/proc/loadavg"),
        },
        subjects: results,
    };
    for path in [&cli.json, &cli.markdown, &cli.targets] {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
    }
    std::fs::write(&cli.json, serde_json::to_string_pretty(&run)? + "\n")?;
    std::fs::write(&cli.markdown, report::markdown(&run))?;
    std::fs::write(&cli.targets, report::target_rows(&run))?;
    let broken: Vec<&str> = run
        .subjects
        .iter()
        .filter(|subject| {
            subject
                .samples
                .iter()
                .any(|sample| sample.first_invocation_ms.is_none() || sample.status.is_none_or(|s| s >= 500))
        })
        .map(|subject| subject.name.as_str())
        .collect();
    if !broken.is_empty() {
        return Err(format!(
            "no answer or a 5xx from: {} (logs in {})",
            broken.join(", "),
            cli.logs.display()
        )
        .into());
    }
    Ok(())
}

/// Paths made absolute, since the interpreted subjects run in their own folder; a bare program
/// name stays as it is, for the PATH lookup.
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    if path.components().count() > 1 {
        std::path::absolute(path)
    } else {
        Ok(path.to_path_buf())
    }
}

fn subjects(cli: &RunArgs) -> Result<Vec<Subject>, Box<dyn std::error::Error>> {
    let functions = absolute(&cli.functions)?;
    let python = absolute(&cli.python)?;
    let python_app = absolute(&cli.python_app)?;
    let node = absolute(&cli.node)?;
    let node_app = absolute(&cli.node_app)?;
    let template = std::fs::read_to_string(&cli.template)?;
    let declared = kennin_template::functions(&template)?;
    if let Some(unknown) = cli
        .function
        .iter()
        .find(|chosen| !declared.iter().any(|function| function.binary == **chosen))
    {
        return Err(format!("{unknown} is not a function of {}", cli.template.display()).into());
    }
    // A function without routes (the scheduled purge) keeps nobody waiting on its cold start.
    let binaries: Vec<&str> = declared
        .iter()
        .filter(|function| !function.routes.is_empty())
        .map(|function| function.binary.as_str())
        .filter(|binary| cli.function.is_empty() || cli.function.iter().any(|chosen| chosen == binary))
        .collect();
    let identity_event = cli.events.join("signup-identity.json");
    let mut subjects = Vec::new();
    let mut push =
        |name: &str, group, program: PathBuf, args: Vec<String>, dir, env: Vec<(String, String)>, event: &Path| {
            let bytes = std::fs::read(event).map_err(|e| format!("{}: {e}", event.display()))?;
            subjects.push(Subject {
                name: name.to_string(),
                group,
                program,
                args,
                dir,
                env,
                event_file: event.to_path_buf(),
                event: bytes,
            });
            Ok::<_, String>(())
        };
    for binary in &binaries {
        let event = event_for(&cli.events, binary)?;
        push(
            binary,
            Group::Kennin,
            functions.join(binary),
            vec![],
            None,
            vec![],
            &event,
        )?;
    }
    push(
        FLOOR,
        Group::Floor,
        absolute(&cli.floor)?,
        vec![],
        None,
        vec![],
        &identity_event,
    )?;
    push(
        SDK_FLOOR,
        Group::Floor,
        absolute(&cli.sdk_floor)?,
        vec![],
        None,
        vec![],
        &identity_event,
    )?;
    push(
        PYTHON,
        Group::Peer,
        python,
        ["-m", "awslambdaric", "app.handler"].map(String::from).to_vec(),
        Some(python_app.clone()),
        vec![
            ("LAMBDA_TASK_ROOT".into(), python_app.display().to_string()),
            // Lambda's code folder is read-only: app.py is compiled at every cold start there too.
            ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
        ],
        &identity_event,
    )?;
    push(
        NODE,
        Group::Peer,
        node,
        vec![
            node_app
                .join("node_modules/aws-lambda-ric/bin/index.mjs")
                .display()
                .to_string(),
            "index.handler".into(),
        ],
        Some(node_app.clone()),
        vec![("LAMBDA_TASK_ROOT".into(), node_app.display().to_string())],
        &identity_event,
    )?;
    // The same binary with a trivial argon2 cost: the difference is what argon2 costs at cold
    // start (the dummy hash for unknown users used to be computed there).
    if binaries.contains(&IDENTITY) {
        push(
            SMALL_ARGON2,
            Group::Variant,
            functions.join(IDENTITY),
            vec![],
            None,
            vec![
                ("KENNIN_ARGON2_MEMORY_KIB".into(), "8".into()),
                ("KENNIN_ARGON2_ITERATIONS".into(), "1".into()),
            ],
            &identity_event,
        )?;
    }
    // The same binary reading only the bundle file, not also the folder of single certificates
    // (292 files on Debian, a handful on Lambda's Amazon Linux 2023): what the SDK's loading of
    // the system's root certificates costs here beyond what it would cost there.
    if binaries.contains(&IDENTITY) && Path::new(DEBIAN_CA_BUNDLE).exists() {
        let no_folder = cli.logs.join("empty-ca-folder");
        std::fs::create_dir_all(&no_folder).map_err(|e| format!("{}: {e}", no_folder.display()))?;
        push(
            BUNDLE_ONLY,
            Group::Variant,
            functions.join(IDENTITY),
            vec![],
            None,
            vec![
                ("SSL_CERT_FILE".into(), DEBIAN_CA_BUNDLE.into()),
                ("SSL_CERT_DIR".into(), no_folder.display().to_string()),
            ],
            &identity_event,
        )?;
    }
    for (label, path) in &cli.variant {
        push(
            &format!("{IDENTITY}, {label}"),
            Group::Variant,
            absolute(path)?,
            vec![],
            None,
            vec![],
            &identity_event,
        )?;
    }
    Ok(subjects)
}

/// <events>/<folder>.json, or the first <folder>-*.json for a function with several routes.
fn event_for(events: &Path, binary: &str) -> Result<PathBuf, String> {
    let folder = binary.strip_prefix("kennin-").unwrap_or(binary);
    let exact = events.join(format!("{folder}.json"));
    if exact.exists() {
        return Ok(exact);
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(events)
        .map_err(|e| format!("{}: {e}", events.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(&format!("{folder}-")) && name.ends_with(".json"))
        })
        .collect();
    candidates.sort();
    candidates
        .into_iter()
        .next()
        .ok_or_else(|| format!("no event for {binary} in {}", events.display()))
}

async fn cold_start(
    cli: &RunArgs,
    subject: &Subject,
    dynamodb: std::net::SocketAddr,
    round: usize,
) -> Result<Sample, Box<dyn std::error::Error>> {
    let relay = Relay::start(dynamodb).await?;
    let emulator = Emulator::start(subject.event.clone().into()).await?;
    let log_name: String = subject
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(cli.logs.join(format!("{log_name}.log")))?;
    let mut command = tokio::process::Command::new(&subject.program);
    command
        .args(&subject.args)
        .env_clear()
        .envs(lambda_environment(cli, subject, &emulator, &relay))
        .envs(subject.env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true);
    if let Some(dir) = &subject.dir {
        command.current_dir(dir);
    }
    let spawned = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("{}: {e}", subject.program.display()))?;
    let milestones = emulator.finished(Duration::from_secs(60)).await;
    let _ = child.kill().await;
    let since = |at: Instant| at.duration_since(spawned).as_secs_f64() * 1000.0;
    let status = milestones
        .response_body
        .as_ref()
        .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
        .and_then(|response| response.get("statusCode").and_then(serde_json::Value::as_u64))
        .and_then(|status| u16::try_from(status).ok());
    let error = match (&milestones.error, milestones.first_response) {
        (Some(error), _) => Some(error.clone()),
        (None, None) => Some("no response within 60 s".to_string()),
        (None, Some(_)) => None,
    };
    Ok(Sample {
        round,
        init_ms: milestones.first_poll.map(since),
        first_invocation_ms: milestones.first_response.map(since),
        status,
        dynamodb_connections_ms: relay.connections().into_iter().map(since).collect(),
        error,
    })
}

/// What Lambda gives every function (less what cannot matter here), plus the template's
/// variables with local stand-ins: the relay in front of DynamoDB Local, moto for SES.
fn lambda_environment(cli: &RunArgs, subject: &Subject, emulator: &Emulator, relay: &Relay) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("LANG", "C.UTF-8".into()),
        ("TZ", ":UTC".into()),
        ("AWS_LAMBDA_RUNTIME_API", emulator.address.to_string()),
        ("AWS_REGION", "ap-northeast-1".into()),
        ("AWS_DEFAULT_REGION", "ap-northeast-1".into()),
        ("AWS_ACCESS_KEY_ID", "ASIABENCHCOLDSTART00".into()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "bench-coldstart-dummy-secret-access-key".into(),
        ),
        ("AWS_SESSION_TOKEN", "bench-coldstart-dummy-session-token".into()),
        ("AWS_LAMBDA_FUNCTION_NAME", subject.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_ENDPOINT_URL_DYNAMODB", format!("http://{}", relay.address)),
        ("KENNIN_TABLE", cli.table.clone()),
        ("KENNIN_MAIL_FROM", "no-reply@kennin.localhost".into()),
        ("KENNIN_SES_CONFIGURATION_SET", String::new()),
        ("KENNIN_SECRET", "kennin-bench-coldstart-secret-not-for-aws".into()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    // moto serves SES v2 and S3 alike: the document functions' bucket is there (none of their
    // first invocations reaches it: their events carry made-up sessions).
    if let Some(moto) = &cli.ses_endpoint {
        env.push(("AWS_ENDPOINT_URL_SESV2".into(), moto.clone()));
        env.push(("AWS_ENDPOINT_URL_S3".into(), moto.clone()));
    }
    env.push(("KENNIN_BUCKET".into(), "kennin-bench-coldstart-docs".into()));
    env
}

async fn endpoint_address(url: &str) -> Result<std::net::SocketAddr, Box<dyn std::error::Error>> {
    let host = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: expected http://HOST:PORT"))?
        .trim_end_matches('/');
    tokio::net::lookup_host(host)
        .await?
        .next()
        .ok_or_else(|| format!("{url}: no address").into())
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|text| text.trim().to_string())
        .unwrap_or_default()
}

fn cpu_model() -> String {
    read_trimmed("/proc/cpuinfo")
        .lines()
        .find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split_once(':')))
        .map(|(_, model)| model.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
