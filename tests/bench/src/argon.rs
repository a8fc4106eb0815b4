//! argon2id with kennin's parameters: the `argon2` crate as kennin builds it (this binary is
//! built with the release profile) against the reference C implementation (Debian's `argon2`
//! CLI), interleaved in one run. Both figures are CPU time of the hash alone: the CLI reports
//! `clock()` around `argon2_hash`, and this side reads the process CPU clock around the same
//! call, so neither process start nor scheduling on a busy machine is counted.

use crate::stats::{fmt, median};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::process::{Command, Stdio};

const PASSWORD: &[u8] = b"Sakura#2024go";
/// 16 bytes, the length of the salt kennin generates (`SaltString::generate`).
const SALT: &str = "kenninbenchsalt1";
const OUTPUT_BYTES: usize = 32;

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ArgonReport {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub output_bytes: usize,
    pub rounds: usize,
    pub rust_cpu_ms: Vec<f64>,
    pub rust_wall_ms: Vec<f64>,
    pub c_cpu_ms: Vec<f64>,
    pub rust_cpu_p50_ms: f64,
    pub rust_wall_p50_ms: f64,
    pub c_cpu_p50_ms: f64,
    /// Median of the per-round ratios rust ÷ C.
    pub ratio_p50: f64,
    pub c_version: String,
}

fn process_cpu_ms() -> f64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 * 1000.0 + now.tv_nsec as f64 / 1e6
}

fn rust_hash(params: &Params) -> Result<(f64, f64), String> {
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut output = [0u8; OUTPUT_BYTES];
    let (wall, cpu) = (std::time::Instant::now(), process_cpu_ms());
    hasher
        .hash_password_into(PASSWORD, SALT.as_bytes(), &mut output)
        .map_err(|e| e.to_string())?;
    Ok((process_cpu_ms() - cpu, wall.elapsed().as_secs_f64() * 1000.0))
}

fn c_hash(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<(f64, String), String> {
    let mut child = Command::new("argon2")
        .args([
            SALT,
            "-id",
            "-t",
            &iterations.to_string(),
            "-k",
            &memory_kib.to_string(),
        ])
        .args(["-p", &parallelism.to_string(), "-l", &OUTPUT_BYTES.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("argon2 (apt-get install argon2): {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(PASSWORD)
        .map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let seconds = text
        .lines()
        .find_map(|l| l.strip_suffix(" seconds"))
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("argon2 printed no time:\n{text}"))?;
    let hash = text
        .lines()
        .find_map(|l| l.strip_prefix("Hash:"))
        .unwrap_or_default()
        .trim()
        .to_string();
    Ok((seconds * 1000.0, hash))
}

pub fn run(rounds: usize) -> Result<ArgonReport, String> {
    let config = kennin::config::Config::with_secret(vec![0; 32]).overridden_by_env()?;
    let (m, t, p) = (
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
    );
    let params = Params::new(m, t, p, Some(OUTPUT_BYTES)).map_err(|e| e.to_string())?;

    // Identical parameters must give the identical hash, or the comparison is meaningless.
    let mut expected = [0u8; OUTPUT_BYTES];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into(PASSWORD, SALT.as_bytes(), &mut expected)
        .map_err(|e| e.to_string())?;
    let (_, c_output) = c_hash(m, t, p)?;
    let expected: String = expected.iter().map(|b| format!("{b:02x}")).collect();
    if c_output != expected {
        return Err(format!("the C reference gave {c_output}, the crate {expected}"));
    }

    let (mut rust_cpu, mut rust_wall, mut c_cpu, mut ratios) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        // Alternate which goes first, so a slow spell of the machine hits both alike.
        let (rust, c) = if round % 2 == 0 {
            let rust = rust_hash(&params)?;
            (rust, c_hash(m, t, p)?.0)
        } else {
            let c = c_hash(m, t, p)?.0;
            (rust_hash(&params)?, c)
        };
        rust_cpu.push(rust.0);
        rust_wall.push(rust.1);
        c_cpu.push(c);
        ratios.push(rust.0 / c);
    }
    let c_version = Command::new("dpkg-query")
        .args(["-W", "-f", "${Version}", "argon2"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    Ok(ArgonReport {
        memory_kib: m,
        iterations: t,
        parallelism: p,
        output_bytes: OUTPUT_BYTES,
        rounds,
        rust_cpu_p50_ms: median(&rust_cpu),
        rust_wall_p50_ms: median(&rust_wall),
        c_cpu_p50_ms: median(&c_cpu),
        ratio_p50: median(&ratios),
        rust_cpu_ms: rust_cpu,
        rust_wall_ms: rust_wall,
        c_cpu_ms: c_cpu,
        c_version,
    })
}

/// Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB. A p=1
/// hash uses one core, so below that point it runs 1769/M times slower than on a full core.
pub const FULL_VCPU_MB: f64 = 1769.0;

pub fn hash_ms_at(memory_mb: f64, full_core_ms: f64) -> f64 {
    full_core_ms * (FULL_VCPU_MB / memory_mb).max(1.0)
}

pub fn markdown(report: &ArgonReport, login_dynamodb_ms: f64, gb_second_usd: f64, request_usd: f64) -> String {
    let mut out = String::new();
    out.push_str("## argon2id: kennin against the reference C implementation\n\n");
    out.push_str(&format!(
        "Parameters from `shared/src/config.rs` (as `KENNIN_ARGON2_*` leave them): m = {} KiB, t = {}, p = {}, \
         {}-byte output, 16-byte salt. kennin's side is the `argon2` crate built with the release profile \
         (`lto = \"fat\"`, `opt-level = 3`) in this bench's binary; the reference is Debian's `argon2` CLI \
         (package version {}), which times `argon2_hash` itself with `clock()`. Both report CPU time of the hash \
         alone; both give the same hash for the same input (checked before timing). {} interleaved rounds, \
         alternating which goes first.\n\n",
        report.memory_kib, report.iterations, report.parallelism, report.output_bytes, report.c_version, report.rounds
    ));
    out.push_str("| | p50 CPU ms | min | max |\n|---|--:|--:|--:|\n");
    let row = |name: &str, v: &[f64]| {
        format!(
            "| {name} | {} | {} | {} |\n",
            fmt(median(v)),
            fmt(v.iter().copied().fold(f64::INFINITY, f64::min)),
            fmt(v.iter().copied().fold(0.0, f64::max))
        )
    };
    out.push_str(&row("kennin (`argon2` crate, release)", &report.rust_cpu_ms));
    out.push_str(&row("reference C (`argon2` CLI)", &report.c_cpu_ms));
    out.push_str(&row("kennin, wall clock", &report.rust_wall_ms));
    out.push_str(&format!(
        "\n**Ratio kennin ÷ C (median of the per-round ratios): {}** (target ≤ 1.3).\n\n",
        fmt(report.ratio_p50)
    ));
    out.push_str("### Lambda memory of the hashing functions\n\n");
    out.push_str(&format!(
        "Lambda allocates CPU in proportion to memory, a full vCPU at {FULL_VCPU_MB} MB; a p = 1 hash uses one \
         core, so at M MB it takes about {} ms × 1769 ⁄ M (assuming a Graviton core is about as fast as one core \
         of this machine: the ratio, not the absolute figure, is what this run measures). Login = one argon2 \
         verify + its DynamoDB round trips ({} ms in this run against DynamoDB Local) + a few ms of Lambda and \
         API Gateway. Price: US${gb_second_usd} per GB-s (arm64), US${:.2} per million requests.\n\n",
        fmt(report.rust_cpu_p50_ms),
        fmt(login_dynamodb_ms),
        request_usd * 1e6
    ));
    out.push_str("| MemorySize | hash ms | login ms (hash + DynamoDB) | billed GB-s per login | US$ per 100,000 logins |\n|--:|--:|--:|--:|--:|\n");
    for memory in [512.0, 1024.0, 1536.0, FULL_VCPU_MB, 2048.0] {
        let hash = hash_ms_at(memory, report.rust_cpu_p50_ms);
        let login = (hash + login_dynamodb_ms).ceil();
        let gb_s = memory / 1024.0 * login / 1000.0;
        let cost = 100_000.0 * (gb_s * gb_second_usd + request_usd);
        out.push_str(&format!(
            "| {memory} MB | {} | {} | {} | {} |\n",
            fmt(hash),
            fmt(login),
            format_args!("{gb_s:.4}"),
            format_args!("{cost:.3}")
        ));
    }
    out
}
