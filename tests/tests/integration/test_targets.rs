//! A target that says `test = false` has no tests. The function crates are tested from here
//! (tests/), so their libraries and entry points declare `test = false` and the suite links no
//! empty test binary for each of them (two a function, each the size of a function with the whole
//! SDK). This check keeps that from hiding a test someone adds to one of them later.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The markers of test code that cargo would build only into a test binary.
const TEST_MARKERS: [&str; 3] = ["#[test]", "#[tokio::test", "#[cfg(test)]"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            out.push(path);
        }
    }
}

/// The files a target's tests would live in: a library's whole module tree (its folder, less the
/// entry points of the package's binaries), a binary's own file.
fn sources_of(target: &Value, binaries: &[PathBuf]) -> Vec<PathBuf> {
    let src_path = PathBuf::from(target["src_path"].as_str().unwrap());
    if target["kind"].as_array().unwrap().iter().any(|kind| kind == "lib") {
        let mut files = Vec::new();
        rust_files(src_path.parent().unwrap(), &mut files);
        files.retain(|file| !binaries.contains(file));
        files
    } else {
        vec![src_path]
    }
}

fn markers_in(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            TEST_MARKERS
                .iter()
                .filter(|marker| text.contains(**marker))
                .map(|marker| format!("{} has {marker}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_target_without_a_test_binary_has_no_tests() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut untested = 0;
    let mut hidden = Vec::new();
    for package in metadata["packages"].as_array().unwrap() {
        let targets = package["targets"].as_array().unwrap();
        let binaries: Vec<PathBuf> = targets
            .iter()
            .filter(|target| target["kind"].as_array().unwrap().iter().any(|kind| kind == "bin"))
            .map(|target| PathBuf::from(target["src_path"].as_str().unwrap()))
            .collect();
        for target in targets.iter().filter(|target| target["test"] == false) {
            untested += 1;
            hidden.extend(markers_in(&sources_of(target, &binaries)));
        }
    }
    assert!(
        untested >= 100,
        "the function crates' targets say test = false ({untested} do)"
    );
    assert!(
        hidden.is_empty(),
        "tests that no test binary would run (remove `test = false` from the target):\n{}",
        hidden.join("\n")
    );
}

#[test]
fn test_code_in_a_target_without_a_test_binary_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let lib = dir.path().join("src/lib.rs");
    let main = dir.path().join("src/main.rs");
    std::fs::write(&lib, "pub fn f() {}\n#[cfg(test)]\nmod tests {}\n").unwrap();
    std::fs::write(&main, "fn main() {}\n").unwrap();
    let library = serde_json::json!({"kind": ["lib"], "src_path": lib});
    let binary = serde_json::json!({"kind": ["bin"], "src_path": main});
    let binaries = [main.clone()];
    assert_eq!(markers_in(&sources_of(&binary, &binaries)), Vec::<String>::new());
    assert_eq!(
        markers_in(&sources_of(&library, &binaries)),
        [format!("{} has #[cfg(test)]", lib.display())]
    );
}
