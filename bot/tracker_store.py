"""Rasa's SQL tracker store, without counting the stored events on every save.

To know which of a tracker's events are new, ``SQLTrackerStore.save`` counts the events of the
conversation's latest session in the database (a query with a sub-query on the session start)
and stores the events after that many. That count was a quarter of the time a turn spends
saving, and ~6 % of the Rasa server's CPU in a turn (py-spy; BENCHMARKS.md, the 2026-11-24
entry on this tracker store).

The store already knows the answer: the tracker it saves is the one it read at the start of
the turn (or saved at the end of the last one), with the turn's events appended. So it
remembers, for each conversation, how many events of that tracker are stored and which event
object is the last of them. When the tracker being saved holds that very object at that
position, the events before it are stored and only those after it are new; in every other
case (a tracker built elsewhere, the full history of every session, an entry forgotten) the
store counts, as Rasa does. A conversation found with no event at all has none stored until
this store saves it. Events are still written in the same transaction, the same way.

The same transaction also records what the bot understood of each new shopper message
(``bot/turn_recorder.py``: the ``bot_turns`` table, created here when missing), so the review
inbox and the dashboard see every message, widget and REST alike, at no extra commit.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Iterator, Sequence

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.turn_recorder import record_new_events
from shop.clock import Clock, clock_from_env
from shop.store.learning import BotTurn

# Conversations remembered at once (least recently used forgotten first): a forgotten one is
# only counted again, as Rasa does.
REMEMBERED_CONVERSATIONS = 10_000


class CountFreeSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that knows how many events of a tracker it has stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        BotTurn.__table__.create(self.engine, checkfirst=True)
        self.clock: Clock = clock_from_env()  # the turns' time (SHOP_NOW freezes it)
        self._stored: OrderedDict[str, tuple[int, Event | None]] = OrderedDict()

    def _remember(self, sender_id: str, events: Sequence[Event]) -> None:
        """These are all the events of the conversation's tracker in the database now."""
        self._stored[sender_id] = (len(events), events[-1] if events else None)
        self._stored.move_to_end(sender_id)
        if len(self._stored) > REMEMBERED_CONVERSATIONS:
            self._stored.popitem(last=False)

    def stored_events(self, tracker: DialogueStateTracker) -> int | None:
        """How many of the tracker's first events are stored, if this store knows it."""
        known = self._stored.get(tracker.sender_id)
        if known is None:
            return None
        count, last = known
        if count == 0:  # the conversation had no event at all: every event is new
            return 0
        if len(tracker.events) < count or tracker.events[count - 1] is not last:
            return None
        return count

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        # Rasa saves the latest session's tracker; the full history is only read. No tracker
        # means no event at all for this conversation (a session's start is in its session).
        if not fetch_events_from_all_sessions:
            self._remember(sender_id, tracker.events if tracker is not None else [])
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self.stored_events(tracker)
        if stored is None:
            new = list(super()._additional_events(session, tracker))
        else:
            new = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        record_new_events(session, tracker.sender_id, new, self.clock)
        return iter(new)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except BaseException:
            self._stored.pop(tracker.sender_id, None)  # count next time
            raise
        self._remember(tracker.sender_id, tracker.events)
