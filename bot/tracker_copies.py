"""A conversation's tracker copied from its state, instead of by replaying its events.

Before each action of a turn Rasa copies the conversation's tracker (``MessageProcessor.
_run_action``: the action runs on the copy, so that a rejected action leaves no trace; a form
does the same to try its first run), and ``DialogueStateTracker.copy`` makes the copy by
replaying every event of the conversation into a new tracker: a cost that grows with the
conversation's length, like the replays ``bot/prediction_states.py`` removed (BENCHMARKS.md).

A tracker's state is what its events made of it: the copy here takes that state (the slots'
values, the latest message, action and bot utterance, the active loop, the pause, the next
action) and the same events, as Rasa's copy would after its replay; the attributes Rasa's copy
leaves out (the messages' source, the model's and the assistant's ids) are left out here too.
The slots and the active loop, which events change in place, are the copy's own. Only for a
plain tracker that keeps all its events: a tracker whose oldest events were dropped
(``max_event_history``) or a subclass is copied as Rasa does. Installed by
``scripts/rasa_run.py``.
"""

from __future__ import annotations

import copy

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

_replaying_copy = DialogueStateTracker.copy


def state_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """``tracker.copy()``, from the tracker's state."""
    if (
        type(tracker) is not DialogueStateTracker
        or tracker._max_event_history is not None
        or type(tracker.slots) is not dict
    ):
        return _replaying_copy(tracker)
    twin = copy.copy(tracker)
    twin.sender_id = tracker.sender_id or DEFAULT_SENDER_ID  # as Rasa's ``init_copy``
    twin.sender_source, twin.model_id, twin.assistant_id = None, None, None
    message = tracker.latest_message
    if message is not None and not any(event is message for event in reversed(tracker.events)):
        twin.latest_message = UserUttered.empty()  # Rasa's stand-in: each tracker has its own
    twin.events = tracker._create_events(tracker.events)
    twin.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    twin.latest_action = dict(tracker.latest_action) if tracker.latest_action else {}
    twin.active_loop = copy.copy(tracker.active_loop)
    return twin


def install() -> None:
    """Make ``DialogueStateTracker.copy`` this one (once)."""
    DialogueStateTracker.copy = state_copy
