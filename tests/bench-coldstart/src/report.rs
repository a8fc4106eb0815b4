//! The markdown section: medians and p90s per subject, ratios taken round by round (both sides of
//! a ratio ran within seconds of each other), the targets, and what the cost probes showed.

use crate::{BUNDLE_ONLY, FLOOR, Group, IDENTITY, NODE, PYTHON, Run, SDK_FLOOR, SMALL_ARGON2, Sample, SubjectResult};
use std::fmt::Write;

/// Issue 18's cold-start targets for kennin-signup-identity: (what it is held against, the
/// subject, the most its per-round median ratio may be).
const TARGETS: [(&str, &str, f64); 3] = [
    ("0.05× Python 3.11 + boto3", PYTHON, 0.05),
    ("0.05× Node 20 + the AWS SDK v3", NODE, 0.05),
    ("1.2× the same-SDK floor", SDK_FLOOR, 1.2),
];

/// The ratio table: the targets and the no-SDK floor, which no function can reach while it
/// builds an SDK client (a reference, no target).
const RATIOS: [(&str, &str, f64); 4] = [
    ("kennin / Python + boto3", PYTHON, 0.05),
    ("kennin / Node + SDK v3", NODE, 0.05),
    ("kennin / same-SDK floor", SDK_FLOOR, 1.2),
    ("kennin / no-SDK floor", FLOOR, f64::NAN),
];

/// Nearest-rank percentile of the values; None when there are none.
fn percentile(values: &[f64], fraction: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = ((fraction * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    })
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.3}"))
}

type Metric = fn(&Sample) -> Option<f64>;

fn init(sample: &Sample) -> Option<f64> {
    sample.init_ms
}

fn first_invocation(sample: &Sample) -> Option<f64> {
    sample.first_invocation_ms
}

fn values(subject: &SubjectResult, metric: Metric) -> Vec<f64> {
    subject.samples.iter().filter_map(metric).collect()
}

/// The ratio a/b in every round where both subjects have the figure.
fn per_round_ratios(a: &SubjectResult, b: &SubjectResult, metric: Metric) -> Vec<f64> {
    a.samples
        .iter()
        .filter_map(|sample| {
            let other = b.samples.iter().find(|other| other.round == sample.round)?;
            Some(metric(sample)? / metric(other)?)
        })
        .collect()
}

/// a − b in every round where both subjects have the figure.
fn per_round_differences(a: &SubjectResult, b: &SubjectResult, metric: Metric) -> Vec<f64> {
    a.samples
        .iter()
        .filter_map(|sample| {
            let other = b.samples.iter().find(|other| other.round == sample.round)?;
            Some(metric(sample)? - metric(other)?)
        })
        .collect()
}

fn statuses(subject: &SubjectResult) -> String {
    let mut seen: Vec<String> = subject
        .samples
        .iter()
        .map(|sample| sample.status.map_or_else(|| "none".into(), |s| s.to_string()))
        .collect();
    seen.sort();
    seen.dedup();
    seen.join(", ")
}

/// The cold-start rows of the targets table at the top of docs/performance.md (kennin-bench
/// puts them there), one per reference: the identity check's init and first invocation (the
/// references do its work), and every function's init (building the same clients and opening
/// the first connection; their first invocations do different work), each the same per-round
/// median as the ratio table below.
pub fn target_rows(run: &Run) -> String {
    let find = |name: &str| run.subjects.iter().find(|subject| subject.name == name);
    let mut rows = String::new();
    let Some(identity) = find(IDENTITY) else {
        return rows;
    };
    let functions: Vec<&SubjectResult> = run.subjects.iter().filter(|s| s.group == Group::Kennin).collect();
    for (label, peer, target) in TARGETS {
        let Some(peer) = find(peer) else {
            continue;
        };
        let (Some(identity_init), Some(identity_first)) = (
            median(&per_round_ratios(identity, peer, init)),
            median(&per_round_ratios(identity, peer, first_invocation)),
        ) else {
            continue;
        };
        let worst = functions
            .iter()
            .filter_map(|function| Some((median(&per_round_ratios(function, peer, init))?, &function.name)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((worst_init, worst_name)) = worst else {
            continue;
        };
        let met = if identity_init <= target && identity_first <= target && worst_init <= target {
            "met"
        } else {
            "**not met** (see its section)"
        };
        let _ = writeln!(
            rows,
            "| cold start ≤ {label} | {IDENTITY}: init {identity_init:.3}×, first invocation {identity_first:.3}×; every function's \
             init ≤ {worst_init:.3}× (`{worst_name}`, the highest of {}) (medians per round) | {met} |",
            functions.len()
        );
    }
    rows
}

pub fn markdown(run: &Run) -> String {
    let find = |name: &str| run.subjects.iter().find(|subject| subject.name == name);
    let mut out = String::new();
    let _ = writeln!(out, "## Cold start\n");
    let _ = writeln!(
        out,
        "{} rounds; in each round every subject below was started once, from a fresh process, one \
         after the other (round-robin, each round starting one subject further on), so machine \
         noise hits all of them alike. Run took {:.0} s on: {}, {} cores, Linux {}; load average \
         before `{}`, after `{}`.\n",
        run.rounds,
        run.wall_seconds,
        run.machine.cpu,
        run.machine.cores,
        run.machine.kernel,
        run.machine.load_before,
        run.machine.load_after
    );
    let _ = writeln!(
        out,
        "**init** = spawn → the first `GET /2018-06-01/runtime/invocation/next` (Lambda's init \
         phase); **first invocation** = spawn → the first `POST …/response` (what the first \
         user of a cold function waits for, less the network). **invoke** = the difference. \
         **DynamoDB connections**: TCP connections the cold start opened to DynamoDB Local \
         (through a relay of the benchmark), the median count and the median time the first \
         one opened. Milliseconds.\n"
    );
    let floor = find(SDK_FLOOR);
    let _ = writeln!(
        out,
        "| subject | init median | init p90 | first invocation median | p90 | invoke median | \
         init ÷ same-SDK floor (per round, median) | DynamoDB connections: count, first at | answered |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---|---|");
    for subject in &run.subjects {
        let invoke: Vec<f64> = subject
            .samples
            .iter()
            .filter_map(|s| Some(s.first_invocation_ms? - s.init_ms?))
            .collect();
        let connections: Vec<f64> = subject
            .samples
            .iter()
            .map(|s| s.dynamodb_connections_ms.len() as f64)
            .collect();
        let first_connection: Vec<f64> = subject
            .samples
            .iter()
            .filter_map(|s| s.dynamodb_connections_ms.first().copied())
            .collect();
        let to_floor = floor.map(|floor| median(&per_round_ratios(subject, floor, init)));
        let name = if subject.group == Group::Kennin {
            format!("`{}`", subject.name)
        } else {
            format!("*{}*", subject.name)
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {}, {} | {} |",
            ms(median(&values(subject, init))),
            ms(percentile(&values(subject, init), 0.9)),
            ms(median(&values(subject, first_invocation))),
            ms(percentile(&values(subject, first_invocation), 0.9)),
            ms(median(&invoke)),
            ratio(to_floor.flatten()),
            median(&connections).map_or_else(|| "–".into(), |c| format!("{c:.0}")),
            ms(median(&first_connection)),
            statuses(subject),
        );
    }

    let _ = writeln!(out, "\n### Ratios (taken per round, then summarised)\n");
    let _ = writeln!(
        out,
        "| ratio | init: median (p90) | first invocation: median (p90) | target | met |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let identity = find(IDENTITY);
    for (label, peer, target) in RATIOS {
        let (Some(identity), Some(peer)) = (identity, find(peer)) else {
            continue;
        };
        let init_ratios = per_round_ratios(identity, peer, init);
        let first_ratios = per_round_ratios(identity, peer, first_invocation);
        let (target_text, met) = if target.is_nan() {
            ("–".to_string(), "–".to_string())
        } else {
            let met = |ratios: &[f64]| median(ratios).is_some_and(|r| r <= target);
            (
                format!("≤ {target}"),
                format!(
                    "init {}, first invocation {}",
                    if met(&init_ratios) { "yes" } else { "**no**" },
                    if met(&first_ratios) { "yes" } else { "**no**" }
                ),
            )
        };
        let _ = writeln!(
            out,
            "| {label} (`{IDENTITY}`) | {} ({}) | {} ({}) | {target_text} | {met} |",
            ratio(median(&init_ratios)),
            ratio(percentile(&init_ratios, 0.9)),
            ratio(median(&first_ratios)),
            ratio(percentile(&first_ratios, 0.9)),
        );
    }

    let variants: Vec<&SubjectResult> = run.subjects.iter().filter(|s| s.group == Group::Variant).collect();
    if let (Some(identity), false) = (identity, variants.is_empty()) {
        let _ = writeln!(out, "\n### Cost probes (variant − `{IDENTITY}`, per round, median)\n");
        let _ = writeln!(out, "| variant | init difference | first invocation difference |");
        let _ = writeln!(out, "|---|---:|---:|");
        for variant in variants {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                variant.name,
                ms(median(&per_round_differences(variant, identity, init))),
                ms(median(&per_round_differences(variant, identity, first_invocation))),
            );
        }
        if find(SMALL_ARGON2).is_some() {
            let _ = writeln!(
                out,
                "\n*{SMALL_ARGON2}*: the same binary with `KENNIN_ARGON2_MEMORY_KIB=8 \
                 KENNIN_ARGON2_ITERATIONS=1`; the init difference is what argon2 costs at cold \
                 start (nothing since the dummy hash is no longer computed there, so noise)."
            );
        }
        if find(BUNDLE_ONLY).is_some() {
            let _ = writeln!(
                out,
                "\n*{BUNDLE_ONLY}*: the same binary with `SSL_CERT_FILE` set to Debian's bundle \
                 and `SSL_CERT_DIR` to an empty folder. The SDK's HTTPS client loads the system's \
                 root certificates when it is built (rustls-native-certs), from the bundle and \
                 from the folder of single certificates, which holds 292 files on this Debian \
                 machine and a handful on Lambda's Amazon Linux 2023. The init difference is \
                 the part of kennin's init that this machine adds and Lambda would not."
            );
        }
    }

    if let Some(identity) = identity {
        let before_init = identity
            .samples
            .iter()
            .filter(|s| matches!((s.dynamodb_connections_ms.first(), s.init_ms), (Some(c), Some(i)) if c < &i))
            .count();
        let _ = writeln!(
            out,
            "\nWarm-up: `{IDENTITY}` opened its first DynamoDB connection before its first `/next` \
             poll (that is, in the init phase) in {before_init} of {} cold starts.",
            identity.samples.len()
        );
    }
    out
}
