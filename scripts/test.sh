#!/usr/bin/env bash
# One command for the whole test suite: install what is missing, lint, type-check, validate the
# Rasa data, train the model if the training data changed, then run every test (unit,
# actions, NLU evaluation on held-out data, end-to-end through the real servers, the desk API
# and Chromium browser tests; setup.sh installs Chromium when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (pyproject.toml: every package)"
.venv/bin/mypy
echo "==> knowledge validate + build"
.venv/bin/python -m shop.knowledge validate
.venv/bin/python -m shop.knowledge build
echo "==> rasa data validate"
.venv/bin/rasa data validate --config config.yml --domain domain.yml --data bot/data
.venv/bin/python scripts/ensure_model.py
echo "==> pytest"
.venv/bin/python -m pytest "$@"
