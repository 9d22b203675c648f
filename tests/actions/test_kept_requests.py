"""A request for a person while the database is down: one clear message for the shopper, and
the request replayed into a ticket when the action server starts again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.common import replay_kept_requests_at_start
from actions.handoff import ActionHumanHandoff
from shop import assistant
from shop.store.demo import DEMO_ORDERS
from shop.store.models import Ticket
from tests.actions.conftest import make_tracker, run_action, verified


def database_away(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/shop.db")
    assistant.context_from_env.cache_clear()


def test_finding_06_a_kept_request_is_one_clear_message_not_a_technical_problem_too(
    shop_db: sessionmaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_away(tmp_path, monkeypatch)
    messages, _ = run_action(ActionHumanHandoff(), make_tracker(sender="conv-down"))

    assert len(messages) == 1
    assert messages[0].get("response") is None  # not « je ne peux pas consulter… réessayez »
    assert messages[0]["text"] == assistant.SPOOLED
    assert "bien enregistrée" in messages[0]["text"] and "Réessayez" not in messages[0]["text"]


def test_finding_06_the_action_server_replays_kept_requests_when_it_starts(
    shop_db: sessionmaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good_url = str(shop_db.kw["bind"].url)
    database_away(tmp_path, monkeypatch)
    run_action(ActionHumanHandoff(), make_tracker(sender="conv-down"))
    assert assistant.has_kept_requests()

    monkeypatch.setenv("SHOP_DATABASE_URL", good_url)
    assistant.context_from_env.cache_clear()
    assert replay_kept_requests_at_start() == 1

    with shop_db() as session:
        [ticket] = session.execute(select(Ticket).where(Ticket.kind == "handoff")).scalars()
    assert ticket.conversation_id == "conv-down" and ticket.facts["spooled"] is True
    assert not assistant.has_kept_requests()


def test_a_failure_that_keeps_nothing_still_says_there_is_a_technical_problem(
    shop_db: sessionmaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actions.orders import ActionTrackOrder

    demo = DEMO_ORDERS["shipped_on_time"]
    database_away(tmp_path, monkeypatch)
    messages, _ = run_action(ActionTrackOrder(), make_tracker(verified(demo.number, demo.email)))
    assert [m.get("response") for m in messages] == ["utter_technical_problem"]
