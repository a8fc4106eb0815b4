#!/usr/bin/env bash
# The deploy build: one arm64 `bootstrap` per function of template.yaml and the template that
# deploys them, in target/sam-build, laid out as `sam build` lays out its output (ready for
# `sam deploy --template-file target/sam-build/template.yaml`; see docs/deploy.md).
#
#   scripts/deploy-build.sh          # the deploy build; prints `export KENNIN_SAM_BUILD_DIR=...`
#   scripts/deploy-build.sh --check  # the test suite's build check (below), never for deploying
#
# Every function is built in ONE `cargo lambda build --release --arm64` invocation, so the
# shared dependencies are compiled once and the per-function links (fat LTO, one core each) run
# side by side on every core. `cargo xtask deploy-layout` then copies each bootstrap into the
# folder of its function's logical ID and writes the template with every CodeUri pointing
# there: all that `sam build` would add. `sam build` itself is not run: its cargo-lambda builder
# runs cargo once per function, in that function's folder, where cargo resolves the
# dependencies' features for that one package (kennin-shared's `s3` feature is on for the
# document functions only), so most of those builds find nothing of this one's to reuse and
# recompile kennin-shared and relink, one fat-LTO link after another: hours on 2 cores.
#
# --check (what scripts/test.sh runs): the same build of every function, with the release
# profile's optimisation switched off (opt-level 0, no LTO, 256 codegen units) so that a fresh
# 2-core machine builds all functions in minutes instead of most of an hour (figures in
# docs/deploy.md, "Release profile"). It checks everything but the optimiser: the
# cross-compilation to arm64 with zig, a bootstrap for every function and the deployed
# template. Its output goes to target/sam-build-check so that it cannot be deployed by mistake.
#
# Env: KENNIN_SAM_BUILD_DIR (default target/sam-build, or target/sam-build-check with --check).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'deploy-build: %s\n' "$*" >&2; }

eval "$(scripts/deploy-tools.sh env)"
case "${1:-}" in
--check)
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
    BUILD_DIR="${KENNIN_SAM_BUILD_DIR:-target/sam-build-check}"
    # cargo keeps the two builds' artifacts apart; cargo lambda's copies need folders of their own.
    LAMBDA_DIR=target/lambda-check
    log "check build: the release profile without optimisation (not for deploying)"
    ;;
"")
    BUILD_DIR="${KENNIN_SAM_BUILD_DIR:-target/sam-build}"
    LAMBDA_DIR=target/lambda
    ;;
*) log "usage: $0 [--check]"; exit 2 ;;
esac

# Gone before the build starts, so that a failed build leaves no older one to be taken for it.
rm -rf "$BUILD_DIR"

# The functions' binaries, as template.yaml names them (Metadata.BuildProperties.Binary); each
# package is named like its binary.
functions=$(cargo xtask functions)
mapfile -t binaries <<<"$functions"
packages=()
for binary in "${binaries[@]}"; do packages+=(-p "$binary"); done

start=$SECONDS
log "cargo lambda build --release --arm64 (${#binaries[@]} functions in one build)"
cargo lambda build --release --arm64 --lambda-dir "$LAMBDA_DIR" "${packages[@]}" >&2
log "cargo lambda build took $((SECONDS - start)) s"

cargo xtask deploy-layout --lambda-dir "$LAMBDA_DIR" --out "$BUILD_DIR" >&2
echo "export KENNIN_SAM_BUILD_DIR=$(cd "$BUILD_DIR" && pwd)"
