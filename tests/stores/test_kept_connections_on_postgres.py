"""Kept PostgreSQL connections: a connection that sat idle is pinged before it serves, so one
the server closed meanwhile (a restart) is replaced without failing anything; a connection
that served a moment ago is not pinged (a turn's transactions follow each other within
milliseconds, and the ping was a round trip each). A read (``read_scope``) runs outside any
transaction, and its connection serves the next transaction in a transaction again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from devtools.services import PostgresServer
from shop.store import db
from shop.store.conversations import Conversation, ConversationMode
from shop.store.db import (
    create_schema,
    make_engine,
    make_session_factory,
    read_scope,
    session_scope,
)
from tests.support.databases import fresh_postgres_database


@pytest.fixture()
def engine(postgres_cluster: PostgresServer) -> Iterator[Engine]:
    engine = make_engine(fresh_postgres_database(postgres_cluster, "pool_ping"), pool_size=1)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture()
def pings(engine: Engine) -> list[bool]:
    """The pings the pool sends, each with its answer (the dialect's own ping still runs)."""
    sent: list[bool] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        sent.append(ping(dbapi_connection))
        return sent[-1]

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return sent


def server_process(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(cluster: PostgresServer, pid: int) -> None:
    """What a server restart does to a kept connection: its server process ends."""
    admin = psycopg2.connect(
        host="127.0.0.1", port=cluster.port, user=cluster.user, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()


def test_a_connection_that_served_a_moment_ago_is_not_pinged(
    engine: Engine, pings: list[bool]
) -> None:
    first = server_process(engine)
    for _ in range(5):
        assert server_process(engine) == first  # the same kept connection
    assert pings == []


def test_an_idle_connection_the_server_closed_is_replaced_before_it_serves(
    engine: Engine,
    pings: list[bool],
    postgres_cluster: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.05)
    first = server_process(engine)
    terminate(postgres_cluster, first)
    time.sleep(0.1)

    assert server_process(engine) != first  # served, on a new connection
    assert pings == [False]


def test_a_connection_closed_while_busy_fails_one_transaction_and_the_pool_recovers(
    engine: Engine, pings: list[bool], postgres_cluster: PostgresServer
) -> None:
    """The price of not pinging busy connections: the transaction that finds its connection
    closed fails (as one running when the server stopped would); the next one reconnects."""
    first = server_process(engine)
    terminate(postgres_cluster, first)

    with pytest.raises(OperationalError):
        server_process(engine)
    assert server_process(engine) != first
    assert pings == []


def test_a_read_runs_outside_any_transaction(engine: Engine) -> None:
    """Each statement of a read is its own moment: no BEGIN (nor COMMIT) was sent."""
    sessions = make_session_factory(engine)
    same_moment = "SELECT now() = statement_timestamp()"
    with read_scope(sessions) as session:
        session.execute(text("SELECT pg_sleep(0.01)"))
        assert session.execute(text(same_moment)).scalar_one() is True
    with session_scope(sessions) as session:
        session.execute(text("SELECT pg_sleep(0.01)"))
        assert session.execute(text(same_moment)).scalar_one() is False


def test_after_a_read_the_kept_connection_serves_transactions_again(engine: Engine) -> None:
    """A transaction that fails after a read on the same connection stores nothing."""
    create_schema(engine)
    sessions = make_session_factory(engine)
    with read_scope(sessions) as session:
        session.execute(text("SELECT 1"))
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        now = datetime(2026, 12, 4, tzinfo=timezone.utc)
        session.add(
            Conversation(id="c" * 20, mode=ConversationMode.BOT, created_at=now, updated_at=now)
        )
        session.flush()  # the INSERT is sent
        raise RuntimeError("the transaction fails after its INSERT")
    with read_scope(sessions) as session:
        assert session.get(Conversation, "c" * 20) is None
