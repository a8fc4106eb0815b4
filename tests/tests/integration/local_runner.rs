//! The README's run command, as a newcomer meets it: the real `kennin-local` binary on a fresh
//! data folder, a demo person going ① → ④ with the code read from /_local/mail, the data kept
//! across a restart, and logs free of personal values. Its log lines join the whole run's
//! (`kennin_tests::capture`), for the audit.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

struct Runner {
    child: Child,
    base: String,
    output: Arc<Mutex<Vec<String>>>,
}

const READY: &str = "kennin is running at ";

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.keep_logs();
    }
}

impl Runner {
    /// Adds what the binary wrote to the run's log folder: everything after its start-up banner
    /// (which lists the demo roster on purpose), and the log lines before it.
    fn keep_logs(&self) {
        let output = self.output.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let banner_end = output.iter().position(|l| l.starts_with(READY)).map_or(0, |i| i + 1);
        let path = kennin_tests::capture::binary_log_path("kennin-local");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let before = output[..banner_end].iter().filter(|l| l.starts_with('{'));
        for line in before.chain(&output[banner_end..]) {
            writeln!(file, "{line}").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }

    /// The JSON log lines so far, waiting a little for the reader threads to catch up with the
    /// `expected` number.
    /// The JSON log lines once `enough` says so (or after 5 seconds): the runner's own mail
    /// schedule logs beside the requests, so a count of lines says little.
    fn log_lines_until(&self, enough: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let lines: Vec<String> = self
                .output
                .lock()
                .unwrap()
                .iter()
                .filter(|l| l.starts_with('{'))
                .cloned()
                .collect();
            if enough(&lines) || std::time::Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

fn start(data_dir: &std::path::Path) -> Runner {
    let binary = std::env::var("KENNIN_LOCAL_BIN")
        .expect("KENNIN_LOCAL_BIN is not set: run the tests with scripts/test.sh, which builds kennin-local");
    let mut child = Command::new(binary)
        .args(["--port", "0", "--data-dir"])
        .arg(data_dir)
        // Cheap hashing keeps the test quick; the parameters are the only difference.
        .env("KENNIN_ARGON2_MEMORY_KIB", "64")
        .env("KENNIN_ARGON2_ITERATIONS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kennin-local starts");
    let output = Arc::new(Mutex::new(Vec::new()));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let (output, ready_tx) = (output.clone(), ready_tx.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix(READY) {
                    let _ = ready_tx.send(url.trim_end_matches('/').to_string());
                }
                output.lock().unwrap().push(line);
            }
        });
    }
    let base = ready_rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("kennin-local announced itself");
    Runner { child, base, output }
}

async fn call(
    base: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    cookie: Option<&str>,
) -> (u16, Value, Vec<String>) {
    let client = reqwest::Client::new();
    let request = client.request(method.parse().unwrap(), format!("{base}{path}"));
    let request = kennin_tests::with_body_and_cookie(request, body, cookie)
        .build()
        .unwrap();
    kennin_tests::record_request(&request);
    let response = client.execute(request).await.unwrap();
    kennin_tests::record_cookies(response.headers());
    let status = response.status().as_u16();
    let cookies = kennin_tests::cookie_pairs(response.headers());
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), cookies)
}

#[tokio::test]
async fn a_newcomer_signs_up_and_logs_in_with_a_demo_identity() {
    let data = tempfile::tempdir().unwrap();
    let runner = start(data.path());
    let base = runner.base.clone();
    assert!(
        runner
            .output
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("1001,1,1990/01/01,ケンポ タロウ")),
        "demo people are printed"
    );

    let identity = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1", "birthDate": "1990/01/01", "nameKana": "ケンポ タロウ" });
    let (status, _, cookies) = call(&base, "POST", "/api/signup/identity", Some(identity), None).await;
    assert_eq!(status, 200);
    let flow = cookies[0].clone();
    let account = json!({ "userId": "demo_taro", "password": "Sakura#2024go", "email": "taro@example.com" });
    assert_eq!(
        call(&base, "POST", "/api/signup/account", Some(account), Some(&flow))
            .await
            .0,
        200
    );
    let (status, mail, _) = call(&base, "GET", "/_local/mail", None, None).await;
    assert_eq!(status, 200);
    let text = mail["messages"][0]["text"].as_str().unwrap();
    let code = kennin_tests::code_in(text);
    assert_eq!(
        call(
            &base,
            "POST",
            "/api/signup/code",
            Some(json!({ "code": code })),
            Some(&flow)
        )
        .await
        .0,
        200
    );
    let login = json!({ "userId": "demo_taro", "password": "Sakura#2024go" });
    let (status, body, cookies) = call(&base, "POST", "/api/session", Some(login.clone()), None).await;
    assert_eq!((status, body["next"].as_str()), (200, Some("terms")));
    let (status, me, _) = call(&base, "GET", "/api/me", None, Some(&cookies[0])).await;
    assert_eq!((status, me["name"].as_str()), (200, Some("健保 太郎")));
    assert!(
        data.path().join("outbox").read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".eml"))
    );

    let events = ["account_created", "login_succeeded"];
    let logged = |lines: &[String], event: &str| lines.iter().any(|l| l.contains(&format!("\"event\":\"{event}\"")));
    let logs = runner.log_lines_until(|lines| lines.len() >= 5 && events.iter().all(|event| logged(lines, event)));
    assert!(logs.len() >= 5, "one JSON log line per API request: {logs:?}");
    for event in events {
        assert!(
            logs.iter().any(|l| l.contains(&format!("\"event\":\"{event}\""))),
            "the {event} event is logged: {logs:?}"
        );
    }
    for line in &logs {
        let entry: Value = serde_json::from_str(line).expect("log lines are JSON");
        let request_id = entry["request_id"].as_str().or(entry["span"]["request_id"].as_str());
        assert!(
            request_id.is_some_and(|id| !id.is_empty()),
            "every line carries its request ID: {line}"
        );
        for secret in [
            "Sakura#2024go",
            code.as_str(),
            "1990/01/01",
            "ケンポ",
            "健保 太郎",
            "taro@example.com",
            "demo_taro",
            "1001,1",
            flow.split('=').nth(1).unwrap(),
            cookies[0].split('=').nth(1).unwrap(),
        ] {
            assert!(!line.contains(secret), "a log line carries a personal value: {line}");
        }
    }
    drop(runner);

    // The embedded store keeps the account across a restart, and the demo union is not re-seeded.
    let runner = start(data.path());
    let (status, _, _) = call(&runner.base, "POST", "/api/session", Some(login), None).await;
    assert_eq!(status, 200);
    assert!(
        !runner
            .output
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("Seeded the demo union"))
    );
}
