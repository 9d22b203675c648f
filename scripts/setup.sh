#!/usr/bin/env bash
# Installs what is missing: a Python 3.10 virtual environment (.venv) with the locked
# dependencies. Re-running it is cheap: it reinstalls only when requirements.lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(tr -d '[:space:]' < .python-version)

find_python() {
    if command -v pyenv >/dev/null 2>&1; then
        local prefix
        if prefix=$(pyenv prefix "$want" 2>/dev/null) && [ -x "$prefix/bin/python" ]; then
            echo "$prefix/bin/python"; return 0
        fi
    fi
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want/bin/python" \
                     "$(command -v "python${want%.*}" 2>/dev/null || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] \
           && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    if ! python=$(find_python); then
        echo "error: Python $want not found (pyenv or python3.10). Rasa 3.6 needs Python 3.10." >&2
        exit 1
    fi
    echo "==> creating .venv with $python"
    "$python" -m venv .venv
fi

stamp=.venv/.requirements.sha256
wanted_hash=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted_hash" ]; then
    echo "==> installing the locked dependencies (requirements.lock)"
    .venv/bin/python -m pip install --quiet -r requirements.lock
    .venv/bin/python -m pip check
    echo "$wanted_hash" > "$stamp"
fi
# The project itself, editable: its packages import from any working directory, so the scripts
# run as files need no sys.path patch. Redone only when pyproject.toml changed.
project_stamp=.venv/.project.sha256
project_hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$project_stamp" ] || [ "$(cat "$project_stamp")" != "$project_hash" ]; then
    echo "==> installing the project editable (pyproject.toml)"
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
    echo "$project_hash" > "$project_stamp"
fi
mkdir -p .var
.venv/bin/python scripts/make_lean_spacy.py

# The operator's tools in their own environment: Locust (load tests) brings gevent and
# SQLAlchemy 2, which must not meet Rasa's pins, and kubernetes-validate (deploy/ checks) bundles
# the Kubernetes schemas for offline validation. The product itself never imports them.
load_stamp=.var/load-venv/.requirements.sha256
load_hash=$(sha256sum requirements-load.lock | cut -d' ' -f1)
if [ ! -f "$load_stamp" ] || [ "$(cat "$load_stamp")" != "$load_hash" ]; then
    echo "==> installing the load-test and deploy-check tools (requirements-load.lock) into .var/load-venv"
    [ -x .var/load-venv/bin/python ] || "$(readlink -f .venv/bin/python)" -m venv .var/load-venv
    .var/load-venv/bin/python -m pip install --quiet -r requirements-load.lock
    echo "$load_hash" > "$load_stamp"
fi

# What runs beside the product, from Debian's packages when missing: Chromium for the browser
# tests (driven through Playwright, no browser download), PostgreSQL and Redis for the production
# stores, nginx for the production launcher's public entry (scripts/serve.sh).
install_debian_package() {  # install_debian_package <package> <why>
    echo "==> installing Debian's $1 ($2)"
    local sudo_cmd=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    if ! { $sudo_cmd apt-get update -qq && \
           DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$1" >/dev/null; }; then
        echo "warning: $1 could not be installed; the tests that need it will fail" >&2
    fi
}
command -v chromium >/dev/null 2>&1 || install_debian_package chromium "browser tests"
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    install_debian_package postgresql "production-stores tests"
fi
command -v redis-server >/dev/null 2>&1 || install_debian_package redis-server "production-stores tests"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || install_debian_package nginx "production launcher"
