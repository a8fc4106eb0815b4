//! The whole run's logs (issue 6, ASVS V16.2, V16.3, V14.2): every line the application wrote in
//! every test process, in-process and the real binaries, is a JSON object with a UTC timestamp
//! and, when written for a request, its request ID; no line holds any password, code, token,
//! birth date, card, kana name, email address, user ID, postal code, address or phone number a
//! test sent or received; and every authentication event showed up at least once.
//!
//! `whole_run_logs_hold_no_personal_values` reads what the other tests left in the log folder,
//! so it is ignored in the main run and run on its own afterwards (scripts/test.sh:
//! `cargo nextest run -p kennin-tests --test integration --run-ignored only -E 'test(/^log_audit::/)'`).

use kennin_tests::capture::{self, Kind, audit, log_dir};
use std::io::Write as _;

#[test]
#[ignore = "reads the logs of the whole run: scripts/test.sh runs it after every other test"]
fn whole_run_logs_hold_no_personal_values() {
    let dir = log_dir();
    let report = audit(&dir);
    assert!(
        report.log_files > 0 && report.lines > 0,
        "no logs captured in {}: run the other tests first (scripts/test.sh)",
        dir.display()
    );
    assert!(
        report.values > 0,
        "no sensitive values recorded in {}: the harness records them",
        dir.display()
    );
    assert!(
        report.findings.is_empty(),
        "{} problems in {} log lines ({} files, {} recorded values):\n{}",
        report.findings.len(),
        report.lines,
        report.log_files,
        report.values,
        report.findings.join("\n")
    );
    let missing = report.missing_events();
    assert!(
        missing.is_empty(),
        "events never logged in the whole run: {missing:?} (seen: {:?})",
        report.events
    );
}

/// A folder with one clean request line and one recorded value of each kind.
fn planted_folder(extra_line: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut values = std::fs::File::create(dir.path().join("planted-1.values")).unwrap();
    for (kind, value) in [
        (Kind::Password, "Sakura#2024go"),
        (Kind::Code, "482913"),
        (Kind::BirthDate, "19900101"),
        (Kind::KanaName, "ケンポタロウ"),
    ] {
        writeln!(values, "{}", serde_json::json!({ "kind": kind.name(), "value": value })).unwrap();
    }
    let mut log = std::fs::File::create(dir.path().join("planted-1.log")).unwrap();
    writeln!(
        log,
        r#"{{"timestamp":"2036-06-01T00:00:00.482913Z","level":"INFO","request_id":"a1b2-482913c","route":"/api/session","status":200,"elapsed_ms":4,"message":"request"}}"#
    )
    .unwrap();
    writeln!(log, "{extra_line}").unwrap();
    dir
}

#[test]
fn a_planted_value_is_caught_by_kind_and_never_shown() {
    let clean = audit(planted_folder(r#"{"timestamp":"2036-06-01T00:00:01Z","level":"INFO","span":{"request_id":"r-1"},"event":"login_failed","message":"authentication"}"#).path());
    assert_eq!(
        clean.findings,
        Vec::<String>::new(),
        "digits inside a timestamp or an ID are no code"
    );
    assert!(clean.events.contains("login_failed"));

    let leaked = audit(planted_folder(r#"{"timestamp":"2036-06-01T00:00:01Z","level":"INFO","request_id":"r-2","body":"{\"code\":\"482913\",\"birthDate\":\"19900101\",\"nameKana\":\"ケンポタロウ\"}","message":"request"}"#).path());
    let findings = leaked.findings.join("\n");
    for kind in [Kind::Code, Kind::BirthDate, Kind::KanaName] {
        assert!(
            findings.contains(&format!("planted-1.log:2: a {} in field `body`", kind.name())),
            "{findings}"
        );
    }
    for value in ["482913", "19900101", "ケンポタロウ"] {
        assert!(
            !findings.contains(value),
            "a finding shows the value itself: {findings}"
        );
    }
}

#[test]
fn lines_that_are_not_json_or_lack_a_request_id_are_caught() {
    let report = audit(planted_folder("login ok for Sakura#2024go").path());
    assert!(
        report
            .findings
            .iter()
            .any(|f| f == "planted-1.log:2: not a JSON object"),
        "{:?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f == "planted-1.log:2: a password in field `(whole line)`"),
        "{:?}",
        report.findings
    );

    let report = audit(
        planted_folder(r#"{"timestamp":"2036-06-01T00:00:01+09:00","level":"INFO","event":"login_succeeded","message":"authentication"}"#).path(),
    );
    assert_eq!(
        report.findings,
        [
            "planted-1.log:2: no request ID (message `authentication`)",
            "planted-1.log:2: no UTC timestamp"
        ]
    );
    assert!(
        report.missing_events().contains(&"login_failed"),
        "an event never logged is reported"
    );
}

#[test]
fn an_empty_folder_is_reported_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let report = audit(dir.path());
    assert_eq!((report.log_files, report.lines, report.values), (0, 0, 0));
    assert_eq!(capture::EXPECTED_EVENTS.len(), report.missing_events().len());
}
