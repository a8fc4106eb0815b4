#!/usr/bin/env bash
# THE benchmark command: builds what it needs (release kennin-local and kennin-bench), installs
# wrk and the reference argon2 CLI with apt when missing, starts DynamoDB Local when no
# endpoint is given, runs every part and regenerates docs/performance.md.
#
#   scripts/bench.sh                      # everything
#   BENCH_NOTE="quiet machine" scripts/bench.sh
#
# Raw figures go to docs/bench/<part>.json, sections to target/bench/<part>.md. Env:
#   KENNIN_TEST_DYNAMODB_ENDPOINT  use this DynamoDB Local instead of starting one
#   BENCH_PERSONS (150), BENCH_LOAD_LEVELS (1,2,4,8,16), BENCH_LOAD_SECONDS (8),
#   BENCH_ARGON2_ROUNDS (31), BENCH_NOTE (a line on the machine's load, for the header),
#   BENCH_IMPORT_PERSONS (100000), BENCH_IMPORT_DEPENDENTS (150000): the import part's union,
#   BENCH_SURVEY_PERSONS (15): persons answering the survey form (two dependents each),
#   BENCH_DOCUMENT_PERSONS (6): persons sending a document for each of their two dependents,
#   BENCH_MAIL_PERSONS (5000): the simulated campaign's persons (the mail part)
#
# The import part alone (its section replaces its old one in docs/performance.md), with
# DynamoDB Local at KENNIN_TEST_DYNAMODB_ENDPOINT (eval "$(scripts/services.sh start)"):
#   cargo build --release -p kennin-admin -p kennin-bench
#   target/release/kennin-bench survey-import --admin target/release/kennin-admin
# The steps part alone likewise (its section, with the round trips before and after folding):
#   cargo build --release -p kennin-local -p kennin-bench
#   target/release/kennin-bench steps --local target/release/kennin-local
# The survey form part alone likewise (its section, and the bill computed again with it):
#   target/release/kennin-bench survey-form --local target/release/kennin-local
# The documents part alone likewise (it needs moto too, which services.sh starts):
#   target/release/kennin-bench documents --local target/release/kennin-local
# The mail part alone likewise (moto; the embedded store):
#   target/release/kennin-bench mail
# The pages part alone (Chromium and Lighthouse, installed by browser-tests.sh), then the journey's
# count of a person's requests, and the bill computed again with it:
#   KENNIN_LOCAL_BIN=target/release/kennin-local KENNIN_PAGES_BENCH_OUT=docs/bench/pages.json \
#       scripts/browser-tests.sh
#   KENNIN_LOCAL_BIN=target/release/kennin-local KENNIN_BROWSER_TEST_FILES=tests/browser/journey.test.mjs \
#       KENNIN_REQUESTS_OUT=docs/bench/requests.json KENNIN_SCREENSHOT_DIR=/tmp/shots scripts/browser-tests.sh
#   target/release/kennin-bench pages
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
started_at=$(date +%s)
load_before=$(</proc/loadavg)

need_apt() { # command package
    command -v "$1" >/dev/null && return
    [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || die "$1 missing: apt-get install $2"
    log "installing $2 with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2 ||
        { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2; }
}
need_apt wrk wrk
need_apt argon2 argon2

started_services=
if [[ -z "${KENNIN_TEST_DYNAMODB_ENDPOINT:-}" ]]; then
    log "starting DynamoDB Local (scripts/services.sh)"
    eval "$(scripts/services.sh start)"
    started_services=1
fi
stop_services() { [[ -n "$started_services" ]] && scripts/services.sh stop || true; }
trap stop_services EXIT

log "building kennin-local, kennin-admin and kennin-bench (release)"
cargo build --release -p kennin-local -p kennin-admin -p kennin-bench >&2
target="${CARGO_TARGET_DIR:-$ROOT/target}"
# Private copies: the shared target folder may be rebuilt by someone else while these run.
bin="$ROOT/target/bench/bin"
mkdir -p "$bin"
cp "$target/release/kennin-local" "$target/release/kennin-admin" "$target/release/kennin-bench" "$bin/"
bench=("$bin/kennin-bench" --root "$ROOT")

log "part 1/9: warm per-step latency and round trips (DynamoDB Local)"
"${bench[@]}" steps --local "$bin/kennin-local" --persons "${BENCH_PERSONS:-150}"
log "part 2/9: argon2id against the C reference"
"${bench[@]}" argon2 --rounds "${BENCH_ARGON2_ROUNDS:-31}"
log "part 3/9: load (wrk) on SQLite and on DynamoDB Local"
"${bench[@]}" load --local "$bin/kennin-local" --script tests/bench/mix.lua \
    --levels "${BENCH_LOAD_LEVELS:-1,2,4,8,16}" --seconds "${BENCH_LOAD_SECONDS:-8}"
if [[ -x scripts/bench-coldstart.sh ]]; then
    log "part 4/9: cold start and size (scripts/bench-coldstart.sh)"
    scripts/bench-coldstart.sh >&2 || log "bench-coldstart.sh failed; its sections are left out"
    # It writes target/bench/{coldstart,size}.md; with a shared CARGO_TARGET_DIR, look there too.
    for part in coldstart coldstart-targets size size-targets; do
        [[ -f "target/bench/$part.md" || ! -f "$target/bench/$part.md" ]] || cp "$target/bench/$part.md" target/bench/
    done
else
    log "part 4/9: scripts/bench-coldstart.sh not present; no cold-start section"
fi
log "part 5/9: importing and publishing a full-size union (kennin-admin, SQLite and DynamoDB Local)"
"${bench[@]}" survey-import --admin "$bin/kennin-admin" \
    --persons "${BENCH_IMPORT_PERSONS:-100000}" --dependents "${BENCH_IMPORT_DEPENDENTS:-150000}"
log "part 6/9: the survey form's save and submit steps and a whole survey's capacity (DynamoDB Local)"
"${bench[@]}" survey-form --local "$bin/kennin-local" --persons "${BENCH_SURVEY_PERSONS:-15}"
log "part 7/9: the documents' presign and complete steps and their verification (DynamoDB Local, moto)"
"${bench[@]}" documents --local "$bin/kennin-local" --persons "${BENCH_DOCUMENT_PERSONS:-6}"
log "part 8/9: the mail schedule's sending rate (moto) and a simulated campaign's mails"
"${bench[@]}" mail --persons "${BENCH_MAIL_PERSONS:-5000}"
log "part 9/9: every page in Chromium: Lighthouse's scores and the slow phone's paint, bytes and requests"
KENNIN_LOCAL_BIN="$bin/kennin-local" KENNIN_ADMIN_BIN="$bin/kennin-admin" \
    KENNIN_PAGES_BENCH_OUT="$ROOT/docs/bench/pages.json" scripts/browser-tests.sh >&2
log "part 9/9, continued: a person's requests, counted in Chromium through the browser tests' journey (for the bill)"
KENNIN_LOCAL_BIN="$bin/kennin-local" KENNIN_ADMIN_BIN="$bin/kennin-admin" \
    KENNIN_BROWSER_TEST_FILES="$ROOT/tests/browser/journey.test.mjs" \
    KENNIN_REQUESTS_OUT="$ROOT/docs/bench/requests.json" KENNIN_SCREENSHOT_DIR="$target/bench/screenshots" \
    scripts/browser-tests.sh >&2
"${bench[@]}" pages

"${bench[@]}" report --started-unix "$started_at" --load-before "$load_before" --note "${BENCH_NOTE:-none}"
log "docs/performance.md written ($(($(date +%s) - started_at)) s)"
