//! The package-size section: each function's arm64 bootstrap and its two zips (made by
//! scripts/bench-coldstart.sh), next to the build before the SQLite engine became a feature, and
//! the size row of the targets table.

use clap::Args;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The target for each function's zip (issue 7).
const LIMIT_BYTES: u64 = 4_000_000;

#[derive(Args)]
pub struct SizeArgs {
    /// The folder with each function's arm64 bootstrap, named by its binary.
    #[arg(long)]
    bootstraps: PathBuf,
    /// The folder with `<function>-9.zip` (zip -9) and `<function>-sam.zip` (as uploaded).
    #[arg(long)]
    zips: PathBuf,
    /// The functions, in the section's order (binary names).
    #[arg(long = "function", required = true)]
    functions: Vec<String>,
    /// The sizes before (tests/bench-coldstart/size-before.tsv: function, zip -9 bytes, …).
    #[arg(long)]
    before: PathBuf,
    /// What was tried and what limits the size (tests/bench-coldstart/size-notes.md), appended.
    #[arg(long)]
    notes: PathBuf,
    /// A wall time of the script's run, `LABEL=SECONDS` (repeatable, in order).
    #[arg(long = "timing", value_parser = parse_timing)]
    timings: Vec<(String, u64)>,
    #[arg(long)]
    markdown: PathBuf,
    /// The size row for the targets table of docs/performance.md.
    #[arg(long)]
    targets: PathBuf,
}

fn parse_timing(value: &str) -> Result<(String, u64), String> {
    let (label, seconds) = value.rsplit_once('=').ok_or("expected LABEL=SECONDS")?;
    let seconds = seconds
        .parse()
        .map_err(|_| format!("{seconds}: not a number of seconds"))?;
    Ok((label.to_string(), seconds))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub function: String,
    pub bootstrap: u64,
    pub zip9: u64,
    pub uploaded: u64,
    /// zip -9 of the build before, when it had this function.
    pub before: Option<u64>,
}

impl Package {
    /// The larger of the two zips: what the limit is checked on.
    fn worst(&self) -> u64 {
        self.zip9.max(self.uploaded)
    }

    fn within_limit(&self) -> bool {
        self.worst() <= LIMIT_BYTES
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// size-before.tsv: `function<TAB>zip -9 bytes<TAB>…` lines under a `#` header.
fn before_sizes(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut columns = line.split('\t');
            Some((columns.next()?.to_string(), columns.next()?.trim().parse().ok()?))
        })
        .collect()
}

fn file_size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn packages(args: &SizeArgs) -> Result<Vec<Package>, String> {
    let before_text = std::fs::read_to_string(&args.before).map_err(|e| format!("{}: {e}", args.before.display()))?;
    let before = before_sizes(&before_text);
    args.functions
        .iter()
        .map(|function| {
            Ok(Package {
                function: function.clone(),
                bootstrap: file_size(&args.bootstraps.join(function))?,
                zip9: file_size(&args.zips.join(format!("{function}-9.zip")))?,
                uploaded: file_size(&args.zips.join(format!("{function}-sam.zip")))?,
                before: before
                    .iter()
                    .find(|(name, _)| name == function)
                    .map(|(_, bytes)| *bytes),
            })
        })
        .collect()
}

pub fn markdown(packages: &[Package], timings: &[(String, u64)], notes: &str) -> String {
    let mut out = String::new();
    out.push_str(
        "## Package size\n\
         \n\
         Each function's arm64 deployment package as `scripts/deploy-build.sh` builds it (`cargo lambda\n\
         build --release --arm64` with the release profile: fat LTO, one codegen unit, opt-level 3,\n\
         panic=abort, strip; `cargo xtask deploy-layout` then copies the binary). The package is a zip of the one file `bootstrap`: **zip -9** and\n\
         **as uploaded** (Python's zipfile at zlib's default level, which is how `sam deploy` packs a\n\
         folder). *Before* is the same build before the SQLite engine became the `sqlite` feature of\n\
         kennin-shared (off for the functions): the deploy build of 2026-11-26 14:05 UTC, zip -9. MB = 10⁶ bytes. Target: ≤ 4 MB.\n\
         \n\
         | function | bootstrap | zip -9 | as uploaded | before (zip -9) | ≤ 4 MB |\n\
         |---|---:|---:|---:|---:|---|\n",
    );
    for package in packages {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            package.function,
            megabytes(package.bootstrap),
            megabytes(package.zip9),
            megabytes(package.uploaded),
            package.before.map_or_else(|| "–".into(), megabytes),
            if package.within_limit() { "yes" } else { "**no**" }
        );
    }
    out.push_str(
        "\nWall times of this run of `scripts/bench-coldstart.sh` (this machine; builds are incremental, \
         so a second run with nothing changed only copies):\n\n",
    );
    for (label, seconds) in timings {
        let _ = writeln!(out, "- {label}: {seconds} s");
    }
    out.push('\n');
    out.push_str(notes);
    out
}

/// The size row of the targets table at the top of docs/performance.md.
pub fn target_row(packages: &[Package]) -> String {
    let within = packages.iter().filter(|p| p.within_limit()).count();
    // The first of equals, in the section's order.
    let largest = packages.iter().rev().max_by_key(|p| p.worst());
    let largest = largest.map_or_else(String::new, |p| format!("`{}`, {}", p.function, megabytes(p.worst())));
    let met = if within == packages.len() {
        "met"
    } else {
        "**not met** (see its section)"
    };
    format!(
        "| each function's zip ≤ 4 MB | {within} of {} (largest {largest}) | {met} |\n",
        packages.len()
    )
}

pub fn write(args: &SizeArgs) -> Result<(), String> {
    let packages = packages(args)?;
    let notes = std::fs::read_to_string(&args.notes).map_err(|e| format!("{}: {e}", args.notes.display()))?;
    std::fs::write(&args.markdown, markdown(&packages, &args.timings, &notes))
        .map_err(|e| format!("{}: {e}", args.markdown.display()))?;
    std::fs::write(&args.targets, target_row(&packages)).map_err(|e| format!("{}: {e}", args.targets.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = include_str!("../size-before.tsv");

    fn package(function: &str, zip9: u64, uploaded: u64) -> Package {
        Package {
            function: function.into(),
            bootstrap: 9_773_592,
            zip9,
            uploaded,
            before: before_sizes(BEFORE)
                .into_iter()
                .find(|(name, _)| name == function)
                .map(|(_, bytes)| bytes),
        }
    }

    #[test]
    fn the_before_sizes_are_the_zip_9_column() {
        let before = before_sizes(BEFORE);
        assert_eq!(before.len(), 20);
        assert_eq!(before[0], ("kennin-signup-identity".to_string(), 4_300_004));
    }

    #[test]
    fn rows_in_megabytes_and_the_limit_on_the_larger_zip() {
        let packages = [
            package("kennin-signup-identity", 3_612_345, 3_650_000),
            package("kennin-new", 3_999_000, 4_000_001),
        ];
        let section = markdown(&packages, &[("driver build".into(), 12)], "notes\n");
        assert!(section.contains("| `kennin-signup-identity` | 9.77 MB | 3.61 MB | 3.65 MB | 4.30 MB | yes |\n"));
        assert!(section.contains("| `kennin-new` | 9.77 MB | 4.00 MB | 4.00 MB | – | **no** |\n"));
        assert!(section.contains("- driver build: 12 s\n\nnotes\n"));
        assert_eq!(
            target_row(&packages),
            "| each function's zip ≤ 4 MB | 1 of 2 (largest `kennin-new`, 4.00 MB) | **not met** (see its section) |\n"
        );
        let equals = [
            package("kennin-a", 3_000_000, 3_000_000),
            package("kennin-b", 3_000_000, 3_000_000),
        ];
        assert!(target_row(&equals).contains("largest `kennin-a`"));
        assert_eq!(
            target_row(&packages[..1]),
            "| each function's zip ≤ 4 MB | 1 of 1 (largest `kennin-signup-identity`, 3.65 MB) | met |\n"
        );
    }
}
