#!/usr/bin/env bash
# Runs the browser tests (tests/browser/*.test.mjs: Node's test runner driving headless Chromium
# through playwright-core) against a fresh kennin-local. Installs what they need by itself,
# idempotently:
#   - Debian's chromium and fonts-noto-cjk (Japanese glyphs), with apt-get, as root;
#   - tests/browser/node_modules with `npm ci`, again only when package-lock.json changed;
#   - target/debug/kennin-local and kennin-admin with cargo, unless KENNIN_LOCAL_BIN names a
#     built one (kennin-admin is then taken from the same folder, or from KENNIN_ADMIN_BIN).
# Then starts kennin-local on a free port with a temporary data folder and cheap password
# hashing, exports its address as KENNIN_BASE_URL and the folder as KENNIN_DATA_DIR (for
# kennin-admin, as KENNIN_ADMIN_BIN), runs the tests and stops it again.
#
# Usage: scripts/browser-tests.sh [extra node --test arguments, e.g. --test-name-pattern=login]
# Env:   KENNIN_LOCAL_BIN        a built kennin-local (default: build it)
#        KENNIN_CHROMIUM         another Chromium binary (then nothing is installed with apt-get)
#        KENNIN_BROWSER_TEST_TIMEOUT_MS  for each test (default 300000)
#        KENNIN_SCREENSHOT_DIR   where screenshots go (default docs/screenshots)
#        KENNIN_BROWSER_TEST_FILES  only these test files (space-separated; default: every one)
#        KENNIN_REQUESTS_OUT     journey.test.mjs writes the requests it counted there (the bench)
#        KENNIN_PAGES_BENCH_OUT  instead of the tests, the pages' benchmark (tests/browser/
#                                pages.bench.mjs, run by scripts/bench.sh) into this JSON file;
#                                Lighthouse (pinned) is then installed into .tools/lighthouse
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
BROWSER_DIR="$ROOT/tests/browser"
FONT_PACKAGE=fonts-noto-cjk # Noto Sans/Serif CJK JP, regular and bold

log() { printf 'browser-tests: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- (a) chromium and fonts

deb_installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }

ensure_chromium() {
    if [[ -n "${KENNIN_CHROMIUM:-}" ]]; then
        [[ -x "$KENNIN_CHROMIUM" ]] || die "KENNIN_CHROMIUM=$KENNIN_CHROMIUM is not an executable"
        export KENNIN_CHROMIUM
        return
    fi
    local missing=()
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    deb_installed "$FONT_PACKAGE" || missing+=("$FONT_PACKAGE")
    if ((${#missing[@]} == 0)); then
        return
    fi
    command -v apt-get >/dev/null ||
        die "need ${missing[*]} (Debian packages), but there is no apt-get; set KENNIN_CHROMIUM to a Chromium binary"
    [[ $(id -u) == 0 ]] ||
        die "need ${missing[*]}: run this as root, or first: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    log "installing ${missing[*]} with apt-get"
    local apt_log
    apt_log="$(mktemp)"
    # DPkg::Lock::Timeout: wait for another apt-get (e.g. a second test run) instead of failing.
    if ! { apt-get -o DPkg::Lock::Timeout=300 update &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
            "${missing[@]}"; } >"$apt_log" 2>&1; then
        tail -n 30 "$apt_log" >&2
        rm -f "$apt_log"
        die "apt-get could not install ${missing[*]}"
    fi
    rm -f "$apt_log"
    [[ -x /usr/bin/chromium ]] || die "apt-get ran, but /usr/bin/chromium is still missing"
}

# ---------------------------------------------------------------- (b) npm packages

ensure_node_modules() {
    command -v node >/dev/null || die "node not found (need Node 20 or later)"
    command -v npm >/dev/null || die "npm not found"
    local major
    major="$(node -p 'process.versions.node.split(".")[0]')"
    ((major >= 20)) || die "need Node 20 or later, found $(node --version)"
    # The stamp holds the hash of the lock (and package.json) that node_modules was made from;
    # it lives inside node_modules, so a removed node_modules takes it along.
    local stamp="$BROWSER_DIR/node_modules/.kennin-installed" want
    want="$(cd "$BROWSER_DIR" && sha256sum package-lock.json package.json)"
    if [[ -f "$stamp" && "$(<"$stamp")" == "$want" ]]; then
        return
    fi
    log "npm ci in tests/browser"
    (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed in tests/browser"
    printf '%s\n' "$want" >"$stamp"
}

# Serialise installs of concurrent runs (apt-get has its own lock; npm ci does not).
mkdir -p "$ROOT/.tools/run"
exec 8>"$ROOT/.tools/run/browser-tests.lock"
flock 8
ensure_chromium
ensure_node_modules
flock -u 8
exec 8>&-

CHROMIUM_BIN="${KENNIN_CHROMIUM:-/usr/bin/chromium}"
log "$("$CHROMIUM_BIN" --version 2>/dev/null | head -n 1), playwright-core $(node -p 'require(process.argv[1]).version' "$BROWSER_DIR/node_modules/playwright-core/package.json")"

# ---------------------------------------------------------------- (c) kennin-local

if [[ -z "${KENNIN_LOCAL_BIN:-}" ]]; then
    log "building kennin-local and kennin-admin"
    cargo build --quiet -p kennin-local -p kennin-admin
    KENNIN_LOCAL_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/kennin-local"
fi
[[ -x "$KENNIN_LOCAL_BIN" ]] || die "KENNIN_LOCAL_BIN=$KENNIN_LOCAL_BIN is not an executable"
export KENNIN_ADMIN_BIN="${KENNIN_ADMIN_BIN:-$(dirname "$KENNIN_LOCAL_BIN")/kennin-admin}"
[[ -x "$KENNIN_ADMIN_BIN" ]] || die "KENNIN_ADMIN_BIN=$KENNIN_ADMIN_BIN is not an executable"

# ---------------------------------------------------------------- (d) start it

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kennin-browser-tests.XXXXXX")"
KENNIN_LOCAL_PID=

# (f) always: stop kennin-local, remove the temporary folder; the exit code stays as it was.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    stop_process "$KENNIN_LOCAL_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh SQLite store and outbox; cheap argon2 so that signups and logins are quick.
KENNIN_LOCAL_START_TIMEOUT="${KENNIN_BROWSER_START_TIMEOUT:-60}" start_kennin_local "$WORK"
SERVER_LOG="$KENNIN_LOCAL_LOG"
export KENNIN_BASE_URL="$KENNIN_LOCAL_URL" KENNIN_DATA_DIR="$WORK/data"
log "kennin-local (pid $KENNIN_LOCAL_PID) at $KENNIN_BASE_URL"

# ---------------------------------------------------------------- (e) the tests

if [[ -n "${KENNIN_PAGES_BENCH_OUT:-}" ]]; then
    lighthouse_version=12.8.2
    lighthouse_dir="$ROOT/.tools/lighthouse"
    installed=$(node -p 'require(process.argv[1]).version' "$lighthouse_dir/node_modules/lighthouse/package.json" 2>/dev/null || true)
    if [[ "$installed" != "$lighthouse_version" ]]; then
        log "installing lighthouse $lighthouse_version into .tools/lighthouse"
        mkdir -p "$lighthouse_dir"
        (cd "$lighthouse_dir" && npm install --no-audit --no-fund --loglevel=error --prefix . \
            "lighthouse@$lighthouse_version" >&2) || die "npm install lighthouse failed"
    fi
    KENNIN_LIGHTHOUSE="$lighthouse_dir/node_modules/.bin/lighthouse" KENNIN_CHROMIUM="$CHROMIUM_BIN" \
        node "$BROWSER_DIR/pages.bench.mjs" "$KENNIN_PAGES_BENCH_OUT"
    exit
fi

# The TAP reporter whatever stdout is, so that the summary (`# pass N`, `# fail N`) is printed.
read -r -a test_files <<<"${KENNIN_BROWSER_TEST_FILES:-$BROWSER_DIR/}"
set +e
node --test --test-reporter=tap --test-concurrency=1 \
    --test-timeout="${KENNIN_BROWSER_TEST_TIMEOUT_MS:-300000}" --test-force-exit \
    "$@" "${test_files[@]}"
status=$?
set -e
if ((status != 0)); then
    log "tests failed (exit $status); the end of kennin-local's log:"
    tail -n 40 "$SERVER_LOG" >&2 || true
fi
exit "$status"
