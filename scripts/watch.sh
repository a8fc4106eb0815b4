#!/usr/bin/env bash
# Every Lambda function under `cargo lambda watch`, the way Lambda runs them, against DynamoDB
# Local, with mail written to an outbox folder instead of SES:
#
#   scripts/watch.sh                # then: http://127.0.0.1:9000/lambda-url/<binary>/
#
# It installs the deploy tools (scripts/deploy-tools.sh) and starts DynamoDB Local
# (scripts/services.sh) when needed, creates the table if missing and seeds the demo union 0904
# with this year's demo roster through kennin-admin (idempotent), and then runs
# `cargo lambda watch` with the functions' environment. Each function is compiled (debug) on
# its first request. Extra arguments go to `cargo lambda watch`.
#
# Env: KENNIN_DYNAMODB_ENDPOINT  use this DynamoDB endpoint (default: start DynamoDB Local)
#      KENNIN_ADMIN_BIN          a built kennin-admin to seed with (default: cargo run)
#      KENNIN_WATCH_TABLE        table name (default kennin-watch)
#      KENNIN_WATCH_OUTBOX       where mails go as .eml files (default .kennin/watch-outbox)
#      KENNIN_WATCH_PORT         invoke port (default 9000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

log() { printf 'watch: %s\n' "$*" >&2; }

eval "$(scripts/deploy-tools.sh env)"
if [[ -z "${KENNIN_DYNAMODB_ENDPOINT:-}" ]]; then
    # Services already running on these ports (e.g. for a test run) are shared, not restarted.
    eval "$(scripts/services.sh start)"
    KENNIN_DYNAMODB_ENDPOINT="$KENNIN_TEST_DYNAMODB_ENDPOINT"
fi
TABLE="${KENNIN_WATCH_TABLE:-kennin-watch}"
OUTBOX="${KENNIN_WATCH_OUTBOX:-$ROOT/.kennin/watch-outbox}"
PORT="${KENNIN_WATCH_PORT:-9000}"
mkdir -p "$OUTBOX" "$ROOT/.kennin"
OUTBOX="$(cd "$OUTBOX" && pwd)"

# DynamoDB Local accepts any credentials; the SDK still wants some, and a region.
export AWS_REGION="${AWS_REGION:-ap-northeast-1}" AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}" \
    AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"

log "table $TABLE at $KENNIN_DYNAMODB_ENDPOINT"
# The table as template.yaml declares it (if missing), and the demo union, through the operator
# CLI as an operator would against the real table. A kennin-admin already built (the test
# suite's, KENNIN_ADMIN_BIN) is used as it is: `cargo run -p` would build it again with its own
# features.
if [[ -n "${KENNIN_ADMIN_BIN:-}" ]]; then
    admin=("$KENNIN_ADMIN_BIN")
else
    admin=(cargo run --quiet -p kennin-admin --)
fi
admin+=(--table "$TABLE" --dynamodb-endpoint "$KENNIN_DYNAMODB_ENDPOINT")
"${admin[@]}" table create >&2
"${admin[@]}" insurer put --code 0904 --name "けんにん健康保険組合（デモ）" >&2
"${admin[@]}" roster import --insurer 0904 --year "$(date +%Y)" infra/local/demo-roster.csv >&2

# What template.yaml gives every function, with local stand-ins: DynamoDB Local for the table
# and the outbox folder for SES. The document functions need a bucket name to start; uploads
# also need an S3 endpoint (AWS_ENDPOINT_URL_S3, e.g. moto's) and the bucket there. The secret is a fixed development value, never a real one.
env_file="$ROOT/.kennin/watch-$PORT.env"
cat >"$env_file" <<ENV
KENNIN_TABLE=$TABLE
KENNIN_MAIL_FROM=no-reply@kennin.localhost
KENNIN_SES_CONFIGURATION_SET=
KENNIN_SECRET=kennin-watch-development-secret-not-for-aws
KENNIN_OUTBOX_DIR=$OUTBOX
KENNIN_BUCKET=${KENNIN_WATCH_BUCKET:-kennin-watch-documents}
AWS_ENDPOINT_URL_DYNAMODB=$KENNIN_DYNAMODB_ENDPOINT
AWS_REGION=$AWS_REGION
AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
RUST_LOG=${RUST_LOG:-info}
ENV
log "mail goes to $OUTBOX"
log "functions: http://127.0.0.1:$PORT/lambda-url/<binary>/ (kennin-signup-identity, kennin-session-login, ...)"
# No CORS, like the deployed API (pages and API share one origin).
exec cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$PORT" --disable-cors --env-file "$env_file" "$@"
