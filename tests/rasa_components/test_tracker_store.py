"""The count-free SQL tracker store stores exactly what Rasa's own SQL store stores."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import CountFreeSQLTrackerStore
from tests.support.threads import in_own_thread

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")


def run(coroutine: Any) -> Any:
    return in_own_thread(asyncio.run, coroutine)


def stored_rows(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, data FROM events ORDER BY id"
        ).fetchall()


def count_queries(store: SQLTrackerStore) -> list[str]:
    """The COUNT statements the store sends from now on."""
    seen: list[str] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "count(" in statement.lower():
            seen.append(statement)

    return seen


def turn(tracker: DialogueStateTracker, text: str, at: float) -> None:
    """The events of one turn, from ``at`` on."""
    intent = {"name": "track_order", "confidence": 0.9}
    parse = {  # what the NLU adds to a parse besides the intent and entities
        "intent_ranking": [intent, {"name": "cancel_order", "confidence": 0.1}],
        "faq_candidates": [{"faq_id": "livraison_delais", "confidence": 0.05}],
        "text_tokens": [[0, len(text)]],
    }
    tracker.update(UserUttered(text, intent, parse_data=parse, timestamp=at))
    tracker.update(ActionExecuted("action_track_order", timestamp=at + 0.1))
    tracker.update(BotUttered(f"réponse à {text}", timestamp=at + 0.2))
    tracker.update(SlotSet("order_number", text, timestamp=at + 0.3))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 0.4))


def test_a_turn_is_saved_without_counting_the_stored_events(tmp_path: Path) -> None:
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    counts = count_queries(store)
    tracker = run(store.get_or_create_tracker("anne"))  # a new conversation: nothing stored
    made: list[dict[str, Any]] = []  # every event as the turns made it
    for step in range(3):
        tracker = run(store.retrieve("anne"))
        turn(tracker, f"message {step}", 1_800_000_000.0 + step)
        made += [event.as_dict() for event in list(tracker.events)[len(made) :]]
        run(store.save(tracker))
    assert counts == []
    # Whole, the earlier messages too (kept in memory without their rankings).
    assert [json.loads(data) for _, _, data in stored_rows(tmp_path / "a.db")] == made


def test_a_tracker_built_elsewhere_is_counted_as_rasa_does(tmp_path: Path) -> None:
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    tracker = run(store.get_or_create_tracker("anne"))
    turn(tracker, "bonjour", 1_800_000_000.0)
    run(store.save(tracker))
    copy = DialogueStateTracker.from_dict("anne", [e.as_dict() for e in tracker.events])
    turn(copy, "encore moi", 1_800_000_010.0)
    counts = count_queries(store)
    run(store.save(copy))
    assert len(counts) == 1
    assert len(stored_rows(tmp_path / "a.db")) == len(copy.events)


def test_a_failed_save_is_counted_again_next_time(tmp_path: Path) -> None:
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    tracker = run(store.get_or_create_tracker("anne"))
    turn(tracker, "bonjour", 1_800_000_000.0)
    with sqlite3.connect(tmp_path / "a.db") as connection:
        connection.execute("ALTER TABLE events RENAME TO events_away")
    with pytest.raises(sa.exc.OperationalError):
        run(store.save(tracker))
    with sqlite3.connect(tmp_path / "a.db") as connection:
        connection.execute("ALTER TABLE events_away RENAME TO events")
    counts = count_queries(store)
    run(store.save(tracker))
    assert len(counts) == 1
    assert len(stored_rows(tmp_path / "a.db")) == len(tracker.events)


def test_a_save_cancelled_mid_write_ends_before_the_turn_does(tmp_path: Path) -> None:
    """The save runs in a worker thread (bot/off_loop.py). A task that saves can be cancelled
    (Rasa's endpoints other than the shopper's turn, a server stopping); the cancellation must
    not reach it (which then gives the conversation's lock back) before its events are stored,
    or the next message would read without them."""
    db = tmp_path / "a.db"
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(db))
    tracker = run(store.get_or_create_tracker("anne"))
    turn(tracker, "bonjour", 1_800_000_000.0)
    blocker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")  # the write waits for the database in its thread

    async def cancelled_save() -> list[tuple[str, str, str]]:
        saving = asyncio.create_task(store.save(tracker))
        await asyncio.sleep(0.1)
        threading.Timer(0.3, blocker.execute, ["COMMIT"]).start()
        saving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await saving
        return stored_rows(db)  # when the cancellation reached the turn

    assert len(run(cancelled_save())) == len(tracker.events)
    assert store.stored_events(tracker) is None  # cancelled: counted again next time
    blocker.close()


def test_a_store_in_memory_saves_in_its_own_database() -> None:
    """SQLite in memory is a database per connection, and SQLAlchemy gives each thread its own:
    there the save stays in the event loop's thread, where the table was made."""

    async def save_and_read() -> tuple[int, int]:
        store = CountFreeSQLTrackerStore(DOMAIN, db=":memory:")
        tracker = await store.get_or_create_tracker("anne")
        turn(tracker, "bonjour", 1_800_000_000.0)
        await store.save(tracker)
        with store.session_scope() as session:
            stored = store._read_session(session, "anne")
        return len(tracker.events), len(stored.events) if stored is not None else 0

    made, stored = run(save_and_read())
    assert stored == made > 0


def without_timestamps(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, dict]]:
    """Rows to compare between two stores (the event opening a conversation is dated now)."""
    return [(sender, kind, {**json.loads(data), "timestamp": None}) for sender, kind, data in rows]


@pytest.mark.parametrize("seed", range(4))
def test_random_conversations_are_stored_as_by_rasas_store(tmp_path: Path, seed: int) -> None:
    """The same turns on both stores, as Rasa's server runs them: read, update, save."""
    rasa_store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "rasa.db"))
    our_store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "ours.db"))
    rng = random.Random(seed)
    for step in range(60):
        sender = rng.choice(["anne", "bruno", "chloé"])
        action = rng.choice(["turn", "turn", "new session", "two saves", "history", "appended"])
        for store in (rasa_store, our_store):
            tracker = run(store.get_or_create_tracker(sender))
            at = 1_800_000_000.0 + 10 * step  # later than the conversation's opening event
            if action == "turn":
                turn(tracker, f"message {step}", at)
            elif action == "new session":
                tracker.update(ActionExecuted("action_session_start", timestamp=at))
                tracker.update(SessionStarted(timestamp=at + 0.1))
                turn(tracker, f"nouvelle session {step}", at + 1)
            elif action == "two saves":  # the processor saves, an event is appended, saved
                turn(tracker, f"message {step}", at)
                run(store.save(tracker))
                turn(tracker, f"suite {step}", at + 1)
            elif action == "history":  # the desk reads every session, writes nothing
                assert run(store.retrieve_full_tracker(sender)) is not None
                continue
            elif action == "appended":  # an agent's message through Rasa's HTTP API
                tracker.update(BotUttered(f"agent {step}", timestamp=at))
            run(store.save(tracker))
    ours = stored_rows(tmp_path / "ours.db")
    assert without_timestamps(ours) == without_timestamps(stored_rows(tmp_path / "rasa.db"))
    assert len(ours) > 100
