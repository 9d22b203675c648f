"""Fixtures for action tests: a real seeded SQLite database, a frozen clock, real trackers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW, ROOT
from shop import assistant
from shop.store.db import make_engine, make_session_factory
from shop.store.seed import reset_and_seed

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text())
DEFAULT_SLOTS: dict[str, Any] = {
    name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()
}


@pytest.fixture()
def shop_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker]:
    """A seeded database the actions use through the environment, as on the real server."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    reset_and_seed(engine, FROZEN_NOW)
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    monkeypatch.setenv("SHOP_NOW", FROZEN_NOW.isoformat())
    monkeypatch.setenv("SHOP_PROFILE", "bijou_eclat")
    monkeypatch.setenv("SHOP_TICKET_SPOOL", str(tmp_path / "spool" / "tickets.jsonl"))
    assistant.context_from_env.cache_clear()
    yield make_session_factory(engine)
    assistant.context_from_env.cache_clear()
    engine.dispose()


def make_tracker(
    slots: dict[str, Any] | None = None,
    *,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender: str = "conversation-test",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.97},
        "entities": entities or [],
    }
    return Tracker(
        sender,
        {**DEFAULT_SLOTS, **(slots or {})},
        latest,
        events or [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def verified(number: str, email: str, **more: Any) -> dict[str, Any]:
    return {"order_number": number, "order_email": email, "verified_order": number, **more}


def run_action(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or m.get("response") or "") for m in messages)


def slot_events(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
