"""A conversation's applied events carried from one reading to the next, instead of worked out
from its first event at each.

Rasa reads a conversation's "applied" events (its events without those a revert, a restart, a
new session or a form's later run undid: ``DialogueStateTracker.applied_events``) five or six
times a turn: to know whether a session has started, and before each reading of the dialogue's
states (``bot/prediction_states.py``). Each reading went through every event of the conversation
again, with ``isinstance`` checks on Rasa's abstract event classes: a turn's cost grew with the
conversation's length (BENCHMARKS.md).

Rasa's reading is a walk through the events in order, where the only thing read from later
events is the set of form names (``loop_names``). So each conversation keeps the events read so
far and their applied events, and a reading walks only the events that came since, when the
tracker's events start with those read (the same event objects) and no new form name came with
them; otherwise it walks them all, as Rasa does. Each caller gets its own list. Installed by
``scripts/rasa_run.py``: training and ``rasa test`` read as Rasa does.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.kept_trackers import KeptTrackers

# Conversations kept (16 bytes an event) and their events at most, the least recently read
# forgotten first.
KEPT_CONVERSATIONS = 128
KEPT_EVENTS = 50_000


@dataclass
class _Read:
    events: list[Event] = field(default_factory=list)  # the tracker's events read so far
    applied: list[Event] = field(default_factory=list)
    loop_names: set[str] = field(default_factory=set)


_kept: KeptTrackers[_Read] = KeptTrackers(KEPT_CONVERSATIONS, KEPT_EVENTS)
_lock = threading.Lock()  # Rasa reads on its event loop; whole also if a thread ever does


def _loop_names(events: Iterable[Event]) -> set[str]:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def starts_with(events: Collection[Event], prefix: list[Event]) -> bool:
    """``events`` begin with the very event objects of ``prefix``."""
    return len(events) >= len(prefix) and all(
        a is b
        for a, b in zip(prefix, events, strict=False)  # events may go on
    )


def _walk(tracker: DialogueStateTracker, read: _Read, events: Iterable[Event]) -> None:
    """Rasa's ``applied_events`` loop, from where ``read`` stopped."""
    applied = read.applied
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in read.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
        read.events.append(event)


def applied_events(tracker: DialogueStateTracker) -> list[Event]:
    """Rasa's ``DialogueStateTracker.applied_events``, from the conversation's kept reading."""
    events = tracker.events
    with _lock:
        read = _kept.get(tracker.sender_id)
        if read is None or not starts_with(events, read.events):
            read = _Read()
        new = list(itertools.islice(events, len(read.events), None))
        names = _loop_names(new)
        if not names <= read.loop_names and read.events:  # a form earlier events did not know
            read, new = _Read(), list(events)
            names = _loop_names(new)
        read.loop_names |= names
        _walk(tracker, read, new)
        _kept.keep(tracker.sender_id, read, len(read.events))
        return list(read.applied)


def forget() -> None:
    """Drop every kept reading (tests)."""
    _kept.clear()


def install() -> None:
    """Make ``DialogueStateTracker.applied_events`` this one (once)."""
    if getattr(DialogueStateTracker.applied_events, "from_kept_reading", False):
        return

    def from_kept_reading(self: DialogueStateTracker) -> list[Event]:
        return applied_events(self)

    from_kept_reading.from_kept_reading = True  # type: ignore[attr-defined]
    DialogueStateTracker.applied_events = from_kept_reading
