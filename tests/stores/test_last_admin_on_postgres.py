"""Two administrators demoting each other at the same moment on PostgreSQL: one succeeds, the
other is refused, and the console keeps an administrator."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from devtools.services import PostgresServer
from shop.store import conversation_repository as repo
from shop.store.console_accounts import LastAdmin, set_role
from shop.store.conversations import Agent, Role
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope
from tests.support.databases import fresh_postgres_database


@pytest.fixture(scope="module")
def sessions(postgres_cluster: PostgresServer) -> Iterator[sessionmaker]:
    engine = make_engine(fresh_postgres_database(postgres_cluster, "last_admin"))
    try:
        create_schema(engine)
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def test_two_admins_demoting_each_other_at_once_leave_one_admin(sessions: sessionmaker) -> None:
    with session_scope(sessions) as session:
        for name in ("alice", "bruno"):
            repo.create_agent(session, name, "hash", name, FROZEN_NOW, role=Role.ADMIN)
    both_counted = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(username: str) -> None:
        try:
            with session_scope(sessions) as session:
                agent = session.execute(
                    select(Agent).where(Agent.username == username)
                ).scalar_one()
                both_counted.wait(timeout=10)  # both transactions have begun and read
                set_role(session, agent, Role.AGENT)
            outcomes[username] = "demoted"
        except LastAdmin:
            outcomes[username] = "refused"

    threads = [threading.Thread(target=demote, args=(name,)) for name in ("alice", "bruno")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["demoted", "refused"]
    with session_scope(sessions) as session:
        admins = session.execute(select(Agent.username).where(Agent.role == "admin")).scalars()
        assert len(list(admins)) == 1
