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

Reading a conversation does not grow with its length either. Rasa reads every event of the
latest session and replays them into a new tracker at every message: at the 60th message of a
conversation that was the largest cost of the turn. This store keeps the tracker it saved (the
most recent conversations, without what no later turn reads: ``bot/kept_trackers.py``) with
the ids of the session's first and last stored events, and at the next message asks the
database only for the session's first and last ids now (two ends of an index): when nothing
changed the kept tracker is the answer; events another Rasa server stored meanwhile are read
and applied to it. It reads the session as Rasa does when anything else happened: the kept
tracker holds events it never saved (a turn that failed), the session's stored events were
deleted (an erasure, the retention), a new session started, or the model's domain changed. A
tracker whose save started a new session is not kept (Rasa's tracker then holds the previous
session too, which a read does not return): the next read keeps it. A new conversation's first
save is the exception: it holds no earlier session, so the store keeps what a read would
return (its events from the session's start on, their rows' ids known on PostgreSQL) and the
conversation's second message, the costliest after the first, reads no event.

Within one turn the conversation is read from the database once: the turn's first read
(``bot/repeated_messages.py`` looks for a message sent twice) is the answer to Rasa's own read
that follows it (``one_read_a_turn``). Both run under the conversation's lock, so nothing else
can change the conversation in between; the read saved was ~4 % of the Rasa server's CPU
(py-spy). A tracker the turn has changed since is read from the database, as before.

A turn's events go in as one ``INSERT`` (one round trip, where Rasa's ORM flush sends one
statement per event): on PostgreSQL the same statement, built once, for any number of events
(their columns as arrays); on SQLite a multi-row ``VALUES``. The save runs in a worker thread
(``bot/off_loop.py``): at 500 open conversations the Rasa server's event loop spent a fifth of
its time waiting for PostgreSQL, the save's transaction most of it (BENCHMARKS.md). Not for a
SQLite database in memory: each thread would have a database of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.kept_trackers import KeptTrackers, compact
from bot.off_loop import to_the_end
from bot.turn_recorder import record_new_events
from shop.clock import Clock, clock_from_env
from shop.store import prepared
from shop.store.db import BUSY_TIMEOUT_SECONDS, read_scope
from shop.store.learning import BotTurn
from shop.store.statements import run

# Conversations remembered at once (least recently used forgotten first): a forgotten one is
# only counted again, as Rasa does.
REMEMBERED_CONVERSATIONS = 10_000
# A turn's events are one INSERT; a save of more events than this (a tracker counted and saved
# whole) takes several (SQLite's older builds take 999 parameters a statement).
ROWS_A_STATEMENT = 150


MEMORY = (None, "", ":memory:")
# A turn's reads, built once (``shop.store.statements``).
_EVENTS = SQLTrackerStore.SQLEvent.__table__
_SESSION_ENDS = (
    sa.select(sa.func.min(_EVENTS.c.id), sa.func.max(_EVENTS.c.id))
    .where(_EVENTS.c.sender_id == sa.bindparam("sender_id"))
    .where(_EVENTS.c.id >= sa.bindparam("first_id"))
)
# Rasa's read of the latest session (``SQLTrackerStore._event_query``): the same filter and
# order, the two columns read.
_SESSION_START = (
    sa.select(sa.func.max(_EVENTS.c.timestamp).label("session_start"))
    .where(_EVENTS.c.sender_id == sa.bindparam("sender_id"))
    .where(_EVENTS.c.type_name == SessionStarted.type_name)
    .subquery()
).c.session_start
_LATEST_SESSION = (
    sa.select(_EVENTS.c.id, _EVENTS.c.data)
    .where(_EVENTS.c.sender_id == sa.bindparam("sender_id"))
    .where(sa.or_(_EVENTS.c.timestamp >= _SESSION_START, _SESSION_START.is_(None)))
    .order_by(_EVENTS.c.id)
)
_EVENTS_AFTER = (
    sa.select(_EVENTS.c.id, _EVENTS.c.type_name, _EVENTS.c.data)
    .where(_EVENTS.c.sender_id == sa.bindparam("sender_id"))
    .where(_EVENTS.c.id > sa.bindparam("last_id"))
    .order_by(_EVENTS.c.id)
)


# The task of the turn under way (``one_read_a_turn``) and the trackers it read, by
# conversation. A task started during the turn inherits the variable, not the turn's reads.
_TURN_READS: ContextVar[tuple[Any, dict[str, DialogueStateTracker | None]] | None] = ContextVar(
    "turn_reads", default=None
)


@contextlib.contextmanager
def one_read_a_turn() -> Iterator[None]:
    """Within it, reading a conversation again returns the tracker read first (the same
    object, or None) without asking the database, in the task that opened it. For one turn
    under the conversation's lock only: there, nothing else changes the conversation."""
    reads: dict[str, DialogueStateTracker | None] = {}
    token = _TURN_READS.set((asyncio.current_task(), reads))
    try:
        yield
    finally:
        reads.clear()
        _TURN_READS.reset(token)


def _turn_reads() -> dict[str, DialogueStateTracker | None] | None:
    """The reads of the turn under way, when this task is that turn's."""
    turn = _TURN_READS.get()
    if turn is None or turn[0] is not asyncio.current_task():
        return None
    return turn[1]


# A turn's events on PostgreSQL: one statement, whatever their number (a multi-row ``VALUES``
# is a new statement to compile for each number of rows: ~1 ms of a turn), in their order.
_EVENT_COLUMNS = ("type_name", "timestamp", "intent_name", "action_name", "data")
_INSERT_ARRAYS = sa.text(
    f"INSERT INTO {_EVENTS.fullname} (sender_id, {', '.join(_EVENT_COLUMNS)})"
    f" SELECT :sender_id, {', '.join(_EVENT_COLUMNS)} FROM unnest("
    "CAST(:type_names AS varchar[]), CAST(:timestamps AS double precision[]),"
    " CAST(:intent_names AS varchar[]), CAST(:action_names AS varchar[]),"
    " CAST(:datas AS text[])"
    f") WITH ORDINALITY AS new_event({', '.join(_EVENT_COLUMNS)}, position)"
    " ORDER BY position RETURNING id"
)


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


@dataclass
class Kept:
    """A tracker as this store saved or read it, and where its session lies in the table."""

    tracker: DialogueStateTracker
    domain: Domain | None  # the domain its slots come from
    first_id: int  # the session's first stored event (the conversation's: ``floor`` 0)
    last_id: int  # the latest stored event
    # The session's ends are asked from this id on (its first event's by default); 0 for a
    # tracker kept from a new conversation's first save, so that rows another server stored
    # before them (both saw the conversation empty) show as an earlier first event.
    floor: int | None = None


class CountFreeSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that knows how many events of a tracker it has stored."""

    engine: sa.engine.Engine  # Rasa's, replaced by a pooled one for a SQLite file

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prepared.install(self.engine)  # PostgreSQL: each statement parsed and planned once
        sqlite = self.engine.dialect.name == "sqlite"
        self._in_memory = sqlite and self.engine.url.database in MEMORY
        if sqlite and not self._in_memory:
            self._keep_sqlite_connections()
        BotTurn.__table__.create(self.engine, checkfirst=True)
        self.clock: Clock = clock_from_env()  # the turns' time (SHOP_NOW freezes it)
        self._stored: OrderedDict[str, tuple[int, Event | None]] = OrderedDict()
        self._kept: KeptTrackers[Kept] = KeptTrackers()

    def _keep_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens a new connection to a SQLite file for every session (its
        ``NullPool``), so each read and each save of a turn opened the file and parsed the
        schema again: a third of a save's time. The connections are kept in a pool instead,
        with the settings the rest of the product uses on the same file (a busy timeout, and
        in WAL mode no ``fsync`` at every commit: ``shop.store.db``)."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=sa.pool.QueuePool,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
        )
        sa.event.listen(self.engine, "connect", _sqlite_settings)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

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
        if fetch_events_from_all_sessions:  # the full history is only read, never kept
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        reads = _turn_reads()
        if reads is not None and sender_id in reads:
            read = reads[sender_id]
            if read is None or self.stored_events(read) == len(read.events):
                return read  # else the turn changed it since: read it from the database
        with self._reading() as session:
            tracker = self._kept_tracker(session, sender_id)
            if tracker is None:
                tracker = self._read_session(session, sender_id)
        # Rasa saves the latest session's tracker. No tracker means no event at all for this
        # conversation (a session's start is in its session).
        self._remember(sender_id, tracker.events if tracker is not None else [])
        if reads is not None:
            reads[sender_id] = tracker
        return tracker

    def _reading(self) -> contextlib.AbstractContextManager[sa.orm.Session]:
        """A session for a read: on PostgreSQL outside any transaction (each of its one or two
        statements is consistent on its own: the kept tracker's ends, then the events after the
        last one kept), so that the read costs no BEGIN and COMMIT round trips, which block the
        Rasa server's event loop like the statement itself (``shop.store.db.read_scope``, on a
        connection of the store's own pool). SQLite starts no transaction for a read anyway."""
        return read_scope(self.sessionmaker)

    def _read_session(self, session: Any, sender_id: str) -> DialogueStateTracker | None:
        """The latest session's tracker from its stored events, as Rasa reads it (kept)."""
        self._kept.pop(sender_id)
        rows = run(session, _LATEST_SESSION, sender_id=sender_id).all()
        if not self.domain or not rows:
            return None
        events = [json.loads(row.data) for row in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        compact(tracker.events)
        self._keep(Kept(tracker, self.domain, rows[0].id, rows[-1].id))
        return tracker

    def _kept_tracker(self, session: Any, sender_id: str) -> DialogueStateTracker | None:
        """The kept tracker brought up to date with the events stored since (None: read the
        session instead)."""
        kept = self._kept.get(sender_id)
        if kept is None or kept.domain is not self.domain:
            return None
        if self.stored_events(kept.tracker) != len(kept.tracker.events):
            return None  # events added since the save were never stored
        oldest, newest = run(
            session,
            _SESSION_ENDS,
            sender_id=sender_id,
            first_id=kept.first_id if kept.floor is None else kept.floor,
        ).one()
        if oldest != kept.first_id or newest is None or newest < kept.last_id:
            return None  # deleted (an erasure; the retention deletes the oldest first)
        if newest > kept.last_id:  # another Rasa server handled a turn meanwhile
            rows = run(session, _EVENTS_AFTER, sender_id=sender_id, last_id=kept.last_id).all()
            if any(row.type_name == SessionStarted.type_name for row in rows):
                return None  # a new session: read it as Rasa does
            compacted = len(kept.tracker.events)
            for event in deserialise_events([json.loads(row.data) for row in rows]):
                kept.tracker.update(event)
            compact(kept.tracker.events, compacted)
            kept.last_id = rows[-1].id
        self._keep(kept)
        return kept.tracker

    def _keep(self, kept: Kept) -> None:
        self._kept.keep(kept.tracker.sender_id, kept, len(kept.tracker.events))

    def _new_events(
        self, session: Any, tracker: DialogueStateTracker, stored: int | None
    ) -> list[Event]:
        """The tracker's events after the ``stored`` first ones (counted when unknown)."""
        if stored is None:
            return list(super()._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, stored, len(tracker.events)))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, the same rows in one transaction, learning the last new row's id."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        reads = _turn_reads()
        if reads is not None:
            reads.pop(sender_id, None)  # saved: a read after it asks the database again
        try:
            stored = self.stored_events(tracker)
            if self._in_memory:
                new, ids = self._write(tracker, stored)
            else:  # off the event loop: its round trips no longer hold up other conversations
                new, ids = await to_the_end(self._write, tracker, stored)
        except BaseException:
            self._stored.pop(sender_id, None)  # count next time
            self._kept.pop(sender_id)
            raise
        self._remember(sender_id, tracker.events)
        if stored == 0 and new and len(ids) == len(new):
            self._keep_first_session(tracker, new, ids)
        else:
            self._after_save(tracker, new, ids[-1] if ids else None)

    def _write(
        self, tracker: DialogueStateTracker, stored: int | None
    ) -> tuple[list[Event], list[int]]:
        """One transaction: the new events, and what the bot understood of the turn."""
        with self.session_scope() as session:
            new = self._new_events(session, tracker, stored)
            record_new_events(session, tracker.sender_id, new, self.clock)
            ids = self._insert(session, tracker.sender_id, new)
            session.commit()
        return new, ids

    def _insert(self, session: Any, sender_id: str, events: list[Event]) -> list[int]:
        """The events' rows, a statement for each ``ROWS_A_STATEMENT``: on PostgreSQL the new
        rows' ids in the events' order (a sequence numbers the rows as they are inserted), on
        SQLite the last one's id only."""
        ids: list[int] = []
        for start in range(0, len(events), ROWS_A_STATEMENT):
            rows = [self._row(sender_id, e) for e in events[start : start + ROWS_A_STATEMENT]]
            if self.engine.dialect.name == "postgresql":
                columns = {f"{name}s": [row[name] for row in rows] for name in _EVENT_COLUMNS}
                ids += sorted(
                    run(session, _INSERT_ARRAYS, sender_id=sender_id, **columns).scalars()
                )
            else:  # SQLite: the statement's last row
                ids = [int(run(session, sa.insert(_EVENTS).values(rows)).lastrowid)]
        return ids

    def _row(self, sender_id: str, event: Event) -> dict[str, Any]:
        """The table row Rasa's ``SQLTrackerStore.save`` writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _after_save(
        self, tracker: DialogueStateTracker, new: list[Event], last_id: int | None
    ) -> None:
        """The kept tracker, saved, stays kept with its new rows (a tracker read whole by
        this store is kept from its next read)."""
        kept = self._kept.get(tracker.sender_id)
        if (
            kept is None
            or kept.tracker is not tracker
            or any(isinstance(event, SessionStarted) for event in new)
        ):
            self._kept.pop(tracker.sender_id)
            return
        if last_id is not None:
            kept.last_id = last_id
        compact(tracker.events, len(tracker.events) - len(new))
        self._keep(kept)

    def _keep_first_session(
        self, tracker: DialogueStateTracker, new: list[Event], ids: list[int]
    ) -> None:
        """A conversation's first save (none of its events stored before, as far as this
        store knows; their rows' ids known): kept as the next read would return it, instead of
        read whole at the next message. Rasa reads the events from the latest session's start
        on (by timestamp: the ``action_session_start`` before it is left out), replayed into a
        new tracker. Its next read checks that the conversation's first row is still this
        save's first (``Kept.floor``).

        The saved tracker itself is no longer the one this store knows the rows of: saved
        again (no flow of Rasa's does it), its new events are counted in the database, as
        Rasa's own store counts them."""
        sender_id = tracker.sender_id
        if not self.domain:
            self._kept.pop(sender_id)
            return
        start = max((e.timestamp for e in new if isinstance(e, SessionStarted)), default=None)
        read = [
            (i, e) for i, e in zip(ids, new, strict=True) if start is None or e.timestamp >= start
        ]
        kept = DialogueStateTracker.from_events(
            sender_id, [event for _, event in read], self.domain.slots
        )
        compact(kept.events)
        self._remember(sender_id, kept.events)
        self._keep(Kept(kept, self.domain, ids[0], read[-1][0], floor=0))
