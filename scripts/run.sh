#!/usr/bin/env bash
# One command for the whole product: install what is missing, train the model if the
# training data changed, create and seed the demo database, start every service on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

.venv/bin/python -m shop.policy          # a broken shop profile stops here: file, field, reason
.venv/bin/python -m shop.knowledge validate --allow-drafts  # drafts wait for an answer, listed
.venv/bin/python -m shop.knowledge build --allow-drafts # FAQ phrasings -> bot/data/faq.yml (retrain if changed)
.venv/bin/python scripts/ensure_model.py
.venv/bin/python -m shop.store.seed
.venv/bin/python scripts/write_endpoints.py

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

mkdir -p .var/logs  # 0700, and the logs 0600: scripts/env.sh sets umask 077
.venv/bin/python -m actions.server >> .var/logs/actions.log 2>&1 &
pids+=($!)
# The REST channel and the HTTP API stay on loopback: any local caller may speak as any sender,
# so Rasa is never exposed (the desk is the public front door). Personal data is masked in logs.
# scripts/rasa_run.py is Rasa's command line without JAX (65 MB less per server), with one BLAS
# and one TensorFlow thread and the product's turn changes.
.venv/bin/python scripts/rasa_run.py run --model "$(.venv/bin/python scripts/ensure_model.py --print-path)" \
    --endpoints .var/endpoints.yml --credentials credentials.yml \
    --interface 127.0.0.1 --port "$RASA_PORT" --enable-api --auth-token "$RASA_TOKEN" \
    --logging-config-file scripts/rasa_logging.yml \
    --log-file .var/logs/rasa.log >> .var/logs/rasa.log 2>&1 &
pids+=($!)
# The desk: widget, demo shop page, agent console; it relays shoppers' messages to Rasa.
.venv/bin/python -m desk >> .var/logs/desk.log 2>&1 &
pids+=($!)

.venv/bin/python scripts/wait_ready.py
cat <<MSG

  The assistant is running (logs in .var/logs/):
    Rasa server    http://127.0.0.1:$RASA_PORT  (REST channel: POST /webhooks/rest/webhook)
    Action server  http://127.0.0.1:$ACTIONS_PORT (loopback only, answers Rasa's token only)
    Demo shop page with the chat widget   http://127.0.0.1:$DESK_PORT/
    Agent console                         http://127.0.0.1:$DESK_PORT/console
    Dashboard                             http://127.0.0.1:$DESK_PORT/console/dashboard
      log in as 'agent', password in .var/demo_agent_password (readable by you only)
      (more accounts: .venv/bin/python -m desk.create_agent --help)
  Talk to it in this terminal:   bash scripts/chat.sh
  Demo orders:                   .venv/bin/python -m shop.store.seed --list
  Stop everything with Ctrl-C.
MSG
wait -n "${pids[@]}"
