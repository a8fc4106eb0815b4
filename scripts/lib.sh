# Shared by the scripts (sourced). make_venv expects PYTHON, VENV and the caller's log/die;
# start_kennin_local expects KENNIN_LOCAL_BIN and the caller's die.

# A Python venv at $VENV. Debian's python3 ships venv/ensurepip in a separate package, which is
# installed when missing (as root).
make_venv() {
    "$PYTHON" -m venv "$VENV" >&2 && return
    rm -rf "$VENV"
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        log "python venv unavailable; installing python3-venv with apt-get"
        apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2
        "$PYTHON" -m venv "$VENV" >&2 && return
    fi
    die "cannot create a venv with $PYTHON (install python3-venv)"
}

# stop_process PID: asks a server of ours to stop, waits up to 5 s, then kills it. No PID: nothing.
stop_process() {
    local pid="${1:-}" i
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# start_kennin_local DIR [kennin-local options...]: starts $KENNIN_LOCAL_BIN on a free port with
# a fresh embedded store in DIR/data (unless the options name a table: the caller's KENNIN_TABLE
# and KENNIN_DYNAMODB_ENDPOINT never switch it) and cheap argon2, so that logins are quick; its
# output goes to DIR/kennin-local.log. Waits until it listens (KENNIN_LOCAL_START_TIMEOUT
# seconds, default 60), then sets KENNIN_LOCAL_PID and KENNIN_LOCAL_URL (http://127.0.0.1:PORT).
# Other settings go in as the caller's environment: KENNIN_RECOVERY_FLOOR_MS=0 start_kennin_local ...
start_kennin_local() {
    local dir="$1" deadline=$((SECONDS + ${KENNIN_LOCAL_START_TIMEOUT:-60}))
    shift
    mkdir -p "$dir"
    KENNIN_LOCAL_LOG="$dir/kennin-local.log"
    rm -f "$dir/ready"
    env -u KENNIN_TABLE -u KENNIN_DYNAMODB_ENDPOINT \
        KENNIN_ARGON2_MEMORY_KIB=64 KENNIN_ARGON2_ITERATIONS=1 RUST_BACKTRACE=0 \
        "$KENNIN_LOCAL_BIN" --port 0 --data-dir "$dir/data" --ready-file "$dir/ready" "$@" \
        </dev/null >"$KENNIN_LOCAL_LOG" 2>&1 &
    KENNIN_LOCAL_PID=$!
    until [[ -s "$dir/ready" ]]; do
        if ! kill -0 "$KENNIN_LOCAL_PID" 2>/dev/null; then
            tail -n 30 "$KENNIN_LOCAL_LOG" >&2 || true
            KENNIN_LOCAL_PID=
            die "kennin-local exited during startup"
        fi
        ((SECONDS < deadline)) || { tail -n 30 "$KENNIN_LOCAL_LOG" >&2 || true; die "kennin-local did not start listening"; }
        sleep 0.1
    done
    KENNIN_LOCAL_URL="$(<"$dir/ready")"
}
