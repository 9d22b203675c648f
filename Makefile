# The team's vocabulary, in three lanes:
#   make check      lint, format, types and the import contract (seconds, nothing runs)
#   make test-fast  the unit-level tests: no install, no training, no server (under a minute)
#   make test       everything CI runs: install, validate, train if needed, every test
# Each lane uses the virtual environment scripts/setup.sh made (make setup, or make test).

VENV := .venv/bin
# Pure Python on real SQLite files: the shop's rules, store and knowledge. Tests that import
# Rasa (tests/rasa_components), start PostgreSQL or Redis (tests/stores) or servers (the rest)
# are left to make test.
FAST_TESTS := tests/unit tests/knowledge
FAST_MARKERS := not (e2e or nlu or stories or browser)
# BIJOU_FAST_LANE=1: a test that would train or start a server fails at once (devtools/lanes.py).

.PHONY: help setup check lint types imports test-fast test

help:
	@echo "make check      ruff, ruff format --check, mypy, import contract"
	@echo "make test-fast  unit-level tests ($(FAST_TESTS)): no install, training or server"
	@echo "make test       everything (bash scripts/test.sh), what CI runs"
	@echo "make setup      create or update .venv (bash scripts/setup.sh)"

setup:
	bash scripts/setup.sh

check: lint types imports

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

types:
	$(VENV)/mypy

imports:
	$(VENV)/lint-imports

test-fast:
	BIJOU_FAST_LANE=1 $(VENV)/python -m pytest -q -m "$(FAST_MARKERS)" $(FAST_TESTS) $(PYTEST_ARGS)

test:
	bash scripts/test.sh $(PYTEST_ARGS)
