"""The tracker store on PostgreSQL, as production runs it: a turn's events inserted in one
statement keep their order, two Rasa servers share conversations, and every read equals Rasa's
own store's read of the same database."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted
from sqlalchemy.engine import make_url

from bot.tracker_store import ROWS_A_STATEMENT, CountFreeSQLTrackerStore
from devtools.services import PostgresServer
from tests.rasa_components.test_tracker_reads import START, compacted, comparable, statements
from tests.rasa_components.test_tracker_store import DOMAIN, run, turn
from tests.support.databases import fresh_postgres_database


@pytest.fixture(scope="module")
def database(postgres_cluster: PostgresServer) -> Iterator[str]:
    yield fresh_postgres_database(postgres_cluster, "trackers")


def store_on(url: str, kind: type[SQLTrackerStore] = CountFreeSQLTrackerStore) -> Any:
    parts = make_url(url)
    return kind(
        DOMAIN,
        dialect="postgresql",
        host=parts.host,
        port=parts.port,
        db=parts.database,
        username=parts.username,
        password=parts.password,
    )


def stored_events(url: str, sender: str) -> list[dict[str, Any]]:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in cursor.fetchall()]


def test_two_servers_store_and_read_conversations_as_rasa_reads_them(database: str) -> None:
    first, second = store_on(database), store_on(database)
    rasa_reader = store_on(database, SQLTrackerStore)
    rng = random.Random(7)
    for step in range(60):
        sender = rng.choice(["anne", "bruno", "chloé"])
        server = rng.choice([first, first, second])
        tracker = run(server.get_or_create_tracker(sender))
        at = START + 10 * step
        if rng.random() < 0.1:
            tracker.update(ActionExecuted("action_session_start", timestamp=at))
            tracker.update(SessionStarted(timestamp=at + 0.1))
        turn(tracker, f"message {step}", at + 1)
        run(server.save(tracker))
        for reader in (first, second):
            assert comparable(run(reader.retrieve(sender))) == comparable(
                compacted(run(rasa_reader.retrieve(sender)))
            ), step
    for sender in ("anne", "bruno", "chloé"):
        full = run(rasa_reader.retrieve_full_tracker(sender))
        assert stored_events(database, sender) == [event.as_dict() for event in full.events]


def test_more_new_events_than_a_statement_takes_are_stored_in_order(database: str) -> None:
    server = store_on(database)
    tracker = run(server.get_or_create_tracker("denise"))
    for step in range(ROWS_A_STATEMENT // 5 + 10):  # five events a turn
        turn(tracker, f"message {step}", START + 10 * step)
    run(server.save(tracker))
    assert stored_events(database, "denise") == [event.as_dict() for event in tracker.events]
    assert comparable(run(store_on(database).retrieve("denise"))) == comparable(compacted(tracker))


def rows_of(url: str, sender: str) -> list[tuple[Any, ...]]:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT type_name, timestamp, intent_name, action_name, data FROM events"
            " WHERE sender_id = %s ORDER BY id",
            (sender,),
        )
        return cursor.fetchall()


def test_every_column_of_a_turn_is_the_row_rasas_store_writes(database: str) -> None:
    """Our one-statement INSERT puts each event's columns where Rasa's ORM save puts them."""
    ours, rasas = store_on(database), store_on(database, SQLTrackerStore)
    for sender, store in (("ours", ours), ("rasa's", rasas)):
        tracker = run(store.get_or_create_tracker(sender, append_action_listen=False))
        turn(tracker, "où est mon colis ?", START)
        run(store.save(tracker))
    rows = rows_of(database, "ours")
    assert rows == rows_of(database, "rasa's")
    assert ("user", START, "track_order", None) in [row[:4] for row in rows]
    assert ("action", START + 0.1, None, "action_track_order") in [row[:4] for row in rows]


def test_a_new_conversation_is_kept_from_its_first_save_as_rasa_reads_it(database: str) -> None:
    """Its second message reads only the session's ends, not the events it just stored; the
    tracker is Rasa's read: from the session's start on, without ``action_session_start``."""
    server, rasa_reader = store_on(database), store_on(database, SQLTrackerStore)
    tracker = run(server.get_or_create_tracker("émile", append_action_listen=False))
    tracker.update(ActionExecuted("action_session_start", timestamp=START))
    tracker.update(SessionStarted(timestamp=START + 0.1))
    tracker.update(ActionExecuted("action_listen", timestamp=START + 0.2))
    turn(tracker, "bonjour", START + 1)
    run(server.save(tracker))
    sent = statements(server)
    kept = run(server.retrieve("émile"))
    assert len(sent) == 1 and "events.data" not in sent[0]  # the session's first and last ids
    read = compacted(run(rasa_reader.retrieve("émile")))
    assert comparable(kept) == comparable(read)
    assert len(kept.events) == len(tracker.events) - 1  # action_session_start left out
    turn(kept, "et ma commande ?", START + 20)
    run(server.save(kept))
    assert comparable(run(server.retrieve("émile"))) == comparable(
        compacted(run(rasa_reader.retrieve("émile")))
    )
    assert stored_events(database, "émile") == [
        event.as_dict() for event in run(rasa_reader.retrieve_full_tracker("émile")).events
    ]


def test_a_first_save_after_another_servers_is_not_kept_as_the_whole_conversation(
    database: str,
) -> None:
    """Two servers both found the conversation empty (a lock expired on a slow turn): the one
    that saves second does not keep its own session as the conversation; its next read is
    Rasa's, with the other server's session in it."""
    first, second = store_on(database), store_on(database)
    rasa_reader = store_on(database, SQLTrackerStore)
    late = run(second.get_or_create_tracker("fanny", append_action_listen=False))
    early = run(first.get_or_create_tracker("fanny", append_action_listen=False))
    for tracker, at in ((early, START + 10), (late, START)):
        tracker.update(ActionExecuted("action_session_start", timestamp=at))
        tracker.update(SessionStarted(timestamp=at + 0.1))
    turn(early, "bonjour", START + 11)
    run(first.save(early))
    turn(late, "bonsoir", START + 12)
    run(second.save(late))
    expected = comparable(compacted(run(rasa_reader.retrieve("fanny"))))
    assert comparable(run(second.retrieve("fanny"))) == expected
    assert comparable(run(first.retrieve("fanny"))) == expected
