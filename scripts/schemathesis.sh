#!/usr/bin/env bash
# Fuzzes the whole API with schemathesis against the real kennin-local, driven by the OpenAPI
# document it serves (/api/openapi.json): every generated request must get an answer the
# document declares (status, content type, headers, body schema), requests that break the
# document must be refused, and nothing may answer 5xx. Fails unless the runs together sent at
# least KENNIN_SCHEMATHESIS_MIN_REQUESTS requests (default 10,000) and kennin-local's own log
# shows no 5xx answer.
#
# Installs schemathesis (pinned, from PyPI) into .tools/schemathesis-venv by itself,
# idempotently. A demo person signs up, accepts the terms and registers the contact details
# first, so the fuzzing reaches the logged-in routes past ⑤. The routes that end sessions
# (password change, logout, ending the other sessions) are fuzzed in runs of their own, each
# with a session of its own, so they cannot log the main run out; the script checks that the
# main and the password-change sessions survived their runs.
# Then, when KENNIN_TEST_DYNAMODB_ENDPOINT is set, a shorter run against DynamoDB Local.
#
# Usage: scripts/schemathesis.sh
# Env:   KENNIN_LOCAL_BIN                  a built kennin-local (default: build it)
#        KENNIN_TEST_DYNAMODB_ENDPOINT      DynamoDB Local, for the second store (else skipped)
#        KENNIN_SCHEMATHESIS_EXAMPLES       generated cases per operation, main run (default 300)
#        KENNIN_SCHEMATHESIS_MIN_REQUESTS   requests the runs must send together (default 10000)
#        KENNIN_SCHEMATHESIS_WORKERS        schemathesis workers (default 2)
#        KENNIN_SCHEMATHESIS_SEED           the generation seed (default fixed, so that a red run
#                                           is the same when run again; set one to explore more)
#        KENNIN_PYTHON                      the python3 that makes the venv
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

SCHEMATHESIS_VERSION=4.32.5
VENV="$ROOT/.tools/schemathesis-venv"
PYTHON="${KENNIN_PYTHON:-python3}"
EXAMPLES="${KENNIN_SCHEMATHESIS_EXAMPLES:-300}"
MIN_REQUESTS="${KENNIN_SCHEMATHESIS_MIN_REQUESTS:-10000}"
WORKERS="${KENNIN_SCHEMATHESIS_WORKERS:-2}"

log() { printf 'schemathesis: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- install

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

installed_version() {
    [[ -x "$VENV/bin/python" ]] || return 0
    "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true
}

mkdir -p "$ROOT/.tools/run"
exec 8>"$ROOT/.tools/run/schemathesis.lock"
flock 8 # two runs at once must not install into the same venv together
if [[ "$(installed_version)" != "$SCHEMATHESIS_VERSION" ]]; then
    [[ -x "$VENV/bin/python" ]] || { log "creating venv $VENV"; make_venv; }
    log "installing schemathesis==$SCHEMATHESIS_VERSION into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q "schemathesis==$SCHEMATHESIS_VERSION" >&2
    [[ "$(installed_version)" == "$SCHEMATHESIS_VERSION" ]] || die "schemathesis install did not take"
fi
flock -u 8
exec 8>&-
ST="$VENV/bin/st"

if [[ -z "${KENNIN_LOCAL_BIN:-}" ]]; then
    log "building kennin-local"
    cargo build --quiet -p kennin-local
    KENNIN_LOCAL_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/kennin-local"
fi
[[ -x "$KENNIN_LOCAL_BIN" ]] || die "KENNIN_LOCAL_BIN=$KENNIN_LOCAL_BIN is not an executable"

# ---------------------------------------------------------------- kennin-local

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kennin-schemathesis.XXXXXX")"
KENNIN_LOCAL_PID=

stop_server() {
    stop_process "$KENNIN_LOCAL_PID"
    KENNIN_LOCAL_PID=
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server NAME [kennin-local options...]: a fresh store; sets BASE_URL and SERVER_LOG.
# The recovery answers' timing floor (a defence against timing enumeration, tested elsewhere)
# would only slow the fuzzing down.
start_server() {
    local name="$1"
    shift
    KENNIN_RECOVERY_FLOOR_MS=0 start_kennin_local "$WORK/$name" "$@"
    BASE_URL="$KENNIN_LOCAL_URL" SERVER_LOG="$KENNIN_LOCAL_LOG"
    log "$name: kennin-local (pid $KENNIN_LOCAL_PID) at $BASE_URL"
}

# ---------------------------------------------------------------- the demo person

# Signs a roster person up (① → ④ as in the README), accepts the terms and registers the
# contact details (⑤), then prints `NAME=token` lines: four sessions (one per run) and an
# open signup flow at ② of another roster person, for the signup routes.
sign_up() { cargo xtask demo-sessions --base "$BASE_URL"; }

# still_logged_in SESSION: GET /api/me answers 200 with that session.
still_logged_in() { cargo xtask logged-in --base "$BASE_URL" "$1"; }

# ---------------------------------------------------------------- schemathesis

# Every check of schemathesis is on (its default) but three that do not fit this API:
# - positive_data_acceptance: JSON Schema cannot say what the domain rules say (a password
#   zxcvbn finds guessable, a birth date after today, a card not on the roster), so a
#   schema-valid body is rightly answered 400.
# - unsupported_method, allow_header_conformance: API Gateway HTTP APIs answer a method with no
#   route 404, not 405 with Allow, and kennin-local answers as API Gateway does.
# A refused request may also be answered 410 (a signup flow cookie that is no flow: the flow is
# gone) or 413 (a generated body over the 16 KB limit): both change nothing, which is what
# negative_data_rejection is about. For the same reason the signup steps after ① answer a
# request without the flow cookie 410, not the 401 ignored_auth expects: the browser drops the
# cookie when the flow expires (Max-Age), so no cookie is exactly what an expired flow looks
# like, and the page starts over.
# The cookies go in through the document's security schemes, so that schemathesis also sends
# requests without them and checks that those are refused.
cat >"$WORK/schemathesis.toml" <<'EOF'
[auth.openapi.session]
api_key = "${KENNIN_FUZZ_SESSION}"

[auth.openapi.signupFlow]
api_key = "${KENNIN_FUZZ_SIGNUP_FLOW}"

[checks.positive_data_acceptance]
enabled = false

[checks.unsupported_method]
enabled = false

[checks.allow_header_conformance]
enabled = false

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "409", "410", "413", "415", "429"]

[[operations]]
include-operation-id = ["signupAccount", "signupCode", "signupResend"]
checks.ignored_auth.enabled = false
EOF

RUNS=()
# fuzz NAME EXAMPLES SESSION SIGNUP_FLOW [st run filter options...]
fuzz() {
    local name="$1" examples="$2" status=0
    export KENNIN_FUZZ_SESSION="$3" KENNIN_FUZZ_SIGNUP_FLOW="$4"
    shift 4
    local report="$WORK/reports/$name"
    mkdir -p "$report"
    log "$name: fuzzing $BASE_URL/api/openapi.json ($examples cases per operation)"
    # Health checks off: they abort an operation whose generation is slow or filters much (the
    # long Unicode bodies), which would only make the run cover less.
    (cd "$WORK" && "$ST" --config-file "$WORK/schemathesis.toml" --no-color run "$BASE_URL/api/openapi.json" \
        --max-examples "$examples" --workers "$WORKERS" --seed "${KENNIN_SCHEMATHESIS_SEED:-20360601}" \
        --generation-database none --generation-with-security-parameters false \
        --suppress-health-check all --request-timeout 30 \
        --report ndjson --report-ndjson-path "$report/events.ndjson" \
        "$@" >"$report/output.txt" 2>&1) || status=$?
    # The summary only: the failures above it can quote whole generated bodies.
    sed -n '/^=* SUMMARY =*$/,$p' "$report/output.txt"
    if ((status != 0)); then
        log "$name: schemathesis failed (exit $status); its failures:"
        sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' "$report/output.txt" | cut -c1-400 | head -n 200
    fi
    RUNS+=("$name")
    return "$status"
}

# count_answers EVENTS...: from schemathesis' NDJSON events (one interaction per request sent),
# a table of the answers' statuses per operation on stderr, and "requests server_errors" on
# stdout.
count_answers() { cargo xtask schemathesis-answers "$@"; }

# answers_logged LOG: "requests server_errors" from kennin-local's own JSON log, one line per
# request: a count that does not rely on schemathesis. The first 5xx lines go to stderr.
answers_logged() { cargo xtask logged-answers "$1"; }

failed=0

# fuzz_store NAME EXAMPLES [kennin-local options...]: the three runs against one store.
fuzz_store() {
    local name="$1" examples="$2" signup_env
    shift 2
    start_server "$name" "$@"
    signup_env="$(sign_up)" || die "$name: the demo person could not sign up"
    eval "$signup_env"
    fuzz "$name-main" "$examples" "$MAIN_SESSION" "$OPEN_FLOW" --exclude-operation-id changePassword \
        --exclude-operation-id logout --exclude-operation-id endOtherSessions || failed=1
    still_logged_in "$MAIN_SESSION" || { log "$name: the main run ended its own session"; failed=1; }
    fuzz "$name-password-change" "$examples" "$PASSWORD_SESSION" "$OPEN_FLOW" \
        --include-operation-id changePassword || failed=1
    still_logged_in "$PASSWORD_SESSION" || { log "$name: a wrong current password ended the session"; failed=1; }
    fuzz "$name-logout" "$examples" "$LOGOUT_SESSION" "$OPEN_FLOW" --include-operation-id logout || failed=1
    # Last: it ends every session but its own, which it renews (so its later requests get 401).
    fuzz "$name-end-other-sessions" "$examples" "$END_SESSIONS_SESSION" "$OPEN_FLOW" \
        --include-operation-id endOtherSessions || failed=1
    local logged_requests logged_errors
    read -r logged_requests logged_errors < <(answers_logged "$SERVER_LOG")
    log "$name: kennin-local logged $logged_requests requests, $logged_errors answered 5xx"
    ((logged_errors == 0)) || failed=1
    stop_server
}

fuzz_store embedded "$EXAMPLES"
if [[ -n "${KENNIN_TEST_DYNAMODB_ENDPOINT:-}" ]]; then
    # DynamoDB Local checks no credentials, but the SDK wants some.
    AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}" \
        AWS_REGION="${AWS_REGION:-ap-northeast-1}" \
        fuzz_store dynamodb "$((EXAMPLES / 6))" --table "kennin-schemathesis-$$-$RANDOM" \
        --dynamodb-endpoint "$KENNIN_TEST_DYNAMODB_ENDPOINT"
else
    log "KENNIN_TEST_DYNAMODB_ENDPOINT is not set: no run against DynamoDB Local"
fi

events=()
for run in "${RUNS[@]}"; do events+=("$WORK/reports/$run/events.ndjson"); done
read -r requests server_errors < <(count_answers "${events[@]}")
log "$requests requests in ${#RUNS[@]} runs (${RUNS[*]}), $server_errors answered 5xx"
((server_errors == 0)) || failed=1
((requests >= MIN_REQUESTS)) || { log "error: fewer than $MIN_REQUESTS requests"; failed=1; }
if ((failed)); then
    log "FAILED"
    exit 1
fi
log "passed: $requests requests, no server error, every answer as the document says"
