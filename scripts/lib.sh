# Shared by the install scripts (sourced). Expects PYTHON, VENV and the caller's log/die.

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
