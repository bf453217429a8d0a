#!/usr/bin/env bash
# Property-based run of the whole OpenAPI with schemathesis, against a live server on
# PostgreSQL holding the demo city: once with a liaison's token, once with a 管考 officer's,
# once anonymous. Fails on any 5xx, any response that breaks its documented schema, and any
# status code or content type an operation does not document. Run by .ci/run; by hand:
#   bash tests/schemathesis_run.sh            (needs PostgreSQL at 127.0.0.1:5432, user postgres)
# Knobs: GUANKAO_FUZZ_EXAMPLES (cases per operation and phase, default 5), GUANKAO_FUZZ_PORT.
# The coverage phase is left out: schemathesis 4.32's coverage generator crashed inside
# hypothesis (SystemError while describing a filter) on Python 3.11, failing the run for a
# fault of the tool's, not of the API.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
examples="${GUANKAO_FUZZ_EXAMPLES:-5}"
port="${GUANKAO_FUZZ_PORT:-$((20000 + $$ % 10000))}"
db="guankao_fuzz_$$"
work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" TERM INT
export PGOPTIONS="--client-min-messages=warning"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" >/dev/null
export GUANKAO_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$db"
export GUANKAO_DATA_DIR="$work/data" GUANKAO_DEMO=1 DJANGO_SETTINGS_MODULE=guankao.settings

$BIN/python manage.py migrate -v0
$BIN/python manage.py seed_demo >/dev/null
# Tokens at ids far from the small ids the fuzzer tries, so it does not revoke its own.
$BIN/python manage.py shell -v0 -c '
import random
from guankao.core.models import ApiToken, User
from guankao.core.services import token_create
for name in ("officer", "pw.liaison"):
    token, raw = token_create(actor=User.objects.get(username=name), name="schemathesis")
    ApiToken.objects.filter(pk=token.pk).update(id=random.randint(10**9, 2**31 - 1))
    print(name, raw)
' > "$work/tokens"
officer=$(awk '$1 == "officer" {print $2}' "$work/tokens")
liaison=$(awk '$1 == "pw.liaison" {print $2}' "$work/tokens")

$BIN/python manage.py serve --bind "127.0.0.1:$port" --workers 2 --threads 2 \
  > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 60); do
  $BIN/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz')" \
    2>/dev/null && break
  sleep 0.5
done

run() {
  local who="$1"
  shift
  echo "== schemathesis as $who ($examples examples per operation and phase)"
  $BIN/schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,fuzzing --max-examples "$examples" --workers 2 \
    --seed 8 --generation-database none --no-color --request-timeout 30 \
    --suppress-health-check all --warnings off "$@" > "$work/$who.txt" 2>&1 && ok=0 || ok=$?
  # The whole report on failure (each case with its curl command); the summary otherwise.
  if [ "$ok" -ne 0 ]; then cat "$work/$who.txt"; else tail -22 "$work/$who.txt"; fi
  [ -n "${GUANKAO_FUZZ_KEEP:-}" ] && cp "$work/$who.txt" "$work/server.log" "$GUANKAO_FUZZ_KEEP/"
  return "$ok"
}
status=0
run liaison -H "Authorization: Bearer $liaison" || status=1
run officer -H "Authorization: Bearer $officer" || status=1
run anonymous || status=1
if [ "$status" -ne 0 ]; then
  echo "== server errors"
  grep -B2 -A30 "Traceback" "$work/server.log" | head -200 || true
fi
exit "$status"
