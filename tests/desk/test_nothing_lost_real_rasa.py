"""The real Rasa server stops while a shopper writes through the real desk (``python -m desk``),
then starts again: the desk relays what the bot missed by itself, in order and once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from devtools.desk import DeskServer
from devtools.servers import Stack
from devtools.shopper import carry_conversation_tokens
from shop.store.conversations import Message, MessageAuthor
from shop.store.db import make_engine, make_session_factory

pytestmark = pytest.mark.e2e


@pytest.fixture()
def http(desk_server: DeskServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=desk_server.url, timeout=30) as client:
        carry_conversation_tokens(client)
        yield client


@pytest.fixture()
def rasa_stopped(stack: Stack, trained_model: Path) -> Iterator[Stack]:
    """The session's Rasa stopped for the test, and always running again after it."""
    stack.stop("rasa")
    try:
        yield stack
    finally:
        if "rasa" not in stack.processes:
            stack.start_rasa(trained_model)


def say(http: httpx.Client, conversation: str, text: str) -> list[dict[str, Any]]:
    response = http.post(f"/api/chat/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


def test_finding_15_messages_written_while_rasa_is_down_reach_the_real_bot_when_it_is_back(
    http: httpx.Client, rasa_stopped: Stack, trained_model: Path
) -> None:
    created = http.post("/api/chat")
    assert created.status_code == 201
    conversation = str(created.json()["id"])

    first = say(http, conversation, "bonjour")
    second = say(http, conversation, "je voudrais suivre ma commande")
    assert [m["author"] for m in first] == ["shopper", "system"]
    assert "dès son retour" in first[1]["text"]
    assert [m["author"] for m in second] == ["shopper"]  # told once

    rasa_stopped.start_rasa(trained_model)
    texts = ["bonjour", "je voudrais suivre ma commande"]
    deadline = time.monotonic() + 90  # the desk's next recovery pass, after its backoff
    while time.monotonic() < deadline and user_texts(rasa_stopped, conversation) != texts:
        time.sleep(1)

    assert user_texts(rasa_stopped, conversation) == texts  # in order, once each
    with make_session_factory(make_engine(rasa_stopped.database_url))() as session:
        query = select(Message).where(Message.conversation_id == conversation)
        messages = list(session.execute(query.order_by(Message.id)).scalars())
    assert [m.relayed for m in messages if m.author == MessageAuthor.SHOPPER] == [True, True]
    assert [m.intent for m in messages if m.author == MessageAuthor.SHOPPER][1] == "track_order"
    history = http.get(f"/api/chat/{conversation}/messages").json()["messages"]
    authors = [m["author"] for m in history]
    assert authors[:4] == ["shopper", "system", "shopper", "bot"]  # the greeting, late
    assert authors.count("system") == 1


def user_texts(stack: Stack, conversation: str) -> list[str]:
    try:
        events = stack.tracker(conversation)["events"]
    except httpx.HTTPError:
        return []
    return [e["text"] for e in events if e["event"] == "user"]
