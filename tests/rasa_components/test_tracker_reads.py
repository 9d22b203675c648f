"""A turn's read of its conversation does not grow with the conversation: the tracker store keeps
the tracker it saved, and gives the same tracker as Rasa's own store would read, whatever
happened in between (another Rasa server's turn, a turn that failed, an erasure, a new
session, the retention's deletion)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered

from bot.kept_trackers import compact
from bot.tracker_store import CountFreeSQLTrackerStore, one_read_a_turn
from tests.rasa_components.test_tracker_store import DOMAIN, run, turn

START = 1_800_000_000.0


def statements(store: SQLTrackerStore) -> list[str]:
    """Every statement the store sends from now on."""
    seen: list[str] = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    return seen


def talk(store: SQLTrackerStore, sender: str, messages: int, at: float = START) -> None:
    for step in range(messages):
        tracker = run(store.get_or_create_tracker(sender))
        turn(tracker, f"message {step}", at + 10 * step)
        run(store.save(tracker))


def test_the_sixtieth_message_reads_no_event(tmp_path: Path) -> None:
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(store, "anne", 60)
    sent = statements(store)
    tracker = run(store.retrieve("anne"))
    assert len(tracker.events) > 300
    assert len(sent) == 1 and "events.data" not in sent[0]  # the session's first and last ids


def test_a_turn_of_another_server_is_read_alone_and_applied(tmp_path: Path) -> None:
    ours = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    other = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(ours, "anne", 20)
    run(ours.retrieve("anne"))
    talk(other, "anne", 1, at=START + 1_000)
    sent = statements(ours)
    tracker = run(ours.retrieve("anne"))
    assert tracker.latest_message.text == "message 0"  # the other server's turn
    assert [s for s in sent if "events.data" in s] == [sent[-1]]  # only the new events
    assert "events.id >" in sent[-1]
    *earlier, latest = [e for e in tracker.events if isinstance(e, UserUttered)]
    assert latest is tracker.latest_message and "intent_ranking" in latest.parse_data
    assert not any("intent_ranking" in message.parse_data for message in earlier)  # compacted


def compacted(tracker: Any) -> Any:
    """Rasa's tracker as this store keeps it (``bot/kept_trackers.py``)."""
    if tracker is not None:
        compact(tracker.events)
    return tracker


def comparable(tracker: Any) -> Any:
    if tracker is None:
        return None
    events = [{**event.as_dict(), "timestamp": None} for event in tracker.events]
    return events, tracker.current_slot_values(), tracker.active_loop_name


@pytest.mark.parametrize("seed", range(6))
def test_every_read_equals_rasas_read(tmp_path: Path, seed: int) -> None:
    """Random turns on Rasa's store and on ours (and a second server of ours on the same
    database): every tracker read is the same, but for the parts of earlier messages no turn
    reads (``bot/kept_trackers.py``)."""
    rasa_store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "rasa.db"))
    ours = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "ours.db"))
    second = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "ours.db"))
    rng = random.Random(seed)
    actions = ["turn"] * 4 + ["other server", "failed turn", "new session", "erased", "history"]
    actions += ["retention"]
    for step in range(80):
        sender = rng.choice(["anne", "bruno"])
        action = rng.choice(actions)
        at = START + 10 * step
        for store, database in ((rasa_store, "rasa.db"), (ours, "ours.db")):
            writer = second if action == "other server" and store is ours else store
            tracker = run(writer.get_or_create_tracker(sender))
            if action == "failed turn":  # the processor appended events, then failed
                turn(tracker, f"perdu {step}", at)
                continue
            if action == "erased":
                with sqlite3.connect(tmp_path / database) as connection:
                    connection.execute("DELETE FROM events WHERE sender_id = ?", (sender,))
                continue
            if action == "retention":  # the oldest events of the conversation go first
                with sqlite3.connect(tmp_path / database) as connection:
                    connection.execute(
                        "DELETE FROM events WHERE id IN (SELECT id FROM events"
                        " WHERE sender_id = ? ORDER BY id LIMIT 3)",
                        (sender,),
                    )
                continue
            if action == "history":
                run(store.retrieve_full_tracker(sender))
                continue
            if action == "new session":
                tracker.update(ActionExecuted("action_session_start", timestamp=at))
                tracker.update(SessionStarted(timestamp=at + 0.1))
            turn(tracker, f"message {step}", at + 1)
            run(writer.save(tracker))
        for sender in ("anne", "bruno"):
            assert comparable(run(ours.retrieve(sender))) == comparable(
                compacted(run(rasa_store.retrieve(sender)))
            ), (seed, step, action)


def test_a_turn_costs_the_rasa_server_a_bounded_number_of_statements(tmp_path: Path) -> None:
    """At the 30th message: one read (the session's ends), and a save of the turn's events in
    one statement with its ``bot_turns`` row (the previous turn read and told what came next)."""
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(store, "anne", 30)
    sent = statements(store)
    tracker = run(store.get_or_create_tracker("anne"))
    turn(tracker, "encore une question", START + 1_000)
    run(store.save(tracker))
    assert len(sent) <= 1 + 3 + 1, "\n".join(sent)
    assert sum(s.startswith("INSERT INTO events") for s in sent) == 1, "\n".join(sent)


def test_a_turn_reads_its_conversation_from_the_database_once(tmp_path: Path) -> None:
    """The repeat check's read (``bot/repeated_messages.py``) is Rasa's read of the turn: the
    same tracker, no second query; once the turn is saved, a read asks the database again."""
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(store, "anne", 3)
    sent = statements(store)

    async def one_turn(sender: str) -> tuple[Any, Any, int, int]:
        with one_read_a_turn():
            checked = await store.retrieve(sender)  # the repeat check
            read = len(sent)
            # Rasa's own read, as its message processor asks
            tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
            read_again = len(sent) - read
            turn(tracker, "encore", START + 1_000)
            await store.save(tracker)
            saved = len(sent)
            await store.retrieve(sender)
            return checked, tracker, read_again, len(sent) - saved

    checked, tracker, read_again, after_save = run(one_turn("anne"))
    assert tracker is checked and read_again == 0
    assert after_save == 1  # the session's ends, asked again
    checked, tracker, read_again, _ = run(one_turn("bruno"))  # a new conversation
    assert checked is None and tracker.sender_id == "bruno" and read_again == 0
    run(store.retrieve("anne"))
    outside = len(sent)
    run(store.retrieve("anne"))
    assert len(sent) == outside + 1  # outside a turn, every read asks


def test_within_a_turn_a_changed_tracker_and_another_task_read_the_database(
    tmp_path: Path,
) -> None:
    """The turn's own unsaved events, or a task the turn started (it inherits the context),
    are never answered from the turn's first read."""
    store = CountFreeSQLTrackerStore(DOMAIN, db=str(tmp_path / "a.db"))
    talk(store, "anne", 3)
    sent = statements(store)

    async def one_turn() -> tuple[int, int, Any]:
        with one_read_a_turn():
            tracker = await store.retrieve("anne")
            read = len(sent)
            await asyncio.create_task(store.retrieve("anne"))
            other_task_read = len(sent) - read
            turn(tracker, "pas encore enregistré", START + 1_000)
            read = len(sent)
            again = await store.retrieve("anne")
            return other_task_read, len(sent) - read, again

    other_task_read, changed_read, again = run(one_turn())
    assert other_task_read == 1  # the session's ends
    assert changed_read >= 1 and "pas encore" not in str(again.events)  # the stored events
