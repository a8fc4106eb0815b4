#!/usr/bin/env bash
# Cold start and package size, measured side by side (issue 7, items 1 and 5).
#
#   scripts/bench-coldstart.sh
#
# Builds what it needs (incrementally: a second run with nothing changed only relinks nothing),
# then
#   1. cold start: every kennin function (x86_64 release build: the release profile that
#      deploys, fat LTO; arm64 cannot run here), a no-SDK lambda_http hello (the floor), the
#      same-SDK floor (lambda_http with kennin's DynamoDB client making one GetItem), the
#      identity step in Python 3.11 + boto3 under awslambdaric and in Node 20 + the AWS SDK v3
#      under aws-lambda-ric, and cost probes (a build with aws-lc's jitter entropy on, the dummy
#      argon2 hash made trivial), N rounds round-robin against the Runtime API emulator in
#      tests/bench-coldstart, with DynamoDB Local holding the demo roster;
#   2. size: the arm64 deploy build (the cargo lambda build scripts/deploy-build.sh runs), each
#      function's bootstrap zipped.
# Writes target/bench/coldstart.md and target/bench/size.md (sections for docs/performance.md,
# which scripts/bench.sh assembles), their rows for its targets table (coldstart-targets.md,
# size-targets.md there) and the raw samples to docs/bench/coldstart.json.
#
# Env: KENNIN_BENCH_ROUNDS        cold starts per subject (default 20, at least 20 for the report)
#      KENNIN_BENCH_FUNCTIONS     measure the cold start of only these functions (binary names,
#                                 space-separated; default: all in template.yaml)
#      KENNIN_BENCH_DIR           where the sections, logs and binaries go (default target/bench)
#      KENNIN_BENCH_SKIP_JITTER=1 skip the jitter-entropy probe build (a second release build of
#                                 the dependencies for one function, ~10 min of CPU the first time)
#      KENNIN_TEST_DYNAMODB_ENDPOINT / KENNIN_TEST_SES_ENDPOINT  use running services; else they
#                                 are started with scripts/services.sh and stopped afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

log() { printf 'bench-coldstart: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

ROUNDS="${KENNIN_BENCH_ROUNDS:-20}"
BENCH_DIR="${KENNIN_BENCH_DIR:-$ROOT/target/bench}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
TOOLS="$ROOT/.tools/bench-coldstart"
SUBJECTS="$ROOT/tests/bench-coldstart/subjects"
TABLE=kennin-bench-coldstart
mkdir -p "$BENCH_DIR/bin" "$TOOLS"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
script_start=$SECONDS
timings=()
timed() { # timed LABEL COMMAND...: runs it, notes its wall time for the size section
    local label=$1 start=$SECONDS
    shift
    "$@"
    timings+=("$label|$((SECONDS - start))")
    log "$label took $((SECONDS - start)) s"
}

# lib.sh's make_venv makes $VENV with $PYTHON.
# shellcheck disable=SC2034
PYTHON="${KENNIN_PYTHON:-python3}"
VENV="$TOOLS/python"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# --- the comparison runtimes, pinned, idempotently ---------------------------------------------
install_python() {
    local stamp="$VENV/.kennin-requirements"
    if cmp -s "$stamp" "$SUBJECTS/python/requirements.txt" && [[ -x "$VENV/bin/python" ]]; then
        return
    fi
    [[ -x "$VENV/bin/python" ]] || make_venv
    log "installing boto3 and awslambdaric into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$SUBJECTS/python/requirements.txt" >&2
    cp "$SUBJECTS/python/requirements.txt" "$stamp"
}

install_node() {
    local dir="$TOOLS/node"
    mkdir -p "$dir"
    cp "$SUBJECTS/node/index.mjs" "$dir/index.mjs"
    if cmp -s "$dir/.kennin-lock" "$SUBJECTS/node/package-lock.json" \
        && [[ -f "$dir/node_modules/aws-lambda-ric/dist/rapid-client.node" ]]; then
        return
    fi
    # aws-lambda-ric compiles AWS's C++ runtime client (and its libcurl) on install.
    local missing=()
    for tool in cmake autoconf automake libtool make g++; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if ((${#missing[@]})); then
        if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
            die "aws-lambda-ric needs ${missing[*]} to build (install them)"
        fi
        log "installing cmake autoconf automake libtool make g++ with apt-get (aws-lambda-ric builds native code)"
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y cmake autoconf automake libtool make g++ >&2
    fi
    cp "$SUBJECTS/node/package.json" "$SUBJECTS/node/package-lock.json" "$dir/"
    log "npm ci in $dir (aws-lambda-ric compiles for a few minutes)"
    (cd "$dir" && npm ci --no-audit --no-fund >&2)
    cp "$SUBJECTS/node/package-lock.json" "$dir/.kennin-lock"
}

# --- builds ---------------------------------------------------------------------------------------
template_functions=$(cargo xtask functions)
mapfile -t functions <<<"$template_functions"
# Every function unless KENNIN_BENCH_FUNCTIONS names some (a quicker run).
read -r -a measured <<<"${KENNIN_BENCH_FUNCTIONS:-${functions[*]}}"
packages=()
function_args=()
for function in "${measured[@]}"; do packages+=(-p "$function") function_args+=(--function "$function"); done

build_functions() {
    # The deploy profile for this machine's architecture. The functions and the floors share one
    # invocation (the floors add no features); the driver gets its own so that its tokio and axum
    # features cannot leak into the functions.
    cargo build --release "${packages[@]}" -p kennin-bench-floor -p kennin-bench-sdk-floor
    for binary in "${measured[@]}" kennin-bench-floor kennin-bench-sdk-floor; do
        cp "$TARGET_DIR/release/$binary" "$BENCH_DIR/bin/$binary"
    done
}

build_jitter_probe() {
    # .cargo/config.toml builds aws-lc without its jitter entropy source; the probe builds it
    # with, under a profile of its own so that the two aws-lc builds do not overwrite each other.
    AWS_LC_SYS_NO_JITTER_ENTROPY=0 cargo build --config 'profile.bench-jitter.inherits="release"' \
        --profile bench-jitter -p kennin-signup-identity
    cp "$TARGET_DIR/bench-jitter/kennin-signup-identity" "$BENCH_DIR/bin/kennin-signup-identity-jitter"
}

build_driver() {
    cargo build --release -p kennin-bench-coldstart
    cp "$TARGET_DIR/release/kennin-bench-coldstart" "$BENCH_DIR/bin/kennin-bench-coldstart"
}

build_arm64() {
    # The cargo lambda build that deploy-build.sh runs, in one invocation for every function
    # measured: with all of them, the same build and so the same bootstraps that deploy.
    rm -rf "$BENCH_DIR/arm64"
    mkdir -p "$BENCH_DIR/arm64"
    eval "$(scripts/deploy-tools.sh env)"
    cargo lambda build --release --arm64 "${packages[@]}" --lambda-dir "$BENCH_DIR/lambda-arm64" >&2
    for function in "${measured[@]}"; do
        cp "$BENCH_DIR/lambda-arm64/$function/bootstrap" "$BENCH_DIR/arm64/$function"
    done
}

timed "Python venv (boto3, awslambdaric)" install_python
timed "Node modules (@aws-sdk/client-dynamodb, aws-lambda-ric)" install_node
timed "x86_64 release build: ${#measured[@]} functions + the two floors" build_functions
variant_args=()
if [[ "${KENNIN_BENCH_SKIP_JITTER:-}" != 1 ]]; then
    timed "x86_64 build of the jitter-entropy probe" build_jitter_probe
    variant_args+=(--variant "aws-lc jitter entropy on=$BENCH_DIR/bin/kennin-signup-identity-jitter")
fi
timed "driver build" build_driver
timed "arm64 release build of ${#measured[@]} functions" build_arm64

# --- services and the demo roster ----------------------------------------------------------------
started_services=
if [[ -z "${KENNIN_TEST_DYNAMODB_ENDPOINT:-}" ]]; then
    log "starting DynamoDB Local and moto (scripts/services.sh)"
    eval "$(scripts/services.sh start)"
    started_services=1
fi
stop_services() { [[ -z "$started_services" ]] || scripts/services.sh stop >&2 || true; }
trap stop_services EXIT
export AWS_REGION=ap-northeast-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local

admin=(cargo run --quiet -p kennin-admin -- --table "$TABLE" --dynamodb-endpoint "$KENNIN_TEST_DYNAMODB_ENDPOINT")
"${admin[@]}" table create >&2
"${admin[@]}" insurer put --code 0904 --name "けんにん健康保険組合（デモ）" >&2
"${admin[@]}" roster import --insurer 0904 --year "$(date +%Y)" infra/local/demo-roster.csv >&2

# --- 1. cold start ------------------------------------------------------------------------------
cargo xtask events --out "$BENCH_DIR/events" >&2
ses_args=()
[[ -z "${KENNIN_TEST_SES_ENDPOINT:-}" ]] || ses_args=(--ses-endpoint "$KENNIN_TEST_SES_ENDPOINT")
run_coldstart() {
    "$BENCH_DIR/bin/kennin-bench-coldstart" run --rounds "$ROUNDS" \
        --functions "$BENCH_DIR/bin" "${function_args[@]}" --template template.yaml --events "$BENCH_DIR/events" \
        --floor "$BENCH_DIR/bin/kennin-bench-floor" --sdk-floor "$BENCH_DIR/bin/kennin-bench-sdk-floor" \
        --python "$VENV/bin/python" --python-app "$SUBJECTS/python" \
        --node "$(command -v node)" --node-app "$TOOLS/node" \
        "${variant_args[@]}" \
        --dynamodb-endpoint "$KENNIN_TEST_DYNAMODB_ENDPOINT" "${ses_args[@]}" --table "$TABLE" \
        --logs "$BENCH_DIR/coldstart-logs" --json docs/bench/coldstart.json \
        --markdown "$BENCH_DIR/coldstart-measured.md" --targets "$BENCH_DIR/coldstart-targets.md"
}
rm -rf "$BENCH_DIR/coldstart-logs"
timed "cold-start run ($ROUNDS rounds)" run_coldstart
{
    cat "$BENCH_DIR/coldstart-measured.md"
    cat tests/bench-coldstart/coldstart-notes.md
} >"$BENCH_DIR/coldstart.md"

# --- 2. size --------------------------------------------------------------------------------------
zip_packages() { # zip -9 and Python's zipfile (how `sam deploy` packs a folder) of each bootstrap
    "$VENV/bin/python" - "$BENCH_DIR/arm64" "$BENCH_DIR/zips" "${measured[@]}" <<'PY'
import os, subprocess, sys, zipfile
binaries, out, functions = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(out, exist_ok=True)
for function in functions:
    bootstrap = os.path.join(binaries, function)
    nine = os.path.join(out, function + "-9.zip")
    sam = os.path.join(out, function + "-sam.zip")
    for old in (nine, sam):
        if os.path.exists(old):
            os.remove(old)
    # zip stores the name it is given: a link named bootstrap, as in the package.
    link = os.path.join(out, "bootstrap")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(bootstrap, link)
    subprocess.run(["zip", "-q", "-9", "-j", nine, link], check=True)
    os.remove(link)
    with zipfile.ZipFile(sam, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(bootstrap, "bootstrap")
PY
}
zip_packages
timing_args=()
for entry in "${timings[@]}"; do timing_args+=(--timing "${entry%%|*}=${entry##*|}"); done
# The section and the size row for the targets table of docs/performance.md (kennin-bench puts
# it there).
"$BENCH_DIR/bin/kennin-bench-coldstart" size --bootstraps "$BENCH_DIR/arm64" --zips "$BENCH_DIR/zips" \
    "${function_args[@]}" --before tests/bench-coldstart/size-before.tsv \
    --notes tests/bench-coldstart/size-notes.md "${timing_args[@]}" \
    --markdown "$BENCH_DIR/size.md" --targets "$BENCH_DIR/size-targets.md"

log "wrote $BENCH_DIR/coldstart.md, $BENCH_DIR/size.md and docs/bench/coldstart.json in $((SECONDS - script_start)) s"
