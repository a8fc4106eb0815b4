//! The cold-start and size targets for the summary, read from what `scripts/bench-coldstart.sh`
//! wrote (docs/bench/coldstart.json, target/bench/size.tsv); its own section has the detail.

use crate::stats::median;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const IDENTITY: &str = "kennin-signup-identity";
const FLOOR: &str = "floor: lambda_http hello, no SDK";
const PYTHON: &str = "Python 3.11 + boto3 (awslambdaric)";
const MAX_ZIP_BYTES: u64 = 4_000_000;

#[derive(Deserialize)]
struct Run {
    subjects: Vec<Subject>,
}

#[derive(Deserialize)]
struct Subject {
    name: String,
    samples: Vec<Sample>,
}

#[derive(Deserialize)]
struct Sample {
    round: u32,
    init_ms: f64,
    first_invocation_ms: f64,
}

/// Median over rounds of identity ÷ `peer`, for init and for the first invocation: both were
/// started within seconds of each other in each round.
fn per_round_ratio(run: &Run, peer: &str) -> Option<(f64, f64)> {
    let by_round = |name: &str| -> Option<BTreeMap<u32, (f64, f64)>> {
        let subject = run.subjects.iter().find(|s| s.name == name)?;
        Some(
            subject
                .samples
                .iter()
                .map(|s| (s.round, (s.init_ms, s.first_invocation_ms)))
                .collect(),
        )
    };
    let (kennin, peer) = (by_round(IDENTITY)?, by_round(peer)?);
    let (mut init, mut first) = (Vec::new(), Vec::new());
    for (round, (k_init, k_first)) in &kennin {
        if let Some((p_init, p_first)) = peer.get(round) {
            init.push(k_init / p_init);
            first.push(k_first / p_first);
        }
    }
    (!init.is_empty()).then(|| (median(&init), median(&first)))
}

/// Rows for the summary's table; none when the cold-start part did not run.
pub fn target_rows(root: &Path, met: impl Fn(bool) -> &'static str) -> String {
    let mut rows = String::new();
    let run = std::fs::read_to_string(root.join("docs/bench/coldstart.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Run>(&text).ok());
    if let Some(run) = run {
        for (label, peer, target) in [
            ("1/10 of Python + boto3", PYTHON, 0.1),
            ("1.5× the no-SDK floor", FLOOR, 1.5),
        ] {
            if let Some((init, first)) = per_round_ratio(&run, peer) {
                rows.push_str(&format!(
                    "| cold start: {IDENTITY} ≤ {label} | init {init:.3}×, first invocation {first:.3}× (medians per round) | {} |\n",
                    met(init <= target && first <= target)
                ));
            }
        }
    }
    if let Ok(sizes) = std::fs::read_to_string(root.join("target/bench/size.tsv")) {
        let zips: Vec<(&str, u64)> = sizes
            .lines()
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let function = fields.next()?;
                let zip = fields.nth(1)?.parse().ok()?;
                Some((function, zip))
            })
            .collect();
        if let Some((largest, bytes)) = zips.iter().max_by_key(|(_, bytes)| *bytes) {
            let within = zips.iter().filter(|(_, bytes)| *bytes <= MAX_ZIP_BYTES).count();
            rows.push_str(&format!(
                "| each function's zip ≤ 4 MB | {within} of {} (largest `{largest}`, {:.2} MB, zip -9) | {} |\n",
                zips.len(),
                *bytes as f64 / 1e6,
                met(within == zips.len())
            ));
        }
    }
    rows
}
