#!/usr/bin/env bash
# Production smoke test: the Docker image's steps, in the Dockerfile's order, without
# Docker (CI has no daemon), in a virtualenv of its own, then the processes the image
# runs, checked over HTTP.
#
#   build:  pip install -e '.[production]'
#           FACTCHECK_BUILD=1 manage.py compile_translations
#           FACTCHECK_BUILD=1 manage.py collectstatic --noinput      (production settings)
#   run:    manage.py migrate (compose's migrate service) on a fresh PostgreSQL database,
#           ensure_admin, load_demo, rebuild_search_index (embedded engine: one machine;
#           Elasticsearch has its own tests), gunicorn factcheck.wsgi on 127.0.0.1:<free
#           port>, manage.py rqworker on Redis
#   check:  the image's HEALTHCHECK, the scheduler's command loads, the HTTPS redirect and
#           HSTS, the home page, a fact-check, a hashed static file, search (page and
#           API), match, a task run by the worker.
#
# The virtualenv is cached outside the checkout, keyed by pyproject.toml and the Python
# version (SMOKE_VENV to choose); on a hit only the editable install is redone, so that
# it points at this checkout. It works from nothing, only slower.
#
# Uses (and empties) PostgreSQL database `smoke` and Redis database 15: SMOKE_DB,
# SMOKE_PG (server URL without the database) and SMOKE_REDIS_URL change them.
# Everything it starts is stopped on exit. Run from anywhere: bash .ci/smoke_production.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PYTHON=${PYTHON:-python3}
SMOKE_PG=${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}
SMOKE_DB=${SMOKE_DB:-smoke}
SMOKE_REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/15}
KEY=$({ cat pyproject.toml; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)
VENV=${SMOKE_VENV:-/tmp/factcheck-smoke-venv-$KEY}
WORK=$(mktemp -d /tmp/factcheck-smoke.XXXXXX)
T0=$(date +%s)
PIDS=()

step() { echo "=== smoke [$(($(date +%s) - T0))s] $*"; }
fail() {
  echo "SMOKE FAILED: $*" >&2
  for log in "$WORK"/*.log; do
    [ -f "$log" ] && { echo "--- $log (last 40 lines)" >&2; tail -40 "$log" >&2; }
  done
  exit 1
}

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${SMOKE_KEEP:-}" != "1" ]; then
    psql -q "$SMOKE_PG/postgres" -c "DROP DATABASE IF EXISTS \"$SMOKE_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  fi
  echo "=== smoke finished in $(($(date +%s) - T0))s (exit $rc)"
}
trap cleanup EXIT

# --- build: the Dockerfile's RUN steps, same order ------------------------------------
export PIP_DISABLE_PIP_VERSION_CHECK=1 OMP_WAIT_POLICY=PASSIVE PYTHONUNBUFFERED=1
export DJANGO_SETTINGS_MODULE=factcheck.settings.production
export FACTCHECK_VAR_DIR=$WORK/var
if [ -f "$VENV/.smoke-complete" ]; then
  step "install: reusing $VENV; editable install of this checkout"
  "$VENV/bin/pip" install --quiet --no-deps -e . || fail "pip install --no-deps -e ."
else
  step "install: new virtualenv $VENV"
  rm -rf "$VENV"
  if [ -z "${SMOKE_VENV:-}" ]; then  # older keys are dead weight (about 600 MB each)
    for old in /tmp/factcheck-smoke-venv-*; do
      [ -d "$old" ] && [ "$old" != "$VENV" ] && rm -rf "$old"
    done
  fi
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -e '.[production]' || fail "pip install -e '.[production]'"
  touch "$VENV/.smoke-complete"
fi
PY=$VENV/bin/python
MANAGE=("$PY" manage.py)

step "compile_translations (build mode)"
FACTCHECK_BUILD=1 "${MANAGE[@]}" compile_translations
step "collectstatic (production settings, build mode: no database, Redis or secret)"
FACTCHECK_BUILD=1 "${MANAGE[@]}" collectstatic --noinput --verbosity 0
[ -f static_collected/staticfiles.json ] || fail "collectstatic wrote no manifest"

# --- run: the environment a deployment gives the image ---------------------------------
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=factcheck.example,127.0.0.1
export DATABASE_URL=$SMOKE_PG/$SMOKE_DB
export REDIS_URL=$SMOKE_REDIS_URL
export FACTCHECK_SEARCH_BACKEND=embedded
export FACTCHECK_TASKS_BACKEND=rq
# curl plays the TLS-terminating proxy: it says X-Forwarded-Proto: https (see below).
export FACTCHECK_TRUSTED_PROXIES=1

step "fresh PostgreSQL database $SMOKE_DB, empty Redis db ($REDIS_URL)"
pg_isready -q -d "$SMOKE_PG/postgres" || fail "PostgreSQL is not answering at $SMOKE_PG"
psql -q -v ON_ERROR_STOP=1 "$SMOKE_PG/postgres" \
  -c "DROP DATABASE IF EXISTS \"$SMOKE_DB\" WITH (FORCE)" -c "CREATE DATABASE \"$SMOKE_DB\""
"$PY" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()' \
  || fail "Redis is not answering at $REDIS_URL"

step "migrate"
"${MANAGE[@]}" migrate --noinput --verbosity 0
# The worker starts now, as in compose (after migrate): publishing the demo enqueues
# indexing jobs (ours and Wagtail's), and it works through them while the rest goes on.
step "start the RQ worker"
"${MANAGE[@]}" rqworker --job-class django_tasks_rq.Job default >"$WORK/rqworker.log" 2>&1 &
PIDS+=($!)
step "ensure_admin (DEBUG off: needs a password)"
if "${MANAGE[@]}" ensure_admin >/dev/null 2>&1; then fail "ensure_admin created the demo account"; fi
FACTCHECK_ADMIN_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))') \
  "${MANAGE[@]}" ensure_admin
step "load_demo"
"${MANAGE[@]}" load_demo
step "rebuild_search_index (embedded)"
"${MANAGE[@]}" rebuild_search_index

step "the scheduler's command loads (crawl imports the whole ingest pipeline)"
"${MANAGE[@]}" crawl --help >/dev/null || fail "manage.py crawl does not load"

step "start gunicorn"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
# The image's CMD, on loopback and a free port; gunicorn reads WEB_CONCURRENCY.
WEB_CONCURRENCY=2 "$VENV/bin/gunicorn" factcheck.wsgi:application --bind "127.0.0.1:$PORT" \
  --timeout 120 --no-control-socket --access-logfile "$WORK/access.log" >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)

step "wait for the image's HEALTHCHECK (python -m factcheck.healthcheck)"
for i in $(seq 1 120); do
  "$PY" -m factcheck.healthcheck "$BASE/healthz" 2>/dev/null && break
  kill -0 "${PIDS[1]}" 2>/dev/null || fail "gunicorn exited"
  [ "$i" -eq 120 ] && fail "no healthy answer in 120 s"
  sleep 1
done

# --- check over HTTP ---------------------------------------------------------------
CURL=(curl -sS --max-time 120)
PROXY=(-H "Host: factcheck.example" -H "X-Forwarded-Proto: https" -H "X-Forwarded-For: 192.0.2.10")
get() { # get PATH -> body on stdout; fails unless 200
  local code
  code=$("${CURL[@]}" -o "$WORK/body" -w '%{http_code}' "${PROXY[@]}" "$BASE$1") || fail "GET $1: no answer"
  [ "$code" = 200 ] || fail "GET $1 answered $code"
  cat "$WORK/body"
}
json() { "$PY" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

step "plain HTTP is redirected to HTTPS"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: factcheck.example" "$BASE/en/")
case $code in 301\ https://factcheck.example/en/) ;; *) fail "plain HTTP answered: $code" ;; esac
hsts=$("${CURL[@]}" -D - -o /dev/null "${PROXY[@]}" "$BASE/en/" | tr -d '\r' | grep -i '^strict-transport-security:' || true)
[ -n "$hsts" ] || fail "no HSTS header over HTTPS"

step "home page, a fact-check, a static file"
home=$(get /en/)
grep -q '<html' <<<"$home" || fail "home page is not HTML"
page=$(get "/api/v1/factchecks/?limit=1&lang=en")
url=$(json 'd["results"][0]["url"]' <<<"$page")
claim=$(json 'd["results"][0]["claim_reviewed"]' <<<"$page")
get "/${url#*://*/}" | grep -q '"ClaimReview"' || fail "the fact-check at $url has no ClaimReview"
css=$(grep -o '/static/[^"]*\.css' <<<"$home" | head -1)
[ -n "$css" ] || fail "the home page links no stylesheet"
grep -Eq '\.[0-9a-f]{12}\.css$' <<<"$css" || fail "static file $css is not a manifest (hashed) name"
size=$("${CURL[@]}" -f -o /dev/null -w '%{size_download}' "${PROXY[@]}" "$BASE$css") || fail "GET $css"
[ "$size" -gt 0 ] || fail "GET $css: empty"

step "search (page and API) and match"
query=$(cut -d' ' -f1-4 <<<"$claim")
get "/en/search/?q=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$query")" >/dev/null
count=$(get "/api/v1/search/?q=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$query")" | json 'd["count"]')
[ "$count" -ge 1 ] || fail "search for '$query' found nothing"
body=$("$PY" -c 'import json, sys; print(json.dumps({"text": sys.argv[1]}))' "$claim")
match=$("${CURL[@]}" "${PROXY[@]}" -H 'Content-Type: application/json' -d "$body" "$BASE/api/v1/match/")
found=$(URL=$url json '[r["url"] for r in d["results"]].count(__import__("os").environ["URL"])' <<<"$match") \
  || fail "match answered: $match"
[ "$found" -ge 1 ] || fail "matching the claim of $url did not return it: $match"

step "the worker drains what publishing the demo enqueued"
"$PY" - <<'PYTHON' || fail "the RQ worker did not drain the queue"
import os, time
import redis, rq
queue = rq.Queue("default", connection=redis.Redis.from_url(os.environ["REDIS_URL"]))
deadline, last = time.monotonic() + 900, None
while (left := queue.count) > 0:
    if time.monotonic() > deadline:
        raise SystemExit(f"{left} jobs still queued after 900 s")
    if left != last:
        print(f"{left} jobs queued", flush=True)
        last = left
    time.sleep(5)
PYTHON
kill -0 "${PIDS[0]}" 2>/dev/null || fail "the RQ worker exited"

step "a task enqueued from outside runs on the RQ worker"
"${MANAGE[@]}" shell -c '
import time
from django_tasks import TaskResultStatus
from claims.selectors import factcheck_published_all
from claims.tasks import factcheck_index
page = factcheck_published_all().first()
result = factcheck_index.enqueue(page.pk)
deadline = time.monotonic() + 120
while result.status not in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
    if time.monotonic() > deadline:
        raise SystemExit("the worker did not run the task in 120 s")
    time.sleep(1)
    result.refresh()
print("task", result.id, result.status, result.return_value)
raise SystemExit(0 if result.status == TaskResultStatus.SUCCESSFUL else 1)
' || fail "the enqueued task did not succeed"

step "all checks passed"
