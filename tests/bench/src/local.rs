//! A release kennin-local on its own data folder, with a synthetic roster of the bench's own
//! union, and an HTTP client that speaks to it the way a browser's fetch would.

use kennin::clock::{Clock, SystemClock};
use kennin::domain::InsurerCode;
use kennin::roster;
use kennin::store::ItemStore;
use kennin::store::dynamodb::DynamoStore;
use kennin::store::sqlite::SqliteStore;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bench's union: its roster holds `people` persons numbered 1..=people.
pub const INSURER: &str = "0990";
pub const SYMBOL: &str = "7001";
pub const BIRTH_DATE: &str = "1980/04/01";
pub const NAME_KANA: &str = "ベンチ タロウ";
pub const PASSWORD: &str = "Sakura#2024go";

#[derive(Clone, Debug)]
pub enum Engine {
    Sqlite,
    Dynamo { endpoint: String, table: String },
}

impl Engine {
    pub fn label(&self) -> &'static str {
        match self {
            Engine::Sqlite => "embedded SQLite",
            Engine::Dynamo { .. } => "DynamoDB Local",
        }
    }

    async fn store(&self, data_dir: &Path) -> Result<Box<dyn ItemStore>, String> {
        if let Engine::Dynamo { endpoint, table } = self {
            let sdk = kennin::aws::sdk_config(Some(endpoint)).await;
            let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table.clone());
            store.create_table().await.map_err(|e| e.to_string())?;
        }
        self.reopen(data_dir).await
    }

    /// The store kennin-local runs on, opened beside it (`Local::data_dir`), to add what a
    /// part needs besides the roster.
    pub async fn reopen(&self, data_dir: &Path) -> Result<Box<dyn ItemStore>, String> {
        match self {
            Engine::Sqlite => Ok(Box::new(
                SqliteStore::open(&data_dir.join("kennin.sqlite3")).map_err(|e| e.to_string())?,
            )),
            Engine::Dynamo { endpoint, table } => {
                let sdk = kennin::aws::sdk_config(Some(endpoint)).await;
                Ok(Box::new(DynamoStore::new(
                    aws_sdk_dynamodb::Client::new(&sdk),
                    table.clone(),
                )))
            }
        }
    }

    /// Drops the bench's table, so DynamoDB Local (in memory) does not keep it.
    pub async fn discard(&self) {
        if let Engine::Dynamo { endpoint, table } = self {
            let sdk = kennin::aws::sdk_config(Some(endpoint)).await;
            let _ = aws_sdk_dynamodb::Client::new(&sdk)
                .delete_table()
                .table_name(table)
                .send()
                .await;
        }
    }
}

/// A fresh table name per run, so runs never see each other's accounts.
pub fn fresh_table(part: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("kennin-bench-{part}-{}-{nanos}", std::process::id())
}

pub struct Local {
    child: Child,
    pub base: String,
    pub data_dir: PathBuf,
    pub log: PathBuf,
    pub outbox: PathBuf,
}

impl Local {
    /// Imports a roster of `people` into a fresh store in `work_dir`, then starts kennin-local
    /// on it. `rust_log` is the runner's log filter (the DynamoDB round-trip events are debug).
    pub async fn start(
        binary: &Path,
        engine: &Engine,
        work_dir: &Path,
        people: u32,
        rust_log: &str,
    ) -> Result<Self, String> {
        let _ = std::fs::remove_dir_all(work_dir);
        let data_dir = work_dir.join("data");
        let outbox = work_dir.join("outbox");
        std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
        import_roster(engine.store(&data_dir).await?.as_ref(), people).await?;

        let log = work_dir.join("kennin-local.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut command = Command::new(binary);
        command
            .args(["--port", "0", "--data-dir"])
            .arg(&data_dir)
            .arg("--outbox")
            .arg(&outbox)
            .env("RUST_LOG", rust_log)
            // The runner throttles per client address; the bench plays many clients.
            .env("KENNIN_TRUST_FORWARDED_FOR", "1")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file);
        if let Engine::Dynamo { endpoint, table } = engine {
            command.args(["--table", table, "--dynamodb-endpoint", endpoint]);
        }
        let child = command.spawn().map_err(|e| format!("{}: {e}", binary.display()))?;
        let mut local = Self {
            child,
            base: String::new(),
            data_dir,
            log,
            outbox,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let text = std::fs::read_to_string(&local.log).unwrap_or_default();
            if let Some(address) = text.lines().find_map(|line| line.strip_prefix("kennin is running at ")) {
                local.base = address.trim_end_matches('/').to_string();
                return Ok(local);
            }
            if let Ok(Some(status)) = local.child.try_wait() {
                return Err(format!("kennin-local exited ({status}):\n{text}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("kennin-local did not start within 60 s".into())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn import_roster(store: &dyn ItemStore, people: u32) -> Result<(), String> {
    let code = InsurerCode::parse(INSURER).map_err(|e| e.to_string())?;
    let today = SystemClock.today_in_japan();
    let mut csv = String::from("symbol,number,birth_date,name_kana,name\n");
    for number in 1..=people {
        csv.push_str(&format!("{SYMBOL},{number},{BIRTH_DATE},{NAME_KANA},弁地 太郎\n"));
    }
    roster::put_insurer(store, &code, "ベンチ健康保険組合", None)
        .await
        .map_err(|e| e.to_string())?;
    let parsed = roster::parse(&csv, &code, today.year(), today).map_err(|e| format!("{e:?}"))?;
    roster::import(store, &code, today.year(), parsed, &mut |_| {})
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(())
}

/// The peak resident set (VmHWM) and the current one of a process, in MiB.
pub fn memory_mib(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// DynamoDB Local's JVM listening on `port` (scripts/services.sh starts it with `-port N`),
/// found by its command line.
pub fn dynamodb_local_pid(port: u16) -> Option<u32> {
    let marker = format!("\0-port\0{port}\0");
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        let cmdline = String::from_utf8_lossy(&cmdline);
        (cmdline.contains("DynamoDBLocal") && cmdline.contains(&marker)).then_some(pid)
    })
}

pub struct Reply {
    pub status: u16,
    pub elapsed: Duration,
    pub request_id: String,
    pub cookies: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .tcp_nodelay(true)
                .build()
                .expect("an HTTP client"),
            base: base.to_string(),
        }
    }

    /// One request from the client address `ip`, with the cookie `name=value` if given.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
        ip: &str,
    ) -> Result<Reply, String> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-forwarded-for", ip);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        let cookies = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next()?.split_once('='))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Ok(Reply {
            status,
            elapsed,
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
            cookies,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }
}

/// The verification code in the newest mail to `to`, read from the runner's outbox folder;
/// the file is removed once read, so the folder stays small over thousands of signups.
pub fn take_code(outbox: &Path, to: &str) -> Result<String, String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(outbox)
        .map_err(|e| format!("{}: {e}", outbox.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    for path in names.iter().rev() {
        let raw = std::fs::read(path).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&raw);
        if !text.contains(to) {
            continue;
        }
        let message = mail_text(&raw);
        let code = message
            .split("認証番号：")
            .nth(1)
            .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
            .filter(|code| code.len() == 6)
            .ok_or_else(|| format!("no code in the mail to {to}"))?;
        let _ = std::fs::remove_file(path);
        return Ok(code);
    }
    Err(format!("no mail to {to}"))
}

fn mail_text(raw: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|m| m.body_text(0).map(|t| t.to_string()))
        .unwrap_or_default()
}
