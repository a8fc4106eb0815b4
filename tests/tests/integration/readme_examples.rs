//! Every shell example of the README runs as written, in order, with bash against a fresh
//! `kennin-local` (KENNIN_LOCAL_BIN): the first-login walk through the API, then the operator
//! CLI (KENNIN_ADMIN_BIN, on the same data folder) with the files its examples name. Only the
//! blocks marked `<!-- not-run: why -->` are left out, and they are exactly the commands that
//! start the server, the test suite, the benchmarks or a deployment.

use kennin_tests::capture;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const README: &str = include_str!("../../../README.md");
const NOT_RUN_MARKER: &str = "<!-- not-run:";
/// The first line of each block that is a command to start something rather than an example.
const NOT_RUN: [&str; 4] = [
    "cargo run -p kennin-local",
    "scripts/test.sh",
    "scripts/bench.sh",
    "eval \"$(scripts/deploy-tools.sh env)\"   # sam, cargo-lambda, zig in .tools/deploy-venv; arm64 target",
];
/// Where the examples expect kennin-local, and how they call the operator CLI.
const README_BASE: &str = "http://127.0.0.1:3000";
const README_ADMIN: &str = "cargo run -p kennin-admin --";
/// kennin-local's banner ends with this line; the log lines follow it.
const READY_LINE: &str = "kennin is running at ";

struct Block {
    line: usize,
    text: String,
    not_run: bool,
}

/// The ```sh blocks, each with the line its fence opens on and whether a not-run marker is on
/// the line before.
fn shell_blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() == "```sh" {
            let body: Vec<&str> = lines[i + 1..]
                .iter()
                .take_while(|l| l.trim_end() != "```")
                .copied()
                .collect();
            blocks.push(Block {
                line: i + 1,
                text: body.join("\n") + "\n",
                not_run: i > 0 && lines[i - 1].starts_with(NOT_RUN_MARKER),
            });
            i += body.len() + 2;
        } else {
            i += 1;
        }
    }
    blocks
}

struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Server {
    /// Stops it and adds its log lines to the run's, for the audit: the banner (which lists the
    /// demo roster on purpose) stays out.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let output = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = output.lines().collect();
        let banner_end = lines
            .iter()
            .position(|l| l.starts_with(READY_LINE))
            .map_or(0, |i| i + 1);
        let before = lines[..banner_end].iter().filter(|l| l.starts_with('{'));
        let kept: Vec<&str> = before.chain(&lines[banner_end..]).copied().collect();
        let path = capture::binary_log_path("kennin-local-readme");
        std::fs::write(&path, kept.join("\n") + "\n").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// kennin-local on a free port with its data in `data_dir`, started as the README starts it.
fn start_server(binary: &Path, data_dir: &Path, work: &Path) -> Server {
    let ready = work.join("kennin-local.ready");
    let log = work.join("kennin-local.log");
    let output = std::fs::File::create(&log).expect("log file");
    let mut child = Command::new(binary)
        .args(["--port", "0", "--data-dir"])
        .arg(data_dir)
        .arg("--ready-file")
        .arg(&ready)
        .env_remove("KENNIN_TABLE")
        .env_remove("KENNIN_DYNAMODB_ENDPOINT")
        // Cheap hashing keeps the test quick; the parameters are the only difference.
        .env("KENNIN_ARGON2_MEMORY_KIB", "64")
        .env("KENNIN_ARGON2_ITERATIONS", "1")
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("log file"))
        .stderr(output)
        .spawn()
        .expect("kennin-local starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let base = loop {
        if let Ok(base) = std::fs::read_to_string(&ready) {
            break base;
        }
        if let Some(status) = child.try_wait().expect("kennin-local's status") {
            panic!(
                "kennin-local exited ({status}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "kennin-local did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    };
    Server { child, base, log }
}

/// Records the JSON bodies the examples send (`-d '{…}'`), so that the log audit looks for them.
fn record_bodies(script: &str) {
    for body in script.split("-d '").skip(1).filter_map(|rest| rest.split('\'').next()) {
        if let Ok(body) = serde_json::from_str(body) {
            capture::record_body(&body);
        }
    }
}

#[tokio::test]
async fn every_shell_example_of_the_readme_runs() {
    let local = std::env::var("KENNIN_LOCAL_BIN")
        .expect("KENNIN_LOCAL_BIN is not set: run the tests with scripts/test.sh, which builds kennin-local");
    let local = PathBuf::from(local);
    let admin =
        std::env::var_os("KENNIN_ADMIN_BIN").map_or_else(|| local.with_file_name("kennin-admin"), PathBuf::from);
    assert!(
        admin.is_file(),
        "{}: no kennin-admin (KENNIN_ADMIN_BIN)",
        admin.display()
    );

    let blocks = shell_blocks(README);
    let mut not_run: Vec<&str> = blocks
        .iter()
        .filter(|b| b.not_run)
        .map(|b| b.text.lines().next().unwrap_or_default())
        .collect();
    not_run.sort_unstable();
    let mut expected = NOT_RUN;
    expected.sort_unstable();
    assert_eq!(not_run, expected, "only these blocks may be marked not-run");

    // The examples run where an operator would: the data folder is kennin-admin's default
    // `.kennin` there, and the files the operator examples name are the operator's own.
    let work = tempfile::tempdir().expect("temporary folder");
    std::fs::write(work.path().join("roster.csv"), kennin_local::DEMO_ROSTER).unwrap();
    let today = kennin::clock::Clock::today_in_japan(&kennin::clock::SystemClock);
    std::fs::write(
        work.path().join("dependents.csv"),
        kennin_local::demo_survey::demo_dependents_csv(today),
    )
    .unwrap();
    std::fs::write(work.path().join("notice.txt"), "調査票の提出期限は6月30日です。\n").unwrap();
    std::fs::write(
        work.path().join("terms.txt"),
        "第1条 この規約は、被扶養者資格調査に適用します。\n",
    )
    .unwrap();
    let server = start_server(&local, &work.path().join(".kennin"), work.path());
    let admin_command = format!("'{}'", admin.display());

    let mut ran = 0;
    let mut outputs = String::new();
    for block in blocks.iter().filter(|b| !b.not_run) {
        let script = block
            .text
            .replace(README_BASE, &server.base)
            .replace(README_ADMIN, &admin_command);
        assert!(
            !script.contains("cargo "),
            "README.md line {}: a cargo command the test cannot stand in for:\n{}",
            block.line,
            block.text
        );
        record_bodies(&script);
        let output = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .current_dir(work.path())
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "README.md line {}: the example failed ({}):\n{}\nstdout:\n{stdout}\nstderr:\n{}",
            block.line,
            output.status,
            block.text,
            String::from_utf8_lossy(&output.stderr)
        );
        outputs.push_str(&stdout);
        ran += 1;
    }
    assert!(ran >= 4, "the README has its examples: {ran} ran");

    // What the first-login example printed: ③ created the account, ④ logged it in.
    assert!(outputs.contains(r#""step":"done","userId":"kenpo_taro""#), "{outputs}");
    assert!(outputs.contains(r#""name":"健保 太郎""#), "{outputs}");
    // The operator examples did what they say.
    let mail = reqwest::get(format!("{}/_local/mail", server.base))
        .await
        .expect("outbox")
        .text()
        .await
        .expect("outbox");
    let mail: serde_json::Value = serde_json::from_str(&mail).expect("outbox JSON");
    // The demo admin's invitation, mailed at the start, is there too.
    let signup_mail = mail["messages"]
        .as_array()
        .and_then(|m| {
            m.iter()
                .find(|m| m["text"].as_str().is_some_and(|t| t.contains("認証番号：")))
        })
        .expect("the code mail");
    kennin_tests::code_in(signup_mail["text"].as_str().unwrap_or_default());
    for done in [
        "保険者 0904（けんにん健康保険組合）を登録しました",
        "年度の被扶養者を取り込みました",
        "調査対象を公開しました",
        "調査対象: ",
        "を削除しました",
    ] {
        assert!(outputs.contains(done), "{done}: {outputs}");
    }
}
