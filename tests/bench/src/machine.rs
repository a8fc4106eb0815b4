//! The head of docs/performance.md: how to regenerate it, and the machine and run the figures
//! come from (read from /proc and /etc/os-release, as lscpu and free would show them).

use clap::Args;
use std::fmt::Write;
use time::OffsetDateTime;

#[derive(Args)]
pub struct RunFacts {
    /// When scripts/bench.sh started, in seconds since the epoch.
    #[arg(long)]
    started_unix: i64,
    /// /proc/loadavg as it read at the start (the first three figures are shown).
    #[arg(long)]
    load_before: String,
    /// A line on the machine's load during the run.
    #[arg(long, default_value = "none")]
    note: String,
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn load_average(loadavg: &str) -> String {
    loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The load average now, its first three figures: what a part's section says the machine did
/// just before it measured.
pub fn load_now() -> String {
    load_average(&read("/proc/loadavg"))
}

/// A moment as the document states it, to the minute.
pub fn minute(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// The value of `key: value` lines such as /proc/cpuinfo's.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == key).then(|| value.trim())
    })
}

/// /proc/meminfo's MemTotal (kB) in GiB.
fn memory(meminfo: &str) -> Option<String> {
    let kib: f64 = field(meminfo, "MemTotal")?.trim_end_matches("kB").trim().parse().ok()?;
    Some(format!("{:.1} GiB", kib / 1_048_576.0))
}

/// /etc/os-release's PRETTY_NAME.
fn os_name(os_release: &str) -> Option<String> {
    os_release
        .lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .map(|name| name.trim_matches('"').to_string())
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn header(facts: &RunFacts) -> String {
    let now = OffsetDateTime::now_utc();
    let wall = now.unix_timestamp() - facts.started_unix;
    let run = minute(now);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = read("/proc/cpuinfo");
    let mut out = String::from(
        "# Performance\n\
         \n\
         What kennin costs in time, round trips, capacity units, memory and money, measured by the\n\
         benchmark suite (`tests/bench`, package `kennin-bench`). Regenerate this file with\n\
         \n\
         ```sh\n\
         scripts/bench.sh\n\
         ```\n\
         \n\
         It builds what it needs, starts DynamoDB Local if `KENNIN_TEST_DYNAMODB_ENDPOINT` is not set,\n\
         and rewrites this file and the raw figures in [`docs/bench/`](bench/). These machines are\n\
         shared and noisy: every figure is a median (or p99) over repeated runs, and every comparison is a\n\
         ratio of two figures taken in the same run; read the absolute times as this machine's only.\n\
         \n\
         | | |\n\
         |---|---|\n",
    );
    let _ = writeln!(out, "| run | {run}, {wall} s wall time |");
    let _ = writeln!(
        out,
        "| CPU | {}, {cores} cores available |",
        field(&cpuinfo, "model name").unwrap_or("unknown")
    );
    let _ = writeln!(
        out,
        "| memory | {} |",
        memory(&read("/proc/meminfo")).unwrap_or_else(|| "unknown".into())
    );
    let _ = writeln!(
        out,
        "| OS | {}, Linux {} |",
        os_name(&read("/etc/os-release")).unwrap_or_else(|| "unknown".into()),
        read("/proc/sys/kernel/osrelease").trim()
    );
    let _ = writeln!(out, "| Rust | {} |", rustc_version());
    let _ = writeln!(
        out,
        "| load average | {} at the start, {} at the end |",
        load_average(&facts.load_before),
        load_average(&read("/proc/loadavg"))
    );
    let _ = writeln!(out, "| note | {} |", facts.note);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_stated_to_the_minute_in_utc() {
        assert_eq!(
            minute(time::macros::datetime!(2026-12-07 16:21:59 UTC)),
            "2026-12-07 16:21 UTC"
        );
    }

    #[test]
    fn facts_as_lscpu_free_and_os_release_give_them() {
        assert_eq!(
            field("processor\t: 0\nmodel name\t: AMD EPYC\n", "model name"),
            Some("AMD EPYC")
        );
        assert_eq!(
            memory("MemTotal:       24641536 kB\nMemFree: 1 kB\n").as_deref(),
            Some("23.5 GiB")
        );
        assert_eq!(
            os_name("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(load_average("2.03 2.29 2.18 3/412 12345\n"), "2.03 2.29 2.18");
    }
}
