"""Alembic runs this file for its own commands (autogenerate); the configuration is in code, in
``shop.store.migrate``, which ``python -m shop.store.migrate`` uses directly."""

from alembic import context

from shop.store.migrate import run_environment

run_environment(context)
