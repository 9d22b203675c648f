"""Rasa tracker events written by Rasa's own SQL tracker store into a test's SQLite database,
and read back: what the privacy code must find, export and delete."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.support.threads import in_own_thread


def store_tracker(database: Path, sender: str, events: list[Any]) -> None:
    """Save a conversation's events with Rasa's real SQL tracker store, in that file."""

    async def save() -> None:
        store = SQLTrackerStore(Domain.empty(), db=str(database))
        await store.save(DialogueStateTracker.from_events(sender, events))
        store.engine.dispose()

    in_own_thread(asyncio.run, save())


def turn(text: str, at: datetime, *slots: tuple[str, str]) -> list[Any]:
    """One turn's events at ``at``: the shopper's text, the slots set, the bot's answer."""
    stamp = at.timestamp()
    return [
        UserUttered(text, {"name": "track_order", "confidence": 0.9}, timestamp=stamp),
        *(SlotSet(name, value, timestamp=stamp + 0.1) for name, value in slots),
        BotUttered("Voici où en est votre commande.", timestamp=stamp + 0.2),
        ActionExecuted("action_listen", timestamp=stamp + 0.3),
    ]


def tracker_senders(database: Path) -> set[str]:
    """The conversations that still have events in the tracker store."""
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT sender_id FROM events")}
