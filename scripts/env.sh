# Settings shared by the scripts, from the environment with safe defaults (sourced, not run).
# shellcheck shell=bash
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTIONS_HOST="${ACTIONS_HOST:-127.0.0.1}"
export DESK_PORT="${DESK_PORT:-8000}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export SHOP_PROFILE="${SHOP_PROFILE:-bijou_eclat}"
# Everything under .var (database, logs, spool, tokens, models) is its owner's only: created
# 0600/0700 from here on, and closed if an older run left it readable by others.
umask 077
mkdir -p .var
chmod -R go= .var || echo "warning: some files in .var could not be made private" >&2
if [ -z "${RASA_TOKEN:-}" ]; then
    # A per-machine secret for Rasa's HTTP API, created once and never committed.
    [ -s .var/rasa_token ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > .var/rasa_token)
    RASA_TOKEN=$(cat .var/rasa_token)
fi
export RASA_TOKEN
export TF_CPP_MIN_LOG_LEVEL=2
export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
