"""A conversation's dialogue states carried from one prediction to the next, instead of replayed
from its first event at each.

To predict the next action, Rasa's Rule and Memoization policies read the conversation as a list
of states, one before each action of the bot (``Domain.states_for_tracker_history``). Rasa makes
that list by replaying every event of the conversation into a new tracker, three or four times a
prediction and two or three predictions a turn, so a turn cost more the longer the conversation:
a Rasa server's CPU for the 60th message was twice that of the first, and at the 150th message
half of a turn went to those replays (BENCHMARKS.md).

A state before an action depends only on the events before it, so here each conversation keeps
its replay: the tracker after the events replayed so far and the states made on the way
(``_Replay``). A prediction replays only the events that came since, when the events it reads
start with those replayed (the same event objects: the Rasa server keeps a conversation's tracker
between turns, ``bot/tracker_store.py``). Rasa leaves some events out of the history it replays
once they are undone (a shopper's message the fallback reverts) or folded into a form (the form's
later runs stand for the shopper's answers in between): both remove events from the bot's latest
``action_listen`` on, so the replay as it was before that listen is kept too and taken up again
from there. Any other change (a restart, a new session, a tracker read again from the database,
an undo reaching further back) starts the replay over, as Rasa does.

Callers change the states they are given (the policies delete the text or the intent of a
shopper's message), so each prediction gets its own copies; the kept ones are never changed,
and share the parts equal to the state before them. The replays of the most recent
conversations are kept. Installed by ``scripts/rasa_run.py``: training and ``rasa test`` replay
as Rasa does.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.applied_events import starts_with
from bot.kept_trackers import KeptTrackers
from bot.tracker_copies import state_copy

# Conversations whose replays are kept (~13 KB for a short one), and their replayed events at
# most, the least recently used forgotten first: a shop's conversations at once, little memory.
KEPT_REPLAYS = 128
KEPT_EVENTS = 20_000


@dataclass
class _Replay:
    """The tracker after ``events`` (the conversation's applied events replayed so far), the
    states of the actions among them, and what Rasa's loop carries from one state to the next
    when it leaves out the turns that only rules know."""

    tracker: DialogueStateTracker
    events: list[Event] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    last_ml_action: Any = None
    turn_was_hidden: bool = False

    def copy(self) -> _Replay:
        return _Replay(
            state_copy(self.tracker),
            list(self.events),
            list(self.states),  # the states themselves are never changed once made
            self.last_ml_action,
            self.turn_was_hidden,
        )


@dataclass
class _Kept:
    domain: Domain
    slots: tuple[str, ...]
    rule_only_data: Any
    latest: _Replay
    before_listen: _Replay | None = None  # the replay before the latest ``action_listen``


# Each conversation's replays, by reading (``omit_unset_slots``, ``ignore_rule_only_turns``).
_kept: KeptTrackers[dict[tuple[bool, bool], _Kept]] = KeptTrackers(KEPT_REPLAYS, KEPT_EVENTS)
# Replays started from a conversation's first event, and taken up again from before a listen.
replays: Counter[str] = Counter()
_lock = threading.Lock()  # Rasa reads on its event loop; whole also if a thread ever does


def _sharing(state: State, previous: State | None) -> State:
    """``state`` with the parts equal to the previous state's being those (the shopper's
    message and the slots stay the same through the bot's actions of a turn). Kept states are
    never changed."""
    if previous:
        for kind, sub_state in state.items():
            same = previous.get(kind)
            if same is not None and same is not sub_state and same == sub_state:
                state[kind] = same
    return state


def _start(tracker: DialogueStateTracker) -> _Replay:
    replays["started"] += 1
    return _Replay(tracker.init_copy())


def _state(
    domain: Domain,
    replay: _Replay,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: dict[str, Any] | None,
    commit: bool,
) -> State | None:
    """The state before the next action, as Rasa's ``states_for_tracker_history`` makes it at
    each of its replayed trackers (None: a turn it leaves out); ``commit`` keeps what its loop
    carries to the next state."""
    tracker = replay.tracker
    last_ml_action, turn_was_hidden = replay.last_ml_action, replay.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            turn_was_hidden = hide_rule_turn
        if commit:
            replay.last_ml_action, replay.turn_was_hidden = last_ml_action, turn_was_hidden
        if turn_was_hidden:
            return None
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if last_ml_action:
            state[PREVIOUS_ACTION] = last_ml_action
    return domain._clean_state(state)


def _replay_to_end(
    domain: Domain,
    replay: _Replay,
    events: list[Event],
    kept: _Kept,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
) -> None:
    """Replay ``events`` after those already replayed, keeping the replay as it is before each
    ``action_listen`` in ``kept.before_listen``."""
    for event in events[len(replay.events) :]:
        if isinstance(event, ActionExecuted):
            if event.action_name == ACTION_LISTEN_NAME:
                kept.before_listen = replay.copy()
            state = _state(
                domain,
                replay,
                event.hide_rule_turn,
                omit_unset_slots,
                ignore_rule_only_turns,
                kept.rule_only_data,
                commit=True,
            )
            if state is not None:
                replay.states.append(_sharing(state, replay.states[-1] if replay.states else None))
        replay.tracker.update(event)
        replay.events.append(event)


def states_for_tracker_history(
    domain: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Rasa's ``Domain.states_for_tracker_history``, from the conversation's kept replay."""
    events = tracker.applied_events()
    with _lock:
        if not ignore_rule_only_turns:
            rule_only_data = None  # read only to leave out the turns only rules know
        reading = (omit_unset_slots, ignore_rule_only_turns)
        slots = tuple(tracker.slots)
        readings = _kept.get(tracker.sender_id) or {}
        kept = readings.get(reading)
        if kept is None or not (
            kept.domain is domain and kept.slots == slots and kept.rule_only_data == rule_only_data
        ):
            kept = readings[reading] = _Kept(domain, slots, rule_only_data, _start(tracker))
        elif not starts_with(events, kept.latest.events):
            before = kept.before_listen
            if before is not None and starts_with(events, before.events):
                kept.latest = before.copy()
                replays["taken up before a listen"] += 1
            else:
                kept.latest, kept.before_listen = _start(tracker), None

        replay = kept.latest
        _replay_to_end(domain, replay, events, kept, omit_unset_slots, ignore_rule_only_turns)
        replayed = sum(len(each.latest.events) for each in readings.values())
        _kept.keep(tracker.sender_id, readings, replayed)
        states = list(replay.states)
        final = _state(
            domain,
            replay,
            False,
            omit_unset_slots,
            ignore_rule_only_turns,
            rule_only_data,
            commit=False,
        )
        if final is not None:
            states.append(final)
        return [{kind: dict(sub) for kind, sub in state.items()} for state in states]


def forget() -> None:
    """Drop every kept replay (tests; a model swapped in keeps none of the old one's)."""
    _kept.clear()
    replays.clear()


def install() -> None:
    """Make ``Domain.states_for_tracker_history`` this one (once)."""
    original = Domain.states_for_tracker_history
    if getattr(original, "from_kept_replays", False):
        return

    def from_kept_replays(self: Domain, tracker: DialogueStateTracker, *args: Any, **kw: Any):
        return states_for_tracker_history(self, tracker, *args, **kw)

    from_kept_replays.from_kept_replays = True  # type: ignore[attr-defined]
    Domain.states_for_tracker_history = from_kept_replays
