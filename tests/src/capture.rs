//! The logs of the whole test run, and what must never be in them. Every test process that runs
//! the application writes the application's log lines, in the production format
//! (`kennin::lambda::install_logging`), to a file of its own in one folder; beside it, a sidecar
//! lists the personal and secret values the process's tests sent or received. The harness
//! records them by itself (request bodies, cookies it is given, codes read from mail), so no
//! test has to. `tests/tests/integration/log_audit.rs` reads the folder after the run with `audit`.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Where the run's logs go; scripts/test.sh sets it and empties the folder first.
pub const LOG_DIR_VAR: &str = "KENNIN_TEST_LOG_DIR";
pub const LOG_EXTENSION: &str = "log";
pub const VALUES_EXTENSION: &str = "values";

pub fn log_dir() -> PathBuf {
    std::env::var_os(LOG_DIR_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-logs"))
}

/// What a recorded value is; the audit names the kind, never the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Password,
    Code,
    SessionToken,
    SignupToken,
    BirthDate,
    Card,
    KanaName,
    Email,
    UserId,
    PostalCode,
    Address,
    Phone,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Password,
        Kind::Code,
        Kind::SessionToken,
        Kind::SignupToken,
        Kind::BirthDate,
        Kind::Card,
        Kind::KanaName,
        Kind::Email,
        Kind::UserId,
        Kind::PostalCode,
        Kind::Address,
        Kind::Phone,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Password => "password",
            Kind::Code => "verification code",
            Kind::SessionToken => "session token",
            Kind::SignupToken => "signup-flow token",
            Kind::BirthDate => "birth date",
            Kind::Card => "card symbol and number",
            Kind::KanaName => "kana name",
            Kind::Email => "email address",
            Kind::UserId => "user ID",
            Kind::PostalCode => "postal code",
            Kind::Address => "address",
            Kind::Phone => "phone number",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Shorter values are not recorded: they would match by chance (a card number `1`), and a
/// value that short is not what a leak looks like.
const MIN_VALUE_BYTES: usize = 4;

struct Capture {
    values: Mutex<(HashSet<(Kind, String)>, File)>,
}

static CAPTURE: OnceLock<Capture> = OnceLock::new();

/// The test binary's name and the process ID: one pair of files per process, whether the
/// runner gives each test its own process (nextest) or runs many in one (`cargo test`).
fn process_stem() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|stem| stem.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "tests".to_string());
    format!("{binary}-{}", std::process::id())
}

fn open_append(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Starts capturing, once per process: the application's logs go to this process's log file.
pub fn install() {
    CAPTURE.get_or_init(|| {
        let dir = log_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let stem = process_stem();
        let log = open_append(&dir.join(format!("{stem}.{LOG_EXTENSION}")));
        kennin::lambda::install_logging(Mutex::new(log)).expect("a test process has no other logger");
        let values = open_append(&dir.join(format!("{stem}.{VALUES_EXTENSION}")));
        Capture {
            values: Mutex::new((HashSet::new(), values)),
        }
    });
}

/// The file a real binary started by a test writes its log lines to.
pub fn binary_log_path(binary: &str) -> PathBuf {
    let dir = log_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir.join(format!("{binary}-{}.{LOG_EXTENSION}", process_stem()))
}

/// Records a value that must never appear in a log line.
pub fn record(kind: Kind, value: &str) {
    let value = value.trim();
    if value.len() < MIN_VALUE_BYTES {
        return;
    }
    install();
    let capture = CAPTURE.get().expect("installed");
    let mut guard = capture.values.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let (seen, file) = &mut *guard;
    if seen.insert((kind, value.to_string())) {
        let line = serde_json::json!({ "kind": kind.name(), "value": value });
        writeln!(file, "{line}").expect("values sidecar writable");
    }
}

/// A date the test clock never reaches, so any real birth date parses.
fn far_future() -> time::Date {
    time::Date::from_calendar_date(2999, time::Month::January, 1).expect("a date")
}

/// Records the sensitive fields of a JSON request body, in every form the application may
/// hold them in (as typed and normalised).
pub fn record_body(body: &Value) {
    match body {
        Value::Object(fields) => {
            for (name, value) in fields {
                match value.as_str() {
                    Some(text) => record_field(name, text),
                    None => record_body(value),
                }
            }
            if let (Some(symbol), Some(number)) = (
                fields.get("symbol").and_then(Value::as_str),
                fields.get("number").and_then(Value::as_str),
            ) {
                record_card(symbol, number);
            }
        }
        Value::Array(items) => items.iter().for_each(record_body),
        _ => {}
    }
}

fn record_field(name: &str, text: &str) {
    use kennin::domain::{BirthDate, KanaName, PhoneNumber, UserId};
    match name {
        "password" | "currentPassword" => record(Kind::Password, text),
        "code" => record(Kind::Code, text),
        "birthDate" => {
            record(Kind::BirthDate, text);
            if let Ok(date) = BirthDate::parse(text, far_future()) {
                let date = date.date();
                let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
                for form in [
                    format!("{y:04}/{m:02}/{d:02}"),
                    format!("{y:04}{m:02}{d:02}"),
                    format!("{y:04}-{m:02}-{d:02}"),
                    format!("{y:04}/{m}/{d}"),
                ] {
                    record(Kind::BirthDate, &form);
                }
            }
        }
        "nameKana" => {
            record(Kind::KanaName, text);
            for part in text.split([' ', '\u{3000}']) {
                record(Kind::KanaName, part);
            }
            if let Ok(kana) = KanaName::parse(text) {
                record(Kind::KanaName, kana.as_str());
            }
        }
        "email" => {
            record(Kind::Email, text);
            record(Kind::Email, &text.to_lowercase());
        }
        "userId" => {
            record(Kind::UserId, text);
            if let Ok(user_id) = UserId::parse(text) {
                record(Kind::UserId, &user_id.key());
            }
        }
        "postalCode" => record_postal_code(text),
        "address" => record(Kind::Address, text),
        "phone" => {
            record(Kind::Phone, text);
            if let Ok(phone) = PhoneNumber::parse(text) {
                record(Kind::Phone, phone.as_str());
            }
        }
        _ => {}
    }
}

pub fn record_postal_code(text: &str) {
    record(Kind::PostalCode, text);
    if let Ok(code) = kennin::domain::PostalCode::parse(text) {
        record(Kind::PostalCode, code.as_str());
        record(Kind::PostalCode, &code.to_display());
    }
}

/// The card as a leak would write it: 記号 and 番号 joined (each alone is too short to tell).
fn record_card(symbol: &str, number: &str) {
    let (symbol, number) = (symbol.trim(), number.trim());
    if symbol.is_empty() || number.is_empty() {
        return;
    }
    for separator in ["-", " ", "/", ",", "\u{3000}", "・"] {
        record(Kind::Card, &format!("{symbol}{separator}{number}"));
    }
}

// ------------------------------------------------------------------------------- the audit

/// Lines written outside any request: they need no request ID.
pub const PROCESS_MESSAGES: [&str; 3] = ["postal data loaded", "postal data unreadable", "store warm-up failed"];

/// Every authentication outcome the application logs as an event; each must show up at least
/// once in a whole run, so a renamed or lost event fails the audit.
pub const EXPECTED_EVENTS: [&str; 28] = [
    "identity_check_passed",
    "identity_check_failed",
    "identity_check_throttled",
    "signup_code_refused",
    "account_created",
    "login_succeeded",
    "login_failed",
    "login_locked",
    "login_refused_locked",
    "login_refused_earlier_year",
    "login_refused_address_throttled",
    "login_locked_until_reset",
    "login_refused_until_reset",
    "login_refused_disabled",
    "logged_out",
    "session_expired",
    "session_ended_by_credential_change",
    "session_ended_by_account_disabled",
    "other_sessions_ended",
    "password_reset_code_issued",
    "password_reset_refused",
    "password_reset",
    "password_changed",
    "password_change_refused",
    "email_change_requested",
    "email_change_refused",
    "email_changed",
    "user_id_reminder_sent",
];

#[derive(Debug, Default)]
pub struct Audit {
    pub log_files: usize,
    pub lines: usize,
    pub values: usize,
    /// Each finding names the file, the line and what is wrong, never a recorded value.
    pub findings: Vec<String>,
    pub events: BTreeSet<String>,
}

impl Audit {
    pub fn missing_events(&self) -> Vec<&'static str> {
        EXPECTED_EVENTS
            .into_iter()
            .filter(|event| !self.events.contains(*event))
            .collect()
    }
}

fn files_with(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|e| e == extension))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The recorded values of every sidecar in `dir`, each with its kind.
pub fn recorded_values(dir: &Path) -> BTreeMap<String, Kind> {
    let mut values = BTreeMap::new();
    for path in files_with(dir, VALUES_EXTENSION) {
        let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for line in BufReader::new(file).lines().map_while(Result::ok) {
            let entry: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let kind = entry["kind"].as_str().and_then(Kind::from_name);
            if let (Some(kind), Some(value)) = (kind, entry["value"].as_str()) {
                values.insert(value.to_string(), kind);
            }
        }
    }
    values
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The name of the JSON field that holds `needle`, for the finding.
fn field_at(entry: &Value, needle: &str) -> String {
    fn walk(value: &Value, path: &str, needle: &str) -> Option<String> {
        match value {
            Value::Object(fields) => fields.iter().find_map(|(name, v)| {
                let here = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                walk(v, &here, needle)
            }),
            Value::String(text) if text.contains(needle) => Some(path.to_string()),
            other if other.to_string().contains(needle) => Some(path.to_string()),
            _ => None,
        }
    }
    walk(entry, "", needle).unwrap_or_else(|| "(whole line)".to_string())
}

/// Reads every log file and every recorded value in `dir` and reports what is wrong.
pub fn audit(dir: &Path) -> Audit {
    let values = recorded_values(dir);
    let patterns: Vec<&String> = values.keys().collect();
    // The automaton kind is fixed: left to choose, the builder makes a DFA for a small set of
    // patterns, which takes minutes in a debug build when one of them is a hostile test's
    // 6,000-character input.
    let matcher = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(&patterns)
        .expect("patterns build");
    let mut audit = Audit {
        values: values.len(),
        ..Audit::default()
    };
    for path in files_with(dir, LOG_EXTENSION) {
        audit.log_files += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (index, line) in BufReader::new(file).lines().enumerate() {
            let at = format!("{name}:{}", index + 1);
            let Ok(line) = line else {
                audit.findings.push(format!("{at}: not UTF-8"));
                continue;
            };
            audit.lines += 1;
            let entry: Value = match serde_json::from_str(&line) {
                Ok(entry @ Value::Object(_)) => entry,
                _ => {
                    audit.findings.push(format!("{at}: not a JSON object"));
                    Value::Null
                }
            };
            for found in matcher.find_overlapping_iter(&line) {
                let bytes = line.as_bytes();
                let clear_before = found.start() == 0 || !is_word_byte(bytes[found.start() - 1]);
                let clear_after = found.end() == bytes.len() || !is_word_byte(bytes[found.end()]);
                if clear_before && clear_after {
                    let value = patterns[found.pattern().as_usize()];
                    audit.findings.push(format!(
                        "{at}: a {} in field `{}`",
                        values[value].name(),
                        field_at(&entry, value)
                    ));
                }
            }
            if entry.is_null() {
                continue;
            }
            let request_id = entry["request_id"].as_str().or(entry["span"]["request_id"].as_str());
            let message = entry["message"].as_str().unwrap_or("");
            if request_id.is_none_or(str::is_empty) && !PROCESS_MESSAGES.contains(&message) {
                audit
                    .findings
                    .push(format!("{at}: no request ID (message `{message}`)"));
            }
            if !entry["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')) {
                audit.findings.push(format!("{at}: no UTC timestamp"));
            }
            if let Some(event) = entry["event"].as_str() {
                audit.events.insert(event.to_string());
            }
        }
    }
    audit
}
