//! The pages in Chromium: what tests/browser/pages.bench.mjs measured (scripts/bench.sh runs it
//! through scripts/browser-tests.sh), as a section of docs/performance.md and rows of its
//! targets.

use crate::stats::fmt;
use serde::{Deserialize, Serialize};

/// The largest contentful paint each page must reach on the slow phone.
const MOST_LCP_MS: f64 = 2_500.0;
const LEAST_PERFORMANCE: f64 = 0.95;
const MOST_LAYOUT_SHIFT: f64 = 0.05;

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct PageFigures {
    pub page: String,
    pub path: String,
    pub performance: f64,
    pub accessibility: f64,
    pub best_practices: f64,
    pub lighthouse_lcp_ms: f64,
    pub layout_shift: f64,
    pub slow_phone_lcp_ms: f64,
    pub slow_phone_layout_shift: f64,
    pub bytes: f64,
    pub requests: usize,
    pub api_requests: usize,
    /// Lighthouse's audits that scored below full marks on the mobile run.
    pub not_full: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct PagesReport {
    pub chromium: String,
    pub lighthouse: String,
    pub pages: Vec<PageFigures>,
}

pub const HEADING: &str = "## Pages on a slow phone";

/// How each of the pages' rows of the targets starts.
pub const ROW: &str = "| pages: ";

pub fn markdown(report: &PagesReport) -> String {
    let mut out = format!("{HEADING}\n\n");
    out.push_str(&format!(
        "Every portal and console page (but the console's invitation, which needs a mail's one-time token), \
         loaded cold in {} by Lighthouse {} \
         (tests/browser/pages.bench.mjs, from kennin-local release): the scores and layout shift of its mobile \
         run (simulated slow 4G, 4× CPU), and a second run with the issue's slow phone applied to the browser \
         itself (400 kb/s down and up, 400 ms round trip, 4× CPU) for the largest contentful paint, the bytes and \
         the requests. The logged-in pages are the demo roster's 健保 太郎 after first login (his session cookie \
         sent with every request), the console's an admin of the demo union signed in with the authenticator's \
         code. A returning visit asks for none of the files (they are kept a year; the \
         journey's browser test checks it): these are first visits.\n\n",
        report.chromium, report.lighthouse
    ));
    out.push_str(
        "| page | path | performance | accessibility | best practices | layout shift | LCP (Lighthouse) | LCP (slow phone) | bytes | requests | of them API |\n\
         |---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for p in &report.pages {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} ms | {} ms | {} KB | {} | {} |\n",
            p.page,
            p.path,
            fmt(p.performance),
            fmt(p.accessibility),
            fmt(p.best_practices),
            fmt(p.layout_shift),
            fmt(p.lighthouse_lcp_ms),
            fmt(p.slow_phone_lcp_ms),
            fmt(p.bytes / 1024.0),
            p.requests,
            p.api_requests,
        ));
    }
    let below: Vec<String> = report
        .pages
        .iter()
        .filter(|p| !p.not_full.is_empty())
        .map(|p| format!("{}: {}", p.page, p.not_full.join(", ")))
        .collect();
    if !below.is_empty() {
        out.push_str(&format!(
            "\nLighthouse's audits below full marks, per page: {}.\n",
            below.join("; ")
        ));
    }
    out
}

/// The targets' rows: the slow phone's paint, and Lighthouse's scores and layout shift.
pub fn target_rows(report: &PagesReport) -> String {
    let pages = &report.pages;
    let worst = |pick: fn(&PageFigures) -> f64, lowest: bool| {
        pages
            .iter()
            .max_by(|a, b| {
                let (a, b) = (pick(a), pick(b));
                if lowest { b.total_cmp(&a) } else { a.total_cmp(&b) }
            })
            .map(|p| (p.page.clone(), pick(p)))
            .unwrap_or_default()
    };
    let (lcp_page, lcp) = worst(|p| p.slow_phone_lcp_ms, false);
    let (performance_page, performance) = worst(|p| p.performance, true);
    let (shift_page, shift) = worst(|p| p.layout_shift, false);
    let full = |pick: fn(&PageFigures) -> f64| pages.iter().filter(|p| pick(p) >= 1.0).count();
    let row = |target: &str, figure: String, met: bool| {
        format!(
            "{ROW}{target} | {figure} | {} |\n",
            if met { "met" } else { "**not met** (see its section)" }
        )
    };
    let mut rows = String::new();
    rows.push_str(&row(
        "largest contentful paint ≤ 2.5 s on a slow phone, every page",
        format!("slowest {} ms ({lcp_page})", fmt(lcp)),
        lcp <= MOST_LCP_MS,
    ));
    rows.push_str(&row(
        "Lighthouse performance ≥ 0.95, every page",
        format!("lowest {} ({performance_page})", fmt(performance)),
        performance >= LEAST_PERFORMANCE,
    ));
    rows.push_str(&row(
        "Lighthouse accessibility and best practices 1.0, every page",
        format!(
            "{} and {} of {} pages",
            full(|p| p.accessibility),
            full(|p| p.best_practices),
            pages.len()
        ),
        full(|p| p.accessibility) == pages.len() && full(|p| p.best_practices) == pages.len(),
    ));
    rows.push_str(&row(
        "cumulative layout shift ≤ 0.05, every page",
        format!("largest {} ({shift_page})", fmt(shift)),
        shift <= MOST_LAYOUT_SHIFT,
    ));
    rows
}
