#!/usr/bin/env bash
# The production launcher on one host (scripts/run.sh stays the one-command demo):
# N Rasa servers, M action servers and K desks under supervisord (and, when the shop profile
# names a platform, its outbox sender and PrestaShop's poller), PostgreSQL and Redis (its own
# in SERVE_DIR, or external ones given by SHOP_DATABASE_URL / SHOP_REDIS_URL), and nginx as the
# single public entry. deploy/README.md describes the topology and every SERVE_* setting.
#
#   scripts/serve.sh [start]          start everything, wait until it answers, stay in the
#                                     foreground (Ctrl-C stops everything)
#   scripts/serve.sh start --detach   the same, but return once everything answers
#   scripts/serve.sh stop             stop every process cleanly
#   scripts/serve.sh status           supervisorctl status (exit 3 when something is not running)
#   scripts/serve.sh ctl ARGS...      any supervisorctl command (restart rasa:rasa-0, tail -f ...)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

command="${1:-start}"
[ $# -gt 0 ] && shift
detach=0
if [ "$command" = start ] && [ "${1:-}" = "--detach" ]; then detach=1; fi

export SERVE_DIR="${SERVE_DIR:-$ROOT/.var/serve}"
export SERVE_LOG_DIR="${SERVE_LOG_DIR:-$ROOT/.var/logs}"
# The desks' own files (signing key, demo password) stay with this deployment, apart from the
# demo's (scripts/run.sh) in .var.
export DESK_VAR_DIR="${DESK_VAR_DIR:-$SERVE_DIR}"
conf="$SERVE_DIR/supervisord.conf"

ctl() { "$ROOT/.venv/bin/supervisorctl" -c "$conf" "$@"; }

supervisord_pid() {  # the running supervisord's pid, or nothing
    local pid
    pid=$(cat "$SERVE_DIR/supervisord.pid" 2>/dev/null) || return 0
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

stop_all() {
    local pid
    pid=$(supervisord_pid)
    [ -n "$pid" ] || return 0
    echo "==> stopping every process"
    # supervisord stops its programs (by priority, highest first), then exits.
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || { echo "==> stopped"; return 0; }
        sleep 0.1
    done
    echo "error: supervisord ($pid) still running after 60 s" >&2
    return 1
}

case "$command" in
    stop) stop_all; exit $? ;;
    status) [ -f "$conf" ] || { echo "not started (no $conf)"; exit 3; }; ctl status; exit $? ;;
    ctl) ctl "$@"; exit $? ;;
    start) ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac

if [ -n "$(supervisord_pid)" ]; then
    echo "error: already running (scripts/serve.sh status; scripts/serve.sh stop)" >&2
    exit 1
fi

[ "${SERVE_SKIP_SETUP:-0}" = 1 ] || bash scripts/setup.sh
source scripts/env.sh   # umask 077: every file below is its owner's only
mkdir -p "$SERVE_DIR" "$SERVE_LOG_DIR" "$SERVE_DIR/nginx-tmp"
chmod 700 "$SERVE_DIR" "$SERVE_LOG_DIR"
PY="$ROOT/.venv/bin/python"

"$PY" -m shop.policy          # a broken profile stops here: file, field, reason
faq_checked=0
if [ -n "${SERVE_MODEL:-}" ]; then   # a model chosen by the operator: served as it is
    [ -f "$SERVE_MODEL" ] || { echo "error: SERVE_MODEL=$SERVE_MODEL: no such file" >&2; exit 1; }
else
    # The FAQ is checked (drafts listed and left out), then its phrasings -> bot/data/faq.yml.
    "$PY" -m shop.knowledge build --allow-drafts
    faq_checked=1
    "$PY" scripts/ensure_model.py   # trains only if the training data changed
    SERVE_MODEL=$("$PY" scripts/ensure_model.py --print-path)
fi
export SERVE_MODEL  # every Rasa server, restarted or not, loads this very model

secret() {  # secret FILE: a random password kept in FILE (0600), created once
    [ -s "$1" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$1"
    cat "$1"
}

own_postgres=0
if [ -z "${SHOP_DATABASE_URL:-}" ]; then
    own_postgres=1
    pg_port="${SERVE_POSTGRES_PORT:-5433}"
    pg_dir="${SERVE_POSTGRES_DIR:-$("$PY" -c 'from deploy.render import ServeSettings as S; print(S.from_env().postgres_dir)')}"
    export SERVE_POSTGRES_DIR="$pg_dir"
    pg_password=$(secret "$SERVE_DIR/postgres_password")
    if [ ! -s "$pg_dir/data/PG_VERSION" ]; then
        echo "==> creating the PostgreSQL cluster in $pg_dir"
        as_owner=()
        mkdir -p "$pg_dir"
        chmod 700 "$pg_dir"
        if [ "$(id -u)" = 0 ]; then
            chown postgres:postgres "$pg_dir"
            as_owner=(runuser -u postgres --)
        fi
        printf '%s\n' "$pg_password" > "$pg_dir/pwfile"
        [ "$(id -u)" = 0 ] && chown postgres "$pg_dir/pwfile"
        "${as_owner[@]}" "$("$PY" -c 'from deploy.render import postgres_binary as b; print(b("initdb"))')" \
            -D "$pg_dir/data" -U shop --pwfile="$pg_dir/pwfile" --auth=scram-sha-256 \
            --encoding=UTF8 --locale=C.UTF-8 > "$SERVE_LOG_DIR/initdb.log" 2>&1 \
            || { rm -f "$pg_dir/pwfile"; echo "error: initdb failed: $SERVE_LOG_DIR/initdb.log" >&2; exit 1; }
        rm -f "$pg_dir/pwfile"
    fi
    export SHOP_DATABASE_URL="postgresql://shop:$pg_password@127.0.0.1:$pg_port/shop"
fi
own_redis=0
if [ -z "${SHOP_REDIS_URL:-}" ]; then
    own_redis=1
    redis_password=$(secret "$SERVE_DIR/redis_password")
    printf 'requirepass %s\n' "$redis_password" > "$SERVE_DIR/redis-secret.conf"
    export SHOP_REDIS_URL="redis://:$redis_password@127.0.0.1:${SERVE_REDIS_PORT:-6380}/0"
fi

export SERVE_OWN_POSTGRES="$own_postgres" SERVE_OWN_REDIS="$own_redis"
"$PY" -m deploy.render --out "$SERVE_DIR" > /dev/null
/usr/sbin/nginx -t -q -c "$SERVE_DIR/nginx.conf" -p "$SERVE_DIR/" \
    || { echo "error: the rendered nginx.conf is refused (above)" >&2; exit 1; }
read -r n_rasa n_actions n_desks < <("$PY" -m deploy.render --print-sizes)

sup_pid=""
failed() {
    echo "error: the start failed; logs in $SERVE_LOG_DIR" >&2
    stop_all || true
    exit 1
}
if [ "$detach" = 1 ]; then
    "$ROOT/.venv/bin/supervisord" -c "$conf"
else
    "$ROOT/.venv/bin/supervisord" -c "$conf" --nodaemon --silent &
    sup_pid=$!
    trap 'stop_all; exit 130' INT TERM
fi
for _ in $(seq 1 100); do [ -S "$SERVE_DIR/supervisor.sock" ] && break; sleep 0.1; done

ready_args=(--database)
[ "$own_postgres" = 1 ] && ready_args+=(--create-database)
"$PY" -m deploy.ready "${ready_args[@]}" --redis --timeout 60 || failed
echo "==> database schema"
"$ROOT/deploy/bin/bijou-process" migrate || failed   # Alembic upgrade + demo agent, once

echo "==> starting $n_rasa Rasa server(s), $n_actions action server(s), $n_desks desk(s)"
ctl start 'rasa:*' > /dev/null || failed
if [ "$faq_checked" = 0 ]; then   # while the Rasa servers load their model
    "$PY" -m shop.knowledge validate --allow-drafts || failed
fi
ctl start 'actions:*' 'desk:*' > /dev/null || failed
# The shop's platform: the outbox sender (and PrestaShop's poller) when the profile names one.
mapfile -t platform_programs < <("$PY" -m deploy.render --print-platform-programs | sed '/^$/d')
if [ "${#platform_programs[@]}" -gt 0 ]; then
    echo "==> starting the platform's ${platform_programs[*]}"
    ctl start 'platform:*' > /dev/null || failed
fi
mapfile -t urls < <("$PY" -m deploy.render --print-health-urls)
started=$SECONDS
"$PY" -m deploy.ready "${urls[@]/#/--http=}" --timeout "${READY_TIMEOUT_S:-240}" || failed
public_port="${SERVE_PUBLIC_PORT:-8080}"
cat <<MSG
==> ready after $((SECONDS - started)) s: $n_rasa Rasa, $n_actions action, $n_desks desk process(es)
  Public entry (nginx)   http://${SERVE_PUBLIC_HOST:-0.0.0.0}:$public_port/  (widget, /console)
  Processes              scripts/serve.sh status   (supervisorctl: scripts/serve.sh ctl ...)$([ "${#platform_programs[@]}" -eq 0 ] || echo "
  Shop platform          ${platform_programs[*]} (logs: platform-*.log)")
  Logs                   $SERVE_LOG_DIR/
  Stop                   scripts/serve.sh stop$([ "$detach" = 1 ] || echo ", or Ctrl-C")
MSG
if [ "$detach" = 0 ]; then
    wait "$sup_pid" || true
fi
