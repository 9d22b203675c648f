"""What one shopper turn costs the desk: its SQL statements and transactions, and its calls to
Rasa (the REST channel only: what the bot understood is read from ``bot_turns``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from desk.routers import widget
from shop.store.conversations import Conversation, Message, MessageAuthor
from tests.desk.conftest import say, start
from tests.desk.fake_rasa import FakeRasa

# Measured: 11 statements in 3 transactions for a turn the bot answers with one message (the
# mode comes with the turn's read: 12 in 4 when the router read it again, 13 in 7 before an
# earlier cut, and a call to Rasa's tracker endpoint, which read the whole conversation there).
# Each stored message marks its conversation updated by a statement of its own (the ORM's unit
# of work, used before, sent it too, except under this test's frozen clock: the time had not
# changed).
MAX_STATEMENTS = 11
MAX_TRANSACTIONS = 3
# Over the widget's WebSocket, the push's read included: 11 statements in 3 transactions (13 in
# 4 when the push read the shopper's message before the bot answered and the answer after it;
# 15 in 5 when the typing indicator re-read the conversation too).
MAX_WEBSOCKET_STATEMENTS = 11
MAX_WEBSOCKET_TRANSACTIONS = 3
# A turn's statements are built once and read plain rows, never objects of the ORM (about four
# times cheaper in the desk's CPU, BENCHMARKS.md).
LOADED_AS_OBJECTS = (Conversation, Message)
RECORDER_INSERT = "INSERT INTO bot_turns"  # the fake Rasa's own write, not the desk's


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0
    objects: list[str] = field(default_factory=list)  # rows loaded as ORM objects


@contextmanager
def desk_sql() -> Iterator[Counted]:
    """Every statement and commit the desk sends while the block runs (the fake Rasa's
    recording of the turn left out)."""
    counted = Counted()

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if not sql.startswith(RECORDER_INSERT):
            counted.statements.append(sql)

    def commit(conn: Any) -> None:
        counted.transactions += 1

    def loaded(target: Any, context: Any) -> None:
        counted.objects.append(type(target).__name__)

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    for mapped in LOADED_AS_OBJECTS:
        event.listen(mapped, "load", loaded)
    try:
        yield counted
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)
        for mapped in LOADED_AS_OBJECTS:
            event.remove(mapped, "load", loaded)


def test_a_turn_costs_few_statements_and_never_reads_rasas_tracker(
    client: TestClient, fake_rasa: FakeRasa, database_url: str, db: sessionmaker
) -> None:
    fake_rasa.database_url = database_url
    conversation = start(client)
    say(client, conversation, "bonjour")
    fake_rasa.requests.clear()
    with desk_sql() as counted:
        turn = say(client, conversation, "xkcd blabla")
    assert [m["author"] for m in turn["messages"]] == ["shopper", "bot"]
    assert len(counted.statements) <= MAX_STATEMENTS, "\n".join(counted.statements)
    # The fake Rasa's recording commits once; everything else is the desk's.
    assert counted.transactions - 1 <= MAX_TRANSACTIONS
    assert counted.objects == []
    assert fake_rasa.requests == ["POST /webhooks/rest/webhook"]
    with db() as session:
        shopper = session.execute(
            select(Message.intent)
            .where(Message.conversation_id == conversation)
            .where(Message.author == MessageAuthor.SHOPPER)
            .order_by(Message.id)
        ).scalars()
        assert list(shopper) == ["greet", "nlu_fallback"]  # as recorded by the bot


def test_a_websocket_turn_is_read_once_with_the_answer(
    client: TestClient, fake_rasa: FakeRasa, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typing indicator travels without a read; the shopper's message, stored while the
    bot answers, is read with the answer (a hold longer than any answer here: one read)."""
    monkeypatch.setattr(widget, "WS_ANSWER_HOLD_S", 30.0)
    fake_rasa.database_url = database_url
    conversation = start(client)
    say(client, conversation, "bonjour")
    with client.websocket_connect(f"/ws/{conversation}?after=0") as socket:
        while socket.receive_json()["type"] != "mode":
            pass  # the history so far
        with desk_sql() as counted:
            socket.send_json({"type": "message", "text": "xkcd blabla"})
            frames = [socket.receive_json()]
            while frames[-1] != {"type": "typing", "on": False}:
                frames.append(socket.receive_json())
    shown = [f["message"]["author"] for f in frames if f["type"] == "message"]
    assert shown == ["shopper", "bot"]
    assert {"type": "typing", "on": True} in frames
    assert len(counted.statements) <= MAX_WEBSOCKET_STATEMENTS, "\n".join(counted.statements)
    assert counted.transactions - 1 <= MAX_WEBSOCKET_TRANSACTIONS
    assert counted.objects == []


def test_a_slow_answer_never_holds_the_shoppers_message_longer_than_the_hold(
    client: TestClient, fake_rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The push holds news while the bot answers, not more than ``WS_ANSWER_HOLD_S``: with a
    bot slower than that, the shopper's message reaches the widget first, then the answer
    (held until the answer, it would come with it, after 1.5 s)."""
    monkeypatch.setattr(widget, "WS_ANSWER_HOLD_S", 0.2)
    fake_rasa.answer_delay_s = 1.5  # within the desk's time limit for Rasa in these tests
    conversation = start(client)
    with client.websocket_connect(f"/ws/{conversation}?after=0") as socket:
        while socket.receive_json()["type"] != "mode":
            pass
        sent = time.monotonic()
        socket.send_json({"type": "message", "text": "xkcd blabla"})
        arrived: list[tuple[str, float]] = []
        while len(arrived) < 2:
            frame = socket.receive_json()
            if frame["type"] == "message":
                arrived.append((frame["message"]["author"], time.monotonic() - sent))
    (first, first_s), (second, _) = arrived
    assert (first, second) == ("shopper", "bot")
    assert first_s < 1.2  # the hold (0.2 s) and a read, not the bot's 1.5 s


def test_a_buttons_intent_is_read_from_its_payload(
    client: TestClient, fake_rasa: FakeRasa, database_url: str, db: sessionmaker
) -> None:
    """A payload records no turn (nothing to learn from it): its intent is the payload's."""
    fake_rasa.database_url = database_url
    conversation = start(client)
    say(client, conversation, "bonjour")  # offers « Suivre ma commande »
    say(client, conversation, "Suivre ma commande", payload="/track_order")
    with db() as session:
        latest = session.execute(
            select(Message.intent, Message.confidence)
            .where(Message.conversation_id == conversation)
            .where(Message.author == MessageAuthor.SHOPPER)
            .order_by(Message.id.desc())
            .limit(1)
        ).one()
    assert tuple(latest) == ("track_order", 1.0)


def test_a_message_whose_turn_was_not_recorded_has_no_intent(
    client: TestClient, fake_rasa: FakeRasa, db: sessionmaker
) -> None:
    """Best effort: a turn the recorder skipped leaves the intent empty, the answer stored."""
    conversation = start(client)
    turn = say(client, conversation, "bonjour")
    assert [m["author"] for m in turn["messages"]] == ["shopper", "bot"]
    with db() as session:
        intents = session.execute(
            select(Message.intent).where(Message.conversation_id == conversation)
        ).scalars()
        assert set(intents) == {None}
