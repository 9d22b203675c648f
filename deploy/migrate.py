"""The launcher's database step, run once before any desk, Rasa or action server starts:
bring the schema up to date (``shop.store.migrate``: Alembic, one process at a time), then create
the demo agent on a fresh database (when ``DESK_DEMO_AGENT`` allows it), so that several desks
never race to do either.

``python -m deploy.migrate`` (``bijou-process migrate``; the Kubernetes init containers and the
systemd unit bijou-migrate run the same).
"""

from __future__ import annotations

import sys

from desk.bootstrap import ensure_demo_agent
from desk.settings import Settings
from shop.clock import clock_from_env
from shop.store import migrate
from shop.store.db import make_engine, make_session_factory


def main() -> int:
    settings = Settings.from_env()
    status = migrate.main(["--url", settings.database_url, "upgrade"])
    if status != 0:
        return status
    if settings.create_demo_agent:
        engine = make_engine(settings.database_url)
        try:
            ensure_demo_agent(make_session_factory(engine), clock_from_env(), settings.var_dir)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
