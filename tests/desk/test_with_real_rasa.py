"""The desk as ``python -m desk`` relaying to the real Rasa and action servers: a policy handoff
with its note, an agent's claim, reply and hand back (Rasa resumes for real), and a restart of the
desk that keeps every message. The other API tests use a fake Rasa only to stage failures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from devtools.desk import DeskServer
from devtools.servers import Stack
from devtools.shopper import carry_conversation_tokens
from shop.store.conversations import Handoff
from shop.store.db import make_engine, make_session_factory
from shop.store.demo import DEMO_ORDERS
from tests.desk.conftest import login

pytestmark = pytest.mark.e2e


@pytest.fixture()
def http(desk_server: DeskServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=desk_server.url, timeout=30) as client:
        client.tokens = carry_conversation_tokens(client)  # type: ignore[attr-defined]
        yield client


def start(http: httpx.Client) -> str:
    response = http.post("/api/chat")
    assert response.status_code == 201
    return str(response.json()["id"])


def say(http: httpx.Client, conversation: str, text: str, **more: str) -> dict[str, Any]:
    response = http.post(f"/api/chat/{conversation}/messages", json={"text": text, **more})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bot_texts(turn: dict[str, Any]) -> str:
    return "\n".join(m["text"] for m in turn["messages"] if m["author"] != "shopper")


def handoff_of(stack: Stack, conversation: str) -> Handoff:
    with make_session_factory(make_engine(stack.database_url))() as session:
        query = select(Handoff).where(Handoff.conversation_id == conversation)
        return session.execute(query).scalar_one()


def test_real_bot_answers_through_the_desk_with_buttons(http: httpx.Client) -> None:
    conversation = start(http)
    turn = say(http, conversation, "slt")
    assert turn["mode"] == "bot"
    assert [m["author"] for m in turn["messages"]][:2] == ["shopper", "bot"]
    turn = say(http, conversation, "il fait beau chez vous ?")
    assert any(m.get("buttons") for m in turn["messages"])  # the main topics are offered
    turn = say(http, conversation, "Suivre ma commande", payload="/track_order")
    assert "numéro de commande" in bot_texts(turn)


def test_policy_handoff_agent_reply_and_hand_back_with_the_real_bot(
    http: httpx.Client, desk_server: DeskServer, stack: Stack
) -> None:
    demo = DEMO_ORDERS["ready_to_ship_stuck"]
    conversation = start(http)
    say(http, conversation, f"ma commande {demo.number} n'est toujours pas partie")
    turn = say(http, conversation, demo.email)
    assert turn["mode"] == "waiting_agent"
    assert "SAV-" in bot_texts(turn)
    assert stack.tracker(conversation)["paused"] is True

    handoff = handoff_of(stack, conversation)
    assert handoff.reason == "policy" and handoff.ticket_number
    assert handoff.note["verified"] is True
    assert handoff.note["order"]["number"] == demo.number
    assert handoff.note["decision"]["reason_code"] == "stuck_ready_to_ship"

    # While the shopper waits, messages go to the queue, not to the bot.
    waiting = say(http, conversation, "vous êtes là ?")
    assert [m["author"] for m in waiting["messages"]] == ["shopper"]

    with httpx.Client(base_url=desk_server.url, timeout=30) as agent:
        csrf = login(agent, "agent", desk_server.agent_password)  # type: ignore[arg-type]
        queue = agent.get("/console/api/queue").json()["queue"]
        assert conversation in [item["conversation_id"] for item in queue]
        agent.post(f"/console/conversations/{conversation}/claim", data={"csrf_token": csrf})
        reply = agent.post(
            f"/console/conversations/{conversation}/reply",
            json={"text": "Je relance l'atelier tout de suite."},
            headers={"X-CSRF-Token": csrf},
        )
        assert reply.json() == {"ok": True}
        seen = http.get(f"/api/chat/{conversation}/messages").json()
        assert seen["mode"] == "agent"
        assert seen["messages"][-1]["text"] == "Je relance l'atelier tout de suite."
        back = agent.post(
            f"/console/conversations/{conversation}/hand-back", data={"csrf_token": csrf}
        )
        assert back.status_code in (200, 303)

    assert stack.tracker(conversation)["paused"] is False
    turn = say(http, conversation, "merci beaucoup, bonne journée")
    assert turn["mode"] == "bot"
    assert [m["author"] for m in turn["messages"]][:2] == ["shopper", "bot"]  # the bot is back


def test_desk_restart_keeps_conversations_and_the_queue(
    http: httpx.Client, desk_server: DeskServer
) -> None:
    conversation = start(http)
    say(http, conversation, "bonjour")
    say(http, conversation, "je veux parler à un conseiller")
    say(http, conversation, "c'est pour ma bague trop petite")
    before = http.get(f"/api/chat/{conversation}/messages").json()["messages"]

    desk_server.restart()

    with httpx.Client(base_url=desk_server.url, timeout=30) as after_restart:
        # the browser keeps its conversation's token across the desk's restart
        carry_conversation_tokens(after_restart).update(http.tokens)  # type: ignore[attr-defined]
        after = after_restart.get(f"/api/chat/{conversation}/messages").json()
        assert after["messages"] == before
        assert after["mode"] == "waiting_agent"
        csrf = login(after_restart, "agent", desk_server.agent_password)  # type: ignore[arg-type]
        assert csrf
        queue = after_restart.get("/console/api/queue").json()["queue"]
        assert conversation in [item["conversation_id"] for item in queue]
