"""Rasa's tracker events, read and deleted with SQLAlchemy Core (no Rasa import in ``shop``).

Rasa's ``SQLTrackerStore`` keeps every event of every conversation in the table ``events`` of
the same database (``sender_id`` is the desk's conversation id, ``timestamp`` Unix seconds,
``data`` the event as JSON text). The table is described here, not reflected, on a metadata of
its own so that ``create_schema`` never creates or drops it; it exists only once Rasa has
started on the database, so every function answers "nothing" when it is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select
from sqlalchemy import inspect as inspect_database
from sqlalchemy.orm import Session

EVENTS_TABLE = "events"
CHUNK = 500

events = Table(
    EVENTS_TABLE,
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def has_tracker_store(session: Session) -> bool:
    return bool(inspect_database(session.connection()).has_table(EVENTS_TABLE))


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def senders_mentioning(session: Session, text: str) -> set[str]:
    """Conversations with an event whose data holds ``text`` (any case)."""
    if not has_tracker_store(session):
        return set()
    statement = (
        select(events.c.sender_id)
        .where(func.lower(events.c.data).contains(text.lower(), autoescape=True))
        .distinct()
    )
    return set(session.execute(statement).scalars())


def senders_with_slot(session: Session, slot: str, values: Iterable[str]) -> set[str]:
    """Conversations in which ``slot`` was set to one of ``values`` (e.g. a verified order)."""
    wanted = {str(value) for value in values}
    if not wanted or not has_tracker_store(session):
        return set()
    statement = (
        select(events.c.sender_id, events.c.data)
        .where(events.c.type_name == "slot")
        .where(events.c.data.contains(f'"{slot}"', autoescape=True))
    )
    found = set()
    for sender_id, data in session.execute(statement):
        event = _parse(data)
        if event.get("name") == slot and str(event.get("value")) in wanted:
            found.add(sender_id)
    return found


def events_of(session: Session, sender_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Every event of these conversations, oldest first, as Rasa stored them."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not sender_ids or not has_tracker_store(session):
        return found
    for chunk in chunks(list(sender_ids)):
        statement = (
            select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id.in_(chunk))
            .order_by(events.c.id)
        )
        for sender_id, type_name, timestamp, data in session.execute(statement):
            found.setdefault(sender_id, []).append(
                {"type": type_name, "timestamp": timestamp, "data": _parse(data)}
            )
    return found


def delete_events_of(session: Session, sender_ids: Sequence[str]) -> int:
    """Delete every event of these conversations; returns how many went."""
    if not sender_ids or not has_tracker_store(session):
        return 0
    deleted = 0
    for chunk in chunks(list(sender_ids)):
        result = session.execute(delete(events).where(events.c.sender_id.in_(chunk)))
        deleted += int(result.rowcount or 0)
    return deleted


def delete_events_before(session: Session, timestamp: float) -> int:
    """Delete every event older than ``timestamp`` (Unix seconds), whatever the conversation."""
    if not has_tracker_store(session):
        return 0
    result = session.execute(delete(events).where(events.c.timestamp < timestamp))
    return int(result.rowcount or 0)


def _parse(data: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(data or "{}")
    except ValueError:
        return {"raw": data}
    return parsed if isinstance(parsed, dict) else {"raw": parsed}
