#!/usr/bin/env bash
# `sam build` of every function in template.yaml: one arm64 `bootstrap` per function and the
# built template, in target/sam-build (ready for `sam deploy`; see docs/deploy.md).
#
#   scripts/deploy-build.sh          # the deploy build; prints `export KENNIN_SAM_BUILD_DIR=...`
#   scripts/deploy-build.sh --check  # the test suite's build check (below), never for deploying
#
# sam's rust-cargolambda builder runs `cargo lambda build --release --arm64 --bin NAME` once per
# function. Every function is first built here in ONE cargo invocation, so the shared
# dependencies are compiled once and the per-function link steps (fat LTO, one core each) run
# side by side on every core; sam (--parallel) then finds each binary up to date, copies it and
# writes the template. The result is the same release build either way.
#
# --check (what scripts/test.sh runs): the same `sam build` of every function, with the release
# profile's optimisation switched off (opt-level 0, no LTO, 256 codegen units) so that a fresh
# 2-core machine builds all functions in minutes instead of most of an hour (figures in
# docs/deploy.md, "Release profile"). It checks everything but the optimiser: the template, the
# cross-compilation to arm64 with zig, and a bootstrap for every function. Its output goes to
# target/sam-build-check so that it cannot be deployed by mistake.
#
# Env: KENNIN_SAM_BUILD_DIR (default target/sam-build, or target/sam-build-check with --check).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'deploy-build: %s\n' "$*" >&2; }

eval "$(scripts/deploy-tools.sh env)"
export SAM_CLI_TELEMETRY=0
case "${1:-}" in
--check)
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
    BUILD_DIR="${KENNIN_SAM_BUILD_DIR:-target/sam-build-check}"
    log "check build: the release profile without optimisation (not for deploying)"
    ;;
"") BUILD_DIR="${KENNIN_SAM_BUILD_DIR:-target/sam-build}" ;;
*) log "usage: $0 [--check]"; exit 2 ;;
esac

# The functions' binaries, as template.yaml names them (Metadata.BuildProperties.Binary); each
# package is named like its binary.
functions=$(cargo xtask functions)
mapfile -t binaries <<<"$functions"
packages=()
for binary in "${binaries[@]}"; do packages+=(-p "$binary"); done

start=$SECONDS
log "cargo lambda build --release --arm64 (${#binaries[@]} functions in one build)"
cargo lambda build --release --arm64 "${packages[@]}" >&2
log "cargo lambda build took $((SECONDS - start)) s"

start=$SECONDS
log "sam build into $BUILD_DIR"
sam build --parallel --template-file template.yaml --build-dir "$BUILD_DIR" >&2
log "sam build took $((SECONDS - start)) s"
echo "export KENNIN_SAM_BUILD_DIR=$(cd "$BUILD_DIR" && pwd)"
