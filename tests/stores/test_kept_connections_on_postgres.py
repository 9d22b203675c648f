"""Kept PostgreSQL connections: a connection that sat idle is pinged before it serves, so one
the server closed meanwhile (a restart) is replaced without failing anything, and so are the
pool's other connections; a connection that served a moment ago is not pinged (a turn's
transactions follow each other within milliseconds, and the ping was a round trip each). A
read (``read_scope``) runs outside any transaction, writes nothing, and its connection serves
the next transaction in a transaction again, even when the read failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from devtools.services import PostgresServer
from shop.store import db
from shop.store.conversations import Conversation, ConversationMode
from shop.store.db import (
    ReadOnly,
    read_scope,
    session_scope,
)
from tests.support.databases import (
    fresh_postgres_engine,
    schema_sessions,
)

NOW = datetime(2026, 12, 4, tzinfo=timezone.utc)
SAME_MOMENT = text("SELECT now() = statement_timestamp()")  # false inside a transaction


@pytest.fixture()
def engine(postgres_cluster: PostgresServer) -> Iterator[Engine]:
    yield from fresh_postgres_engine(postgres_cluster, "pool_ping", pool_size=2)


@pytest.fixture()
def sessions(engine: Engine) -> sessionmaker:
    return schema_sessions(engine)


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


def idle_for(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Connections count as idle after ``seconds`` (3600: none in a test; 0: all)."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", seconds)


def backend(connection: Connection | Session) -> int:
    return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def server_process(engine: Engine) -> int:
    with engine.connect() as connection:
        return backend(connection)


def terminate(cluster: PostgresServer, *pids: int) -> None:
    """What a server restart does to kept connections: their server processes end."""
    admin = psycopg2.connect(
        host="127.0.0.1", port=cluster.port, user=cluster.user, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))  # waits for its end
    admin.close()


def add_conversation(session: Session) -> None:
    session.add(
        Conversation(id="c" * 20, mode=ConversationMode.BOT, created_at=NOW, updated_at=NOW)
    )


def test_a_connection_that_served_a_moment_ago_is_not_pinged(
    engine: Engine, pings: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    idle_for(monkeypatch, 3600)
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
    first = server_process(engine)
    terminate(postgres_cluster, first)
    idle_for(monkeypatch, 0)

    assert server_process(engine) != first  # served, on a new connection
    assert pings == [False]


def test_a_failed_ping_replaces_the_pools_other_connections_too(
    engine: Engine,
    pings: list[bool],
    postgres_cluster: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server restarted: the connection not pinged (it served a moment ago) is not
    handed out either."""
    with engine.connect() as one, engine.connect() as other:
        kept = {backend(one), backend(other)}
    terminate(postgres_cluster, *kept)

    idle_for(monkeypatch, 0)
    with engine.connect() as pinged:
        idle_for(monkeypatch, 3600)
        with engine.connect() as not_pinged:
            serving = {backend(pinged), backend(not_pinged)}
    assert pings == [False]
    assert not serving & kept


def test_a_connection_closed_while_busy_fails_one_transaction_and_the_pool_recovers(
    engine: Engine,
    pings: list[bool],
    postgres_cluster: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The price of not pinging busy connections: the transaction that finds its connection
    closed fails (as one running when the server stopped would); the next one reconnects."""
    idle_for(monkeypatch, 3600)
    first = server_process(engine)
    terminate(postgres_cluster, first)

    with pytest.raises(OperationalError):
        server_process(engine)
    assert server_process(engine) != first
    assert pings == []


def test_a_read_runs_outside_any_transaction(sessions: sessionmaker) -> None:
    """Each statement of a read is its own moment: no BEGIN (nor COMMIT) was sent."""
    with read_scope(sessions) as session:
        session.execute(text("SELECT pg_sleep(0.01)"))
        assert session.execute(SAME_MOMENT).scalar_one() is True
    with session_scope(sessions) as session:
        session.execute(text("SELECT pg_sleep(0.01)"))
        assert session.execute(SAME_MOMENT).scalar_one() is False


def test_after_a_read_the_kept_connection_serves_transactions_again(
    engine: Engine, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction that fails after a read on the same connection stores nothing."""
    idle_for(monkeypatch, 3600)
    with read_scope(sessions) as session:
        read_on = backend(session)
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        assert backend(session) == read_on
        add_conversation(session)
        session.flush()  # the INSERT is sent
        raise RuntimeError("the transaction fails after its INSERT")
    with read_scope(sessions) as session:
        assert session.get(Conversation, "c" * 20) is None


def test_a_read_whose_connection_died_leaves_no_connection_outside_transactions(
    sessions: sessionmaker, postgres_cluster: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    idle_for(monkeypatch, 3600)
    with pytest.raises(OperationalError), read_scope(sessions) as session:
        terminate(postgres_cluster, backend(session))
        session.execute(text("SELECT 1"))
    for _ in range(2):  # whichever kept connection serves
        with session_scope(sessions) as session:
            session.execute(text("SELECT pg_sleep(0.01)"))
            assert session.execute(SAME_MOMENT).scalar_one() is False


def test_a_read_refuses_to_write(sessions: sessionmaker) -> None:
    with pytest.raises(ReadOnly), read_scope(sessions) as session:
        add_conversation(session)
        session.get(Conversation, "c" * 20)  # the query would flush the new row first
    with read_scope(sessions) as session:
        assert session.get(Conversation, "c" * 20) is None
