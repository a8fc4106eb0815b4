#!/usr/bin/env bash
# The deploy tools, idempotently: one Python venv .tools/deploy-venv with pinned aws-sam-cli,
# cargo-lambda and ziglang (cargo-lambda cross-links with zig), and the arm64 Rust target.
#
# Usage:
#   scripts/deploy-tools.sh install   # install if missing or at other versions (the default)
#   scripts/deploy-tools.sh env       # install if needed, print `export ...` lines:
#                                     #   PATH (the venv first: sam's rust-cargolambda builder
#                                     #   looks for cargo-lambda and zig beside the first
#                                     #   python3 on PATH), KENNIN_SAM, KENNIN_CARGO_LAMBDA
#   scripts/deploy-tools.sh tools     # the same without PATH: only KENNIN_SAM, KENNIN_CARGO_LAMBDA
#
#   eval "$(scripts/deploy-tools.sh env)"   # then: scripts/deploy-build.sh, sam deploy, cargo lambda watch, ...
#
# Env: KENNIN_PYTHON picks the python3 that makes the venv.
set -euo pipefail

SAM_VERSION=1.170.0
CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.17.1
TARGET=aarch64-unknown-linux-gnu

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.tools/deploy-venv"
PYTHON="${KENNIN_PYTHON:-python3}"
STAMP="$VENV/.kennin-requirements"

log() { printf 'deploy-tools: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

requirements() {
    printf '%s\n' "aws-sam-cli==$SAM_VERSION" "cargo-lambda==$CARGO_LAMBDA_VERSION" "ziglang==$ZIGLANG_VERSION"
}

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

install_python_tools() {
    if [[ "$(cat "$STAMP" 2>/dev/null)" == "$(requirements)" && -x "$VENV/bin/sam" \
        && -x "$VENV/bin/cargo-lambda" && -x "$VENV/bin/python-zig" ]]; then
        log "aws-sam-cli $SAM_VERSION, cargo-lambda $CARGO_LAMBDA_VERSION, ziglang $ZIGLANG_VERSION already installed"
        return
    fi
    [[ -x "$VENV/bin/python" ]] || { log "creating venv $VENV"; mkdir -p "$(dirname "$VENV")"; make_venv; }
    log "installing $(requirements | tr '\n' ' ')into $VENV"
    # shellcheck disable=SC2046
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q $(requirements) >&2
    requirements >"$STAMP"
}

install_target() {
    command -v rustup >/dev/null || die "rustup not found (the arm64 target is added with rustup)"
    if rustup target list --installed | grep -qx "$TARGET"; then
        log "Rust target $TARGET already installed"
    else
        log "adding Rust target $TARGET"
        rustup target add "$TARGET" >&2
    fi
}

cmd_install() {
    install_python_tools
    install_target
}

cmd_tools() {
    cmd_install
    printf 'export KENNIN_SAM=%q\n' "$VENV/bin/sam"
    printf 'export KENNIN_CARGO_LAMBDA=%q\n' "$VENV/bin/cargo-lambda"
}

cmd_env() {
    cmd_tools
    # shellcheck disable=SC2016 # $PATH is expanded by the shell that evals this line
    printf 'export PATH=%q:"$PATH"\n' "$VENV/bin"
}

case "${1:-install}" in
install) cmd_install ;;
env) cmd_env ;;
tools) cmd_tools ;;
*) die "usage: $0 [install|env|tools]" ;;
esac
