"""Statements prepared once per connection (``shop.store.prepared``), on a real PostgreSQL:
a statement a connection runs again is prepared once and then run by name, with the same rows
and row counts as before; one PostgreSQL cannot prepare runs as before without disturbing its
transaction; a transaction rolled back, a connection replaced, a migration changing a column
under a prepared statement or the switch turned off lose nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import bindparam, create_engine, event, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import NotSupportedError
from sqlalchemy.orm import sessionmaker

from devtools.services import PostgresServer
from shop.store import conversation_repository as repo
from shop.store import prepared
from shop.store.conversations import Conversation, ConversationMode, Message, MessageAuthor
from shop.store.db import (
    read_scope,
    session_scope,
)
from tests.support.databases import (
    fresh_postgres_engine,
    schema_sessions,
)

NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)


@pytest.fixture()
def engine(postgres_cluster: PostgresServer) -> Iterator[Engine]:
    yield from fresh_postgres_engine(postgres_cluster, "prepared", pool_size=1)


@pytest.fixture()
def sessions(engine: Engine) -> sessionmaker:
    return schema_sessions(engine)


def received_by_the_server(engine: Engine) -> list[str]:
    """Every statement ``engine`` sends from now on as the server received it (psycopg2's last
    query), in order."""
    texts: list[str] = []

    @event.listens_for(engine, "after_cursor_execute")
    def received(connection, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        texts.append(cursor.query.decode())

    return texts


@pytest.fixture()
def sent(engine: Engine) -> list[str]:
    return received_by_the_server(engine)


@pytest.fixture()
def preparations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement a connection tried to prepare."""
    tried: list[str] = []
    prepare = prepared._prepare

    def counted(cursor, connection, shape, replace=False):  # type: ignore[no-untyped-def]
        tried.append(shape.prepare)
        return prepare(cursor, connection, shape, replace)

    monkeypatch.setattr(prepared, "_prepare", counted)
    return tried


def prepared_names(sessions: sessionmaker) -> set[str]:
    with read_scope(sessions) as session:
        rows = session.execute(text("SELECT name FROM pg_prepared_statements")).scalars()
        return {str(name) for name in rows}


def a_conversation(sessions: sessionmaker) -> str:
    with session_scope(sessions) as session:
        return str(repo.create_conversation(session, NOW).id)


def test_a_statement_run_again_is_prepared_once_then_run_by_name(
    sessions: sessionmaker, sent: list[str], preparations: list[str]
) -> None:
    conversation = a_conversation(sessions)
    for _ in range(4):
        with read_scope(sessions) as session:
            assert repo.mode_of(session, conversation) == ConversationMode.BOT
    first, *again = sent[-4:]
    assert first.startswith("SELECT desk_conversations.mode")  # once: sent as it is
    assert all(read.startswith("EXECUTE bijou_") for read in again)
    assert len({read.split("(")[0] for read in again}) == 1  # one name, three runs
    assert sum("desk_conversations.mode" in statement for statement in preparations) == 1
    assert again[0].split()[1].split("(")[0] in prepared_names(sessions)


def test_rows_and_row_counts_are_the_same_as_without_preparing(
    engine: Engine, sessions: sessionmaker, sent: list[str]
) -> None:
    def turn() -> tuple[list[tuple[object, ...]], bool, bool]:
        conversation = a_conversation(sessions)
        with session_scope(sessions) as session:
            message = repo.add_message(
                session, conversation, MessageAuthor.SHOPPER, "50 % de remise ?", NOW, relayed=False
            )
            first = repo.claim_relay(session, conversation, int(message.id))
            again = repo.claim_relay(session, conversation, int(message.id))  # already claimed
            rows = session.execute(
                select(Message.text, Message.relayed, Message.created_at, Message.buttons)
                .where(Message.conversation_id == conversation)
                .where(Message.text.like("%\\%%"))  # a % sign in the value and in the statement
                .order_by(Message.id)
            ).all()
        return [tuple(row) for row in rows], first, again

    turn()  # each statement's first run on the connection
    sent.clear()
    by_name = turn()
    assert sum(statement.startswith("EXECUTE bijou_") for statement in sent) >= 5
    event.remove(engine, "do_execute", prepared._execute)
    sent.clear()
    as_before = turn()
    assert not any(statement.startswith("EXECUTE") for statement in sent)
    assert by_name == as_before
    assert by_name[0][0][:2] == ("50 % de remise ?", True)
    assert by_name[1:] == (True, False)


def test_an_update_reports_the_rows_it_matched(sessions: sessionmaker, sent: list[str]) -> None:
    conversation = a_conversation(sessions)
    statement = (
        update(Conversation)
        .where(Conversation.id.in_([bindparam("a"), bindparam("b")]))
        .values(assignee=bindparam("who"))
    )
    with session_scope(sessions) as session:
        for _ in range(3):
            result = session.execute(statement, {"a": conversation, "b": "none", "who": "agent"})
            assert result.rowcount == 1
        assert sent[-1].startswith("EXECUTE bijou_")


def test_a_statement_that_cannot_be_prepared_runs_as_before_in_its_transaction(
    sessions: sessionmaker, sent: list[str], preparations: list[str]
) -> None:
    conversation = a_conversation(sessions)
    untyped = text("SELECT CAST(:value IS NULL AS int) AS empty")  # $1's type is unknowable
    with session_scope(sessions) as session:
        assert session.execute(untyped, {"value": None}).scalar() == 1
        assert session.execute(untyped, {"value": "x"}).scalar() == 0  # tried, refused
        assert session.execute(untyped, {"value": 2}).scalar() == 0
        assert (
            repo.mode_of(session, conversation) == ConversationMode.BOT
        )  # its transaction goes on
    tried = [statement for statement in preparations if "IS NULL AS int" in statement]
    assert len(tried) == 1  # tried once, then sent as it is
    assert [s for s in sent if "IS NULL AS int" in s] == [
        "SELECT CAST(NULL IS NULL AS int) AS empty",
        "SELECT CAST('x' IS NULL AS int) AS empty",
        "SELECT CAST(2 IS NULL AS int) AS empty",
    ]


def test_a_prepared_statement_outlives_a_rolled_back_transaction(
    sessions: sessionmaker, sent: list[str]
) -> None:
    conversation = a_conversation(sessions)
    with session_scope(sessions) as session:
        repo.add_message(session, conversation, MessageAuthor.SHOPPER, "un", NOW)
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        repo.add_message(session, conversation, MessageAuthor.SHOPPER, "deux", NOW)  # prepared
        raise RuntimeError("the turn failed")
    with session_scope(sessions) as session:  # the same insert, by name, on the same connection
        repo.add_message(session, conversation, MessageAuthor.SHOPPER, "trois", NOW)
    deux, trois = ([s for s in sent if f"'{text}'" in s] for text in ("deux", "trois"))
    assert deux[0].startswith("EXECUTE bijou_") and trois[0].startswith("EXECUTE bijou_")
    with read_scope(sessions) as session:
        assert [m.text for m in repo.messages_after(session, conversation, 0)] == ["un", "trois"]


def test_a_new_connection_prepares_again(
    engine: Engine, sessions: sessionmaker, preparations: list[str]
) -> None:
    conversation = a_conversation(sessions)
    for _ in range(2):
        for _ in range(2):
            with read_scope(sessions) as session:
                assert repo.mode_of(session, conversation) == ConversationMode.BOT
        engine.dispose()  # as after a server restart: every kept connection replaced
    assert sum("desk_conversations.mode" in statement for statement in preparations) == 2


def mode_changed_to_text_by_a_migration(engine: Engine, sessions: sessionmaker) -> str:
    """A conversation whose mode read this engine's one connection has prepared, then a new
    release's migration, from another process, changing the column's type; PostgreSQL then
    refuses the old preparation once."""
    conversation = a_conversation(sessions)
    for _ in range(2):  # prepared on its second run
        with read_scope(sessions) as session:
            assert repo.mode_of(session, conversation) == ConversationMode.BOT
    migration = create_engine(engine.url)
    with migration.begin() as connection:
        connection.execute(text("ALTER TABLE desk_conversations ALTER COLUMN mode TYPE text"))
    migration.dispose()
    with pytest.raises(NotSupportedError, match="cached plan"), read_scope(sessions) as session:
        repo.mode_of(session, conversation)
    return conversation


def test_a_column_a_migration_changed_fails_one_run_then_is_prepared_again(
    engine: Engine, sessions: sessionmaker, sent: list[str]
) -> None:
    conversation = mode_changed_to_text_by_a_migration(engine, sessions)
    for _ in range(2):  # prepared again, with the new type, then run by name
        with read_scope(sessions) as session:
            assert repo.mode_of(session, conversation) == ConversationMode.BOT
    assert sent[-1].startswith("EXECUTE bijou_")


def test_a_stale_statement_the_server_already_forgot_is_prepared_again(
    engine: Engine, sessions: sessionmaker, sent: list[str]
) -> None:
    conversation = mode_changed_to_text_by_a_migration(engine, sessions)
    with read_scope(sessions) as session:
        session.execute(text("DEALLOCATE ALL"))  # as a pooler's reset would
    for _ in range(2):
        with read_scope(sessions) as session:
            assert repo.mode_of(session, conversation) == ConversationMode.BOT
    assert sent[-1].startswith("EXECUTE bijou_")  # not refused for good


def test_after_one_connection_is_refused_the_others_prepare_again_without_failing(
    postgres_cluster: PostgresServer,
) -> None:
    """A migration changes a column under a statement two kept connections prepared: the
    first to run it fails once; the other prepares it again before its run, and succeeds."""
    for engine in fresh_postgres_engine(postgres_cluster, "prepared_twice", pool_size=2):
        sessions = schema_sessions(engine)
        conversation = a_conversation(sessions)
        sent = received_by_the_server(engine)
        with read_scope(sessions) as first, read_scope(sessions) as second:
            for _ in range(2):  # both connections prepare it
                for session in (first, second):
                    assert repo.mode_of(session, conversation) == ConversationMode.BOT
            migration = create_engine(engine.url)
            with migration.begin() as connection:
                connection.execute(
                    text("ALTER TABLE desk_conversations ALTER COLUMN mode TYPE text")
                )
            migration.dispose()
            with pytest.raises(NotSupportedError, match="cached plan"):
                repo.mode_of(first, conversation)
            assert repo.mode_of(second, conversation) == ConversationMode.BOT
            assert sent[-1].startswith("EXECUTE bijou_")  # prepared again, run by name


def test_turned_off_nothing_is_prepared(
    postgres_cluster: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_PREPARED_STATEMENTS", "off")
    for engine in fresh_postgres_engine(postgres_cluster, "not_prepared", pool_size=1):
        sessions = schema_sessions(engine)
        conversation = a_conversation(sessions)
        with read_scope(sessions) as session:
            assert repo.mode_of(session, conversation) == ConversationMode.BOT
        assert prepared_names(sessions) == set()


def test_shapes_number_each_named_value_once_and_keep_percent_signs() -> None:
    shape = prepared.shape_of(
        "SELECT a FROM t WHERE b = %(x)s AND c LIKE 'z%%' AND d = %(y)s OR e = %(x)s"
    )
    assert shape is not None
    assert shape.prepare.endswith("WHERE b = $1 AND c LIKE 'z%' AND d = $2 OR e = $1")
    assert shape.execute == f"EXECUTE {shape.name}(%(x)s, %(y)s)"
    assert prepared.shape_of("SELECT a FROM t WHERE b = %s") is None  # positional: not ours
    assert prepared.shape_of("SELECT 1") is None  # nothing to fill in
    assert prepared.shape_of("CREATE TABLE t (b int)") is None
