#!/usr/bin/env bash
# Chat with the running assistant in this terminal (start it first with scripts/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec .venv/bin/python scripts/chat.py "$@"
