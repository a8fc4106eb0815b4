# Shared by the scripts (sourced). make_venv expects PYTHON, VENV and the caller's log/die.

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
