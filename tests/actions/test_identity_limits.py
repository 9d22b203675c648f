"""Guessing identity pairs is limited across conversations, by order, e-mail and client address.

Each "conversation" here is a fresh tracker (its own three strikes at zero), as an attacker
would open them; the failures are stored, so the lock holds for every new conversation, after a
restart of the action server, and lifts an hour after the last counted failure.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.identity import ValidateTrackForm
from actions.orders import ActionTrackOrder
from devtools.servers import FROZEN_NOW
from shop import assistant
from shop.store import identity_attempts
from shop.store.demo import DEMO_ORDERS
from shop.store.identity_attempts import IdentityFailure
from shop.store.models import Ticket
from tests.actions.conftest import DOMAIN, make_tracker, run_action, slot_events, text_of

_conversations = count(1)


def try_pair(number: str, email: str, client: str | None = None) -> tuple[str, dict[str, Any]]:
    """One pair typed in a brand-new conversation (the desk passes the client's address)."""
    slots = {"order_number": number, "order_email": email}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": email, "metadata": {"client": client} if client else {}}
    ] + [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
    tracker = make_tracker(
        slots,
        events=events,
        active_loop="track_form",
        sender=f"attacker-{next(_conversations)}",
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateTrackForm().run(dispatcher, tracker, DOMAIN))
    return text_of(dispatcher.messages), slot_events(result)


def lock_tickets(shop_db: sessionmaker) -> int:
    with shop_db() as session:
        statement = select(func.count()).where(Ticket.kind == "identity_lock")
        return int(session.execute(statement).scalar_one())


def restart_at(monkeypatch: pytest.MonkeyPatch, minutes_later: int) -> None:
    """The action server starting again, its clock ``minutes_later`` after the frozen time."""
    later = FROZEN_NOW + timedelta(minutes=minutes_later)
    monkeypatch.setenv("SHOP_NOW", later.isoformat())
    assistant.context_from_env.cache_clear()


def test_finding_01_walking_emails_on_one_order_locks_it_for_every_conversation(
    shop_db: sessionmaker,
) -> None:
    demo = DEMO_ORDERS["cancellable"]
    for attempt in range(assistant.MAX_FAILURES_PER_WINDOW):
        text, slots = try_pair(demo.number, f"essai{attempt}@exemple.fr")
        assert slots["verified_order"] is None
    assert slots["identity_locked"] is True  # the fifth failure, in its own conversation
    assert lock_tickets(shop_db) == 1

    # The right pair, in yet another conversation, is not even looked up.
    text, slots = try_pair(demo.number, demo.email)
    assert "verified_order" not in slots or slots["verified_order"] is None
    assert slots["identity_locked"] is True
    assert lock_tickets(shop_db) == 1  # one ticket for the lock, not one per conversation

    # The journey says why, offers a person, and opens no ticket of its own.
    locked = make_tracker({**slots, "identity_failures": 0})
    messages, _ = run_action(ActionTrackOrder(), locked)
    assert "Par sécurité" in text_of(messages) and "conseiller" in text_of(messages)
    assert demo.number not in text_of(messages)
    assert lock_tickets(shop_db) == 1


def test_finding_01_walking_order_numbers_for_one_email_is_locked(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    for number in range(100001, 100001 + assistant.MAX_FAILURES_PER_WINDOW):
        try_pair(str(number), demo.email)
    _, slots = try_pair(demo.number, demo.email)
    assert slots["identity_locked"] is True and slots.get("verified_order") is None


def test_finding_01_one_client_address_trying_many_pairs_is_locked(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    for attempt in range(assistant.MAX_FAILURES_PER_WINDOW):
        try_pair(str(200001 + attempt), f"autre{attempt}@exemple.fr", client="203.0.113.7")
    _, locked = try_pair(demo.number, demo.email, client="203.0.113.7")
    assert locked["identity_locked"] is True
    _, elsewhere = try_pair(demo.number, demo.email, client="198.51.100.2")
    assert elsewhere["verified_order"] == demo.number  # the shopper's own browser still works


def test_finding_01_the_lock_survives_a_restart_and_lifts_after_an_hour(
    shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = DEMO_ORDERS["cancellable"]
    for attempt in range(assistant.MAX_FAILURES_PER_WINDOW):
        try_pair(demo.number, f"essai{attempt}@exemple.fr")
    restart_at(monkeypatch, minutes_later=30)
    _, slots = try_pair(demo.number, demo.email)
    assert slots["identity_locked"] is True
    restart_at(monkeypatch, minutes_later=61)
    _, slots = try_pair(demo.number, demo.email)
    assert slots["verified_order"] == demo.number


def test_failures_below_the_limit_keep_the_usual_three_strikes(shop_db: sessionmaker) -> None:
    demo = DEMO_ORDERS["cancellable"]
    text, slots = try_pair(demo.number, "faute.de.frappe@exemple.fr")
    assert "Je ne trouve pas" in text and slots["identity_failures"] == 1
    _, slots = try_pair(demo.number, demo.email)
    assert slots["verified_order"] == demo.number


def test_a_stored_failure_keeps_no_email_and_needs_the_key_to_be_matched(
    shop_db: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = DEMO_ORDERS["cancellable"]
    try_pair(demo.number, "quelquun@exemple.fr", client="203.0.113.7")
    with shop_db() as session:
        [row] = session.execute(select(IdentityFailure)).scalars()
    stored = " ".join(str(value) for value in vars(row).values())
    assert "exemple.fr" not in stored and "203.0.113.7" not in stored
    assert row.email_digest == identity_attempts.digest("Quelquun@exemple.fr ")
    monkeypatch.setenv(identity_attempts.KEY_ENV, "une-autre-cle-de-boutique")
    identity_attempts._digest_key.cache_clear()
    try:
        assert identity_attempts.digest("quelquun@exemple.fr") != row.email_digest
    finally:
        monkeypatch.delenv(identity_attempts.KEY_ENV)
        identity_attempts._digest_key.cache_clear()
