"""First start: create the desk's tables, and a demo agent account when there is none.

The demo password is random, printed once and saved to ``.var/demo_agent_password`` (mode 600)
so that a fresh machine can log into the console straight away without a committed secret.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from desk.security import hash_password
from shop.clock import Clock
from shop.store import conversation_repository as repo
from shop.store import conversations  # noqa: F401 - registers the desk tables on Base
from shop.store.db import create_schema, session_scope

DEMO_USERNAME = "agent"
DEMO_DISPLAY_NAME = "Camille"
PASSWORD_FILE = "demo_agent_password"


def prepare_database(engine: Engine) -> None:
    create_schema(engine)


def ensure_demo_agent(sessions: sessionmaker, clock: Clock, var_dir: Path) -> str | None:
    """Create the demo agent if no agent exists; return its password (None if nothing done)."""
    with session_scope(sessions) as session:
        if repo.count_agents(session) > 0:
            return None
        password = secrets.token_urlsafe(12)
        repo.create_agent(
            session, DEMO_USERNAME, hash_password(password), DEMO_DISPLAY_NAME, clock.now()
        )
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / PASSWORD_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    os.chmod(path, 0o600)
    print(
        f"desk: demo agent created: username '{DEMO_USERNAME}', password '{password}' "
        f"(saved to {path})",
        flush=True,
    )
    return password
