"""The desks' recovery pass on PostgreSQL, as production runs it: every few seconds it looks for
messages the bot has not received and for claims past their lease. Those reads must go through
the partial indexes, not read the whole transcript table, which grows with every conversation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from devtools.services import PostgresServer
from shop.store import conversation_repository as repo
from shop.store.conversations import Conversation, ConversationMode, Message, MessageAuthor
from shop.store.db import create_schema, make_engine, make_session_factory, session_scope
from tests.support.databases import fresh_postgres_database

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
ANSWERED_CONVERSATIONS = 300
MESSAGES_EACH = 20
LEASE = timedelta(seconds=45)


@pytest.fixture(scope="module")
def engine(postgres_cluster: PostgresServer) -> Iterator[Engine]:
    engine = make_engine(fresh_postgres_database(postgres_cluster, "recovery_reads"))
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def sessions(engine: Engine) -> sessionmaker:
    """A shop's months of answered conversations, two with a message waiting for the bot and
    one whose message a desk took long ago and never answered."""
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        ids = [f"answered-{n}" for n in range(ANSWERED_CONVERSATIONS)]
        ids += ["waiting-a", "waiting-b", "claimed-by-a-dead-desk"]
        session.execute(
            insert(Conversation),
            [
                {"id": i, "mode": ConversationMode.BOT, "created_at": NOW, "updated_at": NOW}
                for i in ids
            ],
        )
        session.execute(
            insert(Message),
            [message(i, n) for i in ids[:ANSWERED_CONVERSATIONS] for n in range(MESSAGES_EACH)],
        )
        session.execute(
            insert(Message),
            [
                {**message("waiting-a", 0), "relayed": False},
                {
                    **message("waiting-b", 0),
                    "relayed": False,
                    "created_at": NOW + timedelta(minutes=1),  # waits less: comes second
                },
                {
                    **message("claimed-by-a-dead-desk", 0),
                    "relay_claimed_at": datetime.now(timezone.utc) - 2 * LEASE,
                },
            ],
        )
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))  # as autovacuum does on a live database
    return sessions


def message(conversation_id: str, n: int) -> dict[str, Any]:
    shopper = n % 2 == 0
    return {
        "conversation_id": conversation_id,
        "author": MessageAuthor.SHOPPER if shopper else MessageAuthor.BOT,
        "text": f"message {n}",
        "relayed": True if shopper else None,
        "relay_claimed_at": None,
        "created_at": NOW + timedelta(seconds=n),
    }


def rows_read(
    engine: Engine, sessions: sessionmaker, work: Callable[[Session], Any]
) -> tuple[Any, int]:
    """What ``work`` returns, and how many rows of desk_messages its statements read, as
    PostgreSQL counts them when it runs them again (EXPLAIN ANALYZE). Nothing is changed: each
    test sees the same rows."""
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with sessions() as session:
            result = work(session)
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    read = 0
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for statement, parameters in statements:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                read += sum(messages_read(plan["Plan"]) for plan in cursor.fetchone()[0])
        raw.rollback()
    finally:
        raw.close()
    return result, read


def messages_read(node: dict[str, Any]) -> int:
    """Rows of desk_messages a plan's nodes fetched, kept or filtered out, in every loop."""
    here = 0
    if node.get("Relation Name") == "desk_messages" and node["Node Type"] != "ModifyTable":
        fetched = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        here = int(fetched * node["Actual Loops"])
    return here + sum(messages_read(child) for child in node.get("Plans", []))


def test_finding_the_messages_waiting_for_the_bot_reads_only_those(
    engine: Engine, sessions: sessionmaker
) -> None:
    waiting, read = rows_read(engine, sessions, repo.unrelayed_conversations)
    assert [conversation_id for conversation_id, _ in waiting] == ["waiting-a", "waiting-b"]
    assert read <= 3, f"{read} rows of desk_messages read to find 2"


def test_giving_back_the_claims_of_a_dead_desk_reads_only_the_claimed_messages(
    engine: Engine, sessions: sessionmaker
) -> None:
    released, read = rows_read(
        engine, sessions, lambda session: repo.release_stale_claims(session, LEASE)
    )
    assert released == 1
    assert read <= 2, f"{read} rows of desk_messages read to give back 1"
