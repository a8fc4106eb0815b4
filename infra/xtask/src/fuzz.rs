//! scripts/fuzz.sh's summary of one libFuzzer run, from its log.

use std::path::Path;

/// The last value of each figure in the log: executions and their rate from the final
/// `-print_final_stats` lines, coverage and features from the last status line.
#[derive(Debug, Default, PartialEq, Eq)]
struct Stats {
    runs: Option<u64>,
    exec_per_sec: Option<u64>,
    cov: Option<u64>,
    ft: Option<u64>,
}

fn number_after(text: &str, label: &str) -> Option<u64> {
    let (_, rest) = text.split_once(label)?;
    rest.split_whitespace().next()?.parse().ok()
}

fn stats(log: &str) -> Stats {
    let mut stats = Stats::default();
    for line in log.lines() {
        let found = |label| number_after(line, label);
        stats.runs = found("stat::number_of_executed_units:").or(stats.runs);
        stats.exec_per_sec = found("stat::average_exec_per_sec:").or(stats.exec_per_sec);
        stats.cov = found(" cov: ").or(stats.cov);
        stats.ft = found(" ft: ").or(stats.ft);
    }
    stats
}

/// Prints `RUNS EXEC/S COV FT`, `-` for a figure the log does not have.
pub fn print_stats(log: &Path) -> Result<(), String> {
    // A crashed run can leave bytes of the input in the log.
    let bytes = std::fs::read(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let stats = stats(&String::from_utf8_lossy(&bytes));
    let shown = |figure: Option<u64>| figure.map_or_else(|| "-".to_string(), |n| n.to_string());
    println!(
        "{} {} {} {}",
        shown(stats.runs),
        shown(stats.exec_per_sec),
        shown(stats.cov),
        shown(stats.ft)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_figures_of_the_run() {
        let log = "INFO: Seed: 1\n\
                   #2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n\
                   #4096\tpulse  cov: 120 ft: 340 corp: 20/1Kb lim: 43 exec/s: 2048 rss: 40Mb\n\
                   Done 51234 runs in 11 second(s)\n\
                   stat::number_of_executed_units: 51234\n\
                   stat::average_exec_per_sec:     4657\n";
        assert_eq!(
            stats(log),
            Stats {
                runs: Some(51234),
                exec_per_sec: Some(4657),
                cov: Some(120),
                ft: Some(340),
            }
        );
        assert_eq!(stats("error: could not compile"), Stats::default());
    }
}
