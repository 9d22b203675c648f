"""Command-line tools run as files (`.venv/bin/python scripts/x.py`); a package so that they
share code (`from scripts.ensure_model import ...`) from any working directory."""
