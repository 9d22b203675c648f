"""The production set-up for real: PostgreSQL for the orders, tickets and Rasa's tracker store,
Redis for Rasa's lock store, and two Rasa servers serving the same conversations (design.md:
Rasa's own scale-out path). The rest of the suite runs on SQLite; this module is why a
PostgreSQL-only bug (a settings clash that stopped Rasa's store at start) cannot come back.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from devtools.desk import DeskServer
from devtools.servers import Stack, buttons, new_sender, texts
from devtools.services import PostgresServer, RedisServer, free_port
from devtools.shopper import carry_conversation_tokens
from shop.store.conversations import Handoff
from shop.store.db import make_engine, make_session_factory
from shop.store.demo import DEMO_ORDERS
from shop.store.models import Order, OrderStatus

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def production(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path, redis_server: RedisServer
) -> Iterator[Stack]:
    """Actions + two Rasa servers ("rasa" and "rasa-b") on PostgreSQL, locked in Redis."""
    postgres = PostgresServer().start()
    servers = Stack(
        tmp_path_factory.mktemp("production"),
        rasa_port=free_port(),
        actions_port=free_port(),
        database=postgres.url,
        redis_url=redis_server.url,
    )
    try:
        servers.seed()
        servers.start_actions()
        servers.start_rasa(trained_model)
        servers.start_rasa(trained_model, name="rasa-b", port=free_port())
        yield servers
    finally:
        servers.stop_all()
        postgres.stop()


def test_the_stack_really_runs_on_postgresql(production: Stack) -> None:
    assert production.database_url.startswith("postgresql://")
    with make_engine(production.database_url).connect() as connection:
        tables = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    assert {"orders", "tickets", "events"} <= tables  # the shop's tables and Rasa's


def test_a_journey_alternating_between_two_rasa_servers(production: Stack) -> None:
    """Each turn goes to the other server: each reads what the other wrote to PostgreSQL."""
    demo = DEMO_ORDERS["cancellable"]
    me = new_sender("prod")
    asked = texts(production.say(me, f"slt jveux annulé ma cmd {demo.number}"))
    assert "adresse e-mail" in asked
    offer = production.say(me, demo.email, rasa_url=production.rasa_urls["rasa-b"])
    assert "peut encore être annulée" in texts(offer)
    assert "Oui, annuler la commande" in buttons(offer)
    assert "est annulée" in texts(production.say(me, "/affirm"))

    with make_session_factory(make_engine(production.database_url))() as session:
        status = session.execute(select(Order.status).where(Order.number == demo.number))
        assert status.scalar_one() == OrderStatus.CANCELLED
        stored = session.execute(
            text(
                "SELECT data::json->>'text' FROM events "
                "WHERE sender_id = :me AND type_name = 'user' ORDER BY id"
            ),
            {"me": me},
        ).scalars()
        assert list(stored) == [f"slt jveux annulé ma cmd {demo.number}", demo.email, "/affirm"]


def test_turns_of_one_conversation_sent_to_both_servers_at_once_never_overlap(
    production: Stack, redis_server: RedisServer
) -> None:
    """Without a shared lock, two servers would each answer from a tracker missing the other's
    message; with Redis, a turn starts only once the previous one is saved."""
    me = new_sender("prod")
    before = redis_server.client().info("stats")["total_commands_processed"]
    messages = ["bonjour", "merci", "il fait beau ?", "merci beaucoup", "coucou", "top merci"]
    urls = [production.rasa_url, production.rasa_urls["rasa-b"]] * 3
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        replies = list(pool.map(lambda m, u: production.say(me, m, rasa_url=u), messages, urls))
    assert all(replies), [m for m, r in zip(messages, replies, strict=True) if not r]
    assert redis_server.client().info("stats")["total_commands_processed"] > before

    events = production.tracker(me)["events"]
    assert [e["event"] for e in events].count("session_started") == 1  # not one per server
    users = [i for i, event in enumerate(events) if event["event"] == "user"]
    assert sorted(events[i]["text"] for i in users) == sorted(messages)  # none lost
    for previous, following in pairwise(users):
        turn = events[previous:following]
        listens = [e for e in turn if e["event"] == "action" and e["name"] == "action_listen"]
        assert listens, f"turn {events[previous]['text']!r} has no end"
        assert events[following]["timestamp"] >= listens[-1]["timestamp"]


def test_a_handoff_through_the_desk_lands_in_postgresql(production: Stack) -> None:
    desk = DeskServer(production).start()
    try:
        with httpx.Client(base_url=desk.url, timeout=30) as http:
            carry_conversation_tokens(http)  # like the widget
            conversation = str(http.post("/api/chat").json()["id"])
            turn = http.post(
                f"/api/chat/{conversation}/messages",
                json={"text": "je veux parler à un conseiller svp"},
            ).json()
            assert turn["mode"] == "waiting_agent"
            seen = http.get(f"/api/chat/{conversation}/messages").json()["messages"]
    finally:
        desk.stop()
    assert [m["author"] for m in seen][0] == "shopper"
    with make_session_factory(make_engine(production.database_url))() as session:
        query = select(Handoff).where(Handoff.conversation_id == conversation)
        handoff = session.execute(query).scalar_one()
    assert handoff.reason == "shopper_request" and handoff.ticket_number
