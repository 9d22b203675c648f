"""The launcher's database step, run once before any desk, Rasa or action server starts:
bring the schema up to date, then create the demo agent on a fresh database (when
``DESK_DEMO_AGENT`` allows it), so that several desks never race to do either.

``python -m deploy.migrate`` (``bijou-process migrate``; a Kubernetes Job or an init step runs
the same). The schema step is ``shop.store.migrate``'s Alembic upgrade; a tree without it
(older release) falls back to ``create_schema``, which only adds what is missing.
"""

from __future__ import annotations

import importlib.util
import sys

from desk.bootstrap import ensure_demo_agent
from desk.settings import Settings
from shop.clock import clock_from_env
from shop.store import conversations  # noqa: F401 - registers the desk tables on Base
from shop.store.db import create_schema, make_engine, make_session_factory


def apply_schema_migrations(url: str) -> None:
    """Bring the store's schema at ``url`` to the current release."""
    if importlib.util.find_spec("shop.store.migrate") is not None:
        from shop.store import migrate

        if migrate.main(["--url", url, "upgrade"]) != 0:
            raise SystemExit("schema migration refused: see the message above")
        return
    engine = make_engine(url)
    try:
        create_schema(engine)
    finally:
        engine.dispose()


def main() -> int:
    settings = Settings.from_env()
    apply_schema_migrations(settings.database_url)
    if settings.create_demo_agent:
        engine = make_engine(settings.database_url)
        try:
            ensure_demo_agent(make_session_factory(engine), clock_from_env(), settings.var_dir)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
