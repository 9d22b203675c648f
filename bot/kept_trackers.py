"""A conversation's tracker kept between turns, without what no later turn reads.

The tracker store keeps each conversation's tracker in memory between turns
(``bot/tracker_store.py``): a shopper message took ~12 KiB there, most of it never read again
(measured on the end-to-end conversations; BENCHMARKS.md):

- the NLU's rankings of the earlier messages (``intent_ranking``, ``faq_candidates``, the
  FAQ's ``response_selector``) and their tokens' offsets (``text_tokens``), ~60 % of it. A turn
  reads the latest message's whole parse (the fallback's choices of ``actions/handoff.py``, the
  FAQ answer), and of the earlier messages only their intent, entities and metadata (the
  policies' states, the actions' count of fallbacks, the handoff note, the desk's message ids);
- every event's own copy of the same metadata (the model's and the assistant's ids, the
  response's name), and every bot message's own copy of the same empty ``data`` (no buttons,
  no image...): Rasa makes a new dict for each. Equal ones become one dict: Rasa replaces an
  event's metadata and data, never changes them in place.

The latest message stays whole. (A core fallback's ``action_default_fallback`` reverts the
message it could not answer and makes the one before it Rasa's ``latest_message`` again, without
its rankings: what reads them, the NLU fallback's choices and the FAQ's candidates, reads the
message just received.) The database keeps every event whole: ``GET /conversations/<id>/tracker``
reads the whole history from there; Rasa's endpoints that answer with the latest session's
tracker (``POST .../tracker/events``, ``.../execute``, ``.../messages``) show the earlier messages
as kept, without their rankings.

The trackers kept are bounded by their number and by their events together (``KeptTrackers``):
a thousand conversations of sixty messages would otherwise hold ~300 MB.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, TypeVar

from rasa.shared.core.events import BotUttered, Event, UserUttered

# Trackers kept at once, least recently used forgotten first (a forgotten one is read whole
# again, as Rasa does), and their events at most: a kept event holds ~0.4 KiB (a shopper
# message and the bot's answer ~10 events), so ~40 MB between turns.
KEPT_TRACKERS = 1_000
KEPT_EVENTS = 100_000
# Parts of an earlier message's parse that no later turn reads.
EARLIER_MESSAGE_PARTS = ("intent_ranking", "faq_candidates", "response_selector", "text_tokens")
# The metadata Rasa gives events: a dict with only these keys (text values) is shared with its
# equals, and so is a bot message's ``data`` when it holds nothing.
SHARED_METADATA_KEYS = frozenset({"model_id", "assistant_id", "utter_action"})
SHARED_MAX = 1_024  # distinct dicts shared (a model's responses, a few models loaded)
_SHARED: dict[tuple[tuple[str, str | None], ...], dict] = {}


def compact(events: Sequence[Event], compacted: int = 0) -> None:
    """Compact a kept tracker's events, the first ``compacted`` of which already are: the
    events after them share equal metadata, and every message but the latest loses the parts
    of its parse no later turn reads (the latest message among the first ``compacted`` was kept
    whole then: it is compacted now if a message followed it)."""
    for event in itertools.islice(events, compacted, None):  # a tracker's events: a deque
        if event.metadata and SHARED_METADATA_KEYS.issuperset(event.metadata):
            event.metadata = shared(event.metadata)
        if isinstance(event, BotUttered) and not any(
            value is not None for value in event.data.values()
        ):
            event.data = shared(event.data)
    latest_seen = False
    for index, event in zip(range(len(events) - 1, -1, -1), reversed(events), strict=True):
        if not isinstance(event, UserUttered):
            continue
        if latest_seen:
            _drop_unread_parts(event)
        latest_seen = True
        if index < compacted:
            return  # the messages before it were compacted when it was the latest


def shared(values: dict) -> dict:
    """The one dict equal to ``values`` (text or None values): ``values`` itself when it is
    the first, or has other values. Past ``SHARED_MAX`` distinct ones (models loaded one after
    another) the table starts again: dicts shared before stay shared among themselves."""
    if not all(value is None or isinstance(value, str) for value in values.values()):
        return values
    key = tuple(sorted(values.items()))
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= SHARED_MAX:
            _SHARED.clear()
        found = _SHARED[key] = values
    return found


def _drop_unread_parts(message: UserUttered) -> None:
    parse = message.parse_data
    if any(part in parse for part in EARLIER_MESSAGE_PARTS):
        message.parse_data = {k: v for k, v in parse.items() if k not in EARLIER_MESSAGE_PARTS}


T = TypeVar("T")


class KeptTrackers(Generic[T]):
    """What is kept of each conversation, least recently kept forgotten first when more than
    ``conversations`` are kept or their events number more than ``events`` (the latest one
    kept stays, whatever its size)."""

    def __init__(self, conversations: int = KEPT_TRACKERS, events: int = KEPT_EVENTS) -> None:
        self.max_conversations = conversations
        self.max_events = events
        self.events = 0  # the events of the trackers kept, as counted when each was kept
        self._kept: OrderedDict[str, tuple[T, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, sender_id: str) -> T | None:
        kept = self._kept.get(sender_id)
        return None if kept is None else kept[0]

    def pop(self, sender_id: str) -> None:
        kept = self._kept.pop(sender_id, None)
        if kept is not None:
            self.events -= kept[1]

    def clear(self) -> None:
        self._kept.clear()
        self.events = 0

    def keep(self, sender_id: str, value: T, events: int) -> None:
        """Keep ``value`` (a tracker of ``events`` events) as the most recently used."""
        self.pop(sender_id)
        self._kept[sender_id] = (value, events)
        self.events += events
        while len(self._kept) > 1 and (
            len(self._kept) > self.max_conversations or self.events > self.max_events
        ):
            _, (_, forgotten) = self._kept.popitem(last=False)
            self.events -= forgotten
