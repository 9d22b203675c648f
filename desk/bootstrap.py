"""First start: create the desk's tables, and a demo agent account when there is none.

The demo password is random and saved to ``.var/demo_agent_password`` only (mode 600, never
printed: the output goes to ``desk.log``), so that a fresh machine can log into the console
straight away without a committed secret.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from desk.security import hash_password
from shop.clock import Clock
from shop.private_files import private_dir, private_file
from shop.store import conversation_repository as repo
from shop.store import conversations  # noqa: F401 - registers the desk tables on Base
from shop.store.conversations import Role
from shop.store.db import create_schema, session_scope

DEMO_USERNAME = "agent"
DEMO_DISPLAY_NAME = "Camille"
PASSWORD_FILE = "demo_agent_password"


def prepare_database(engine: Engine) -> None:
    create_schema(engine)


def ensure_demo_agent(sessions: sessionmaker, clock: Clock, var_dir: Path) -> str | None:
    """Create the demo agent if no agent exists, as an admin (the first account must be able to
    manage the others); return its password (None if nothing done)."""
    with session_scope(sessions) as session:
        if repo.count_agents(session) > 0:
            return None
        password = secrets.token_urlsafe(12)
        repo.create_agent(
            session,
            DEMO_USERNAME,
            hash_password(password),
            DEMO_DISPLAY_NAME,
            clock.now(),
            role=Role.ADMIN,
        )
    path = private_file(private_dir(var_dir) / PASSWORD_FILE)
    path.write_text(password + "\n", encoding="utf-8")
    print(f"desk: demo agent '{DEMO_USERNAME}' created, password in {path}", flush=True)
    return password
