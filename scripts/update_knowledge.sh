#!/usr/bin/env bash
# After editing knowledge/faq: validate, regenerate the training data, retrain if the phrasings
# changed. Answer texts alone go live in the running bot without this (reloaded within seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
.venv/bin/python -m shop.knowledge validate
.venv/bin/python -m shop.knowledge build
.venv/bin/rasa data validate --config config.yml --domain domain.yml --data bot/data
.venv/bin/python scripts/ensure_model.py
echo "==> done; restart scripts/run.sh to serve a retrained model"
