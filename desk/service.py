"""The desk's use cases: a shopper writes, the bot answers or hands over, an agent takes over.

Routers stay thin and call these methods. Every shopper message is stored *before* it is
relayed, so a Rasa outage never loses it. Database work runs in the thread pool (SQLite is
shared with Rasa's tracker store and may wait on its lock); one lock per conversation keeps
the turns of a conversation in order. After every change the notifier wakes the widget and
the console, which re-read the database.

When the database cannot store a shopper's message, the desk refuses it (``Unavailable``: 503
over HTTP, an ``unavailable`` error frame over the WebSocket) rather than keeping it somewhere
else: the widget clears its input only once the desk has stored the message, so the shopper's
text stays in the input, with a French explanation, until a retry succeeds. A second store on
disk would need its own replay, ordering and privacy rules for a case the shopper already sees.

When Rasa cannot be reached, the message stays stored with ``relayed=False``; the next message
of the conversation and the recovery task (``desk.recovery``) relay the waiting messages later,
oldest first, each claimed by a conditional UPDATE so that no desk process relays it twice. The
shopper is told once; if the bot stays away longer than ``bot_outage_handoff_s``, the
conversation goes to the agents' queue (reason ``bot_unavailable``).

Shopper satisfaction: a bot answer the bot offers for rating (a ``feedback`` request right after
it, see ``desk.relay``) asks when ``shop.store.feedback`` agrees (not twice in a row, not a topic
already rated); the notice closing a conversation an agent had claimed asks for a 1–5. ``rate``
stores the shopper's rating, or the comment that may follow it, once; a refusal stores nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import unicodedata
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from desk import handoff as notes
from desk.notifier import Notifier
from desk.relay import BotMessage, RasaClient, RasaUnavailable, intent_of_payload
from shop.clock import Clock
from shop.policy.profile import ShopProfile
from shop.privacy import audit
from shop.privacy.subject import erase_conversation
from shop.store import conversation_repository as repo
from shop.store import feedback as ratings
from shop.store.conversations import Conversation, ConversationMode, Message, MessageAuthor
from shop.store.db import DEFAULT_POOL_SIZE, read_scope, session_scope
from shop.store.learning import Doubt, Feedback, FeedbackKind, latest_turn_saying
from shop.voice import say, say_to_agent
from shop.waiting import until_done

T = TypeVar("T")

logger = logging.getLogger("desk.service")

MAX_SHOPPER_TEXT = 2000
MAX_AGENT_TEXT = 4000
MAX_COMMENT = 1000
ANSWER_SCORES = (-1, 1)  # 👎 / 👍
AGENT_SCORES = range(1, 6)
CONSOLE_KEY = "console"
BOT_UNAVAILABLE = "bot_unavailable"
FALLBACK_INTENT = "nlu_fallback"
# Rasa reads a message starting with "/" as an intent with entities: never from typed text.
_COMMAND_PREFIX = re.compile(r"^[\s/]+")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class InvalidMessage(ValueError):
    """A message the desk refuses; ``str()`` is the French explanation for the sender."""


class NotFound(LookupError):
    pass


class UnknownMessage(NotFound):
    """A message id that is not in the conversation; ``str()`` is French, for the shopper."""


class Conflict(Exception):
    """The conversation's state forbids the change; ``str()`` is French, for people."""


class Unavailable(Exception):
    """The database cannot be reached; ``str()`` is French, for the shopper."""


NOT_STORED = say("message.not_stored")
# What a database outage looks like (connection refused, file gone, disk full, pool exhausted).
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def printable(text: str) -> str:
    """The text without control characters (line breaks and tabs kept), trimmed."""
    return "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char)[0] != "C"
    ).strip()


def clean_text(text: Any, limit: int) -> str:
    """Printable text only (no control characters), trimmed; refuses empty or too long text."""
    if not isinstance(text, str):
        raise InvalidMessage(say("message.not_text"))
    kept = printable(text)
    if not kept:
        raise InvalidMessage(say("message.empty"))
    if len(kept) > limit:
        raise InvalidMessage(say("message.too_long", length=len(kept), limit=limit))
    return kept


def as_plain_text(text: str) -> str:
    """Typed text as the bot must read it: words, never a Rasa command (``/restart``,
    ``/track_order{...}``); only a button the bot offered is sent as an intent."""
    return _COMMAND_PREFIX.sub("", text) or "?"


def valid_conversation_id(conversation_id: str) -> bool:
    return bool(_CONVERSATION_ID.match(conversation_id))


def _message_view(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author.value,
        "text": message.text,
        "buttons": list(message.buttons or []),
        "created_at": message.created_at.isoformat(),
    }


def public_message(message: Message, rating: Feedback | None = None) -> dict[str, Any]:
    """A message as the shopper's widget may see it (no intent, no agent username), with
    whether it asks for a rating and the rating given (``feedback``: None when not asked)."""
    feedback = None
    if message.feedback_topic:
        feedback = {
            "kind": (
                FeedbackKind.AGENT
                if message.author == MessageAuthor.SYSTEM
                else FeedbackKind.ANSWER
            ).value,
            "given": rating is not None,
            "score": rating.score if rating is not None else None,
            "commented": bool(rating is not None and rating.comment),
        }
    return {**_message_view(message), "feedback": feedback}


def agent_message(message: Message) -> dict[str, Any]:
    """A message as agents see it: with what the bot understood."""
    return {
        **_message_view(message),
        "agent": message.agent_username,
        "intent": message.intent,
        "confidence": message.confidence,
        "relayed": message.relayed,
    }


ALREADY_RATED = say("rating.already_rated")


@dataclass(frozen=True)
class RatingRequest:
    """A shopper's rating as the widget sends it, checked before anything is read or stored."""

    kind: FeedbackKind
    message_id: int | None  # the bot answer rated (answers only)
    score: int | None  # None: a comment completing an earlier rating
    comment: str | None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> RatingRequest:
        """``InvalidMessage`` (French) for anything the widget would never send."""
        try:
            kind = FeedbackKind(body.get("kind", FeedbackKind.ANSWER.value))
        except ValueError as error:
            raise InvalidMessage(say("rating.unknown_kind")) from error
        message_id = body.get("message_id") if kind == FeedbackKind.ANSWER else None
        if kind == FeedbackKind.ANSWER and not (
            isinstance(message_id, int) and _whole(message_id) and 0 < message_id < 2**62
        ):
            raise InvalidMessage(say("rating.which_answer"))
        score = body.get("score")
        scale = ANSWER_SCORES if kind == FeedbackKind.ANSWER else AGENT_SCORES
        if score is not None and not (_whole(score) and score in scale):
            raise InvalidMessage(
                say("rating.answer_scale")
                if kind == FeedbackKind.ANSWER
                else say("rating.agent_scale")
            )
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise InvalidMessage(say("rating.comment_not_text"))
        comment = printable(comment) if comment else None
        if comment and len(comment) > MAX_COMMENT:
            raise InvalidMessage(
                say("rating.comment_too_long", length=len(comment), limit=MAX_COMMENT)
            )
        if score is None and not comment:
            raise InvalidMessage(say("rating.nothing_given"))
        return cls(kind, message_id, score, comment or None)


@dataclass(frozen=True)
class Claimed:
    """A shopper message this desk process has claimed for relaying, as the bot reads it."""

    message_id: int
    text: str
    more: bool  # other messages wait behind it


def understood(
    session: Session, conversation_id: str, sent: str
) -> tuple[str | None, float | None]:
    """What the NLU understood of the message just relayed (best effort), for the agents: a
    button's intent, else the turn the Rasa server recorded (``nlu_fallback`` when the bot
    fell back, as Rasa's tracker says)."""
    payload_intent = intent_of_payload(sent)
    if payload_intent is not None:
        return payload_intent, 1.0
    turn = latest_turn_saying(session, conversation_id, sent)
    if turn is None:
        return None, None
    if turn.doubt == Doubt.FALLBACK.value:
        return FALLBACK_INTENT, None
    return turn.intent, turn.confidence


def _found(conversation_id: str, read: Callable[[], T | None]) -> T:
    """What ``read`` finds of a conversation; ``NotFound`` for an unknown or malformed id (a
    malformed one is never looked up)."""
    found = read() if valid_conversation_id(conversation_id) else None
    if found is None:
        raise NotFound(conversation_id)
    return found


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class DeskService:
    sessions: sessionmaker
    clock: Clock
    profile: ShopProfile
    relay: RasaClient
    notifier: Notifier
    bot_outage_handoff_s: float = 120.0
    # The shoppers' and agents' transactions (``db``) run at once, each in a worker thread, no
    # more than the engine's pool keeps connections for (``DESK_DB_POOL_SIZE``): the others
    # wait here, not in a thread for a connection opened for them and closed after
    # (``shop.store.db.make_engine``). A transaction whose caller is cancelled keeps its slot
    # until its thread ends.
    db_concurrency: int = DEFAULT_POOL_SIZE

    def __post_init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._db_slots = asyncio.Semaphore(self.db_concurrency)
        # Their threads: handed each transaction directly (the thread pool FastAPI runs plain
        # functions in spent more of a desk's CPU on its own bookkeeping, BENCHMARKS.md).
        self._db_threads = ThreadPoolExecutor(self.db_concurrency, thread_name_prefix="desk-db")
        self.typing: set[str] = set()

    # --- plumbing --------------------------------------------------------------------------

    def _tx(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.sessions) as session:
            return work(session)

    def _read(self, work: Callable[[Session], T]) -> T:
        with read_scope(self.sessions) as session:
            return work(session)

    async def db(self, work: Callable[[Session], T], *, only_reads: bool = False) -> T:
        """Run ``work`` in one transaction (``only_reads``: outside any, ``read_scope``);
        ``Unavailable`` when the database is down."""
        scope = self._read if only_reads else self._tx
        try:
            async with self._db_slots:
                in_context = contextvars.copy_context().run  # as the caller sees them
                running = asyncio.get_running_loop().run_in_executor(
                    self._db_threads, in_context, scope, work
                )
                try:
                    return await asyncio.shield(running)
                except asyncio.CancelledError:
                    await until_done(running)  # its slot is free when its thread is
                    if not running.cancelled():
                        running.exception()  # a failure after the cancel: nobody to tell
                    raise
        except DATABASE_DOWN as error:
            logger.error("database unavailable: %s", type(error).__name__)
            raise Unavailable(NOT_STORED) from error

    def _lock(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    def _changed(self, conversation_id: str) -> None:
        self.notifier.notify(conversation_id)
        self.notifier.notify(CONSOLE_KEY)

    def _conversation(self, session: Session, conversation_id: str) -> Conversation:
        return _found(conversation_id, lambda: repo.get_conversation(session, conversation_id))

    def _mode(self, session: Session, conversation_id: str) -> ConversationMode:
        """The conversation's mode, without loading it (the shopper's turn reads only that)."""
        return _found(conversation_id, lambda: repo.mode_of(session, conversation_id))

    # --- shopper side ----------------------------------------------------------------------

    async def start_conversation(self) -> str:
        return await self.db(lambda s: str(repo.create_conversation(s, self.clock.now()).id))

    async def history(
        self, conversation_id: str, after: int = 0
    ) -> tuple[str, list[dict[str, Any]]]:
        """The conversation's mode and its messages after ``after`` (shopper's view)."""

        def read(session: Session) -> tuple[str, list[dict[str, Any]]]:
            mode = self._mode(session, conversation_id)
            messages = repo.message_rows_after(session, conversation_id, after)
            given = (
                ratings.ratings_by_message(session, conversation_id)
                if any(m.feedback_topic for m in messages)
                else {}
            )
            return mode.value, [public_message(m, given.get(m.id)) for m in messages]

        return await self.db(read, only_reads=True)

    async def erase_for_shopper(self, conversation_id: str) -> None:
        """Erase the conversation's transcript and Rasa's events and end it, audited; under the
        conversation's lock, so no turn is half-written. ``NotFound`` for an unknown id."""

        def erase(session: Session) -> None:
            self._conversation(session, conversation_id)
            now = self.clock.now()
            counts = erase_conversation(session, conversation_id, now).as_dict()
            audit.record(session, "shopper", audit.ERASE_CONVERSATION, conversation_id, now, counts)

        async with self._lock(conversation_id):
            await self.db(erase)
        self._changed(conversation_id)

    async def rate(self, conversation_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store the shopper's rating of a bot answer that asked for one (``message_id``,
        score 1 or -1) or, once an agent closed the conversation, of the agent (``kind``
        "agent", score 1–5), with an optional comment; a comment alone completes the rating
        once (after a 👎 for an answer). Returns the message's ``feedback`` view. A refusal
        stores nothing: ``InvalidMessage`` (422), ``NotFound`` (404), ``Conflict`` (409)."""
        request = RatingRequest.parse(body)

        def store(session: Session) -> dict[str, Any]:
            conversation = self._conversation(session, conversation_id)
            if request.kind == FeedbackKind.AGENT:
                message = self._agent_rating_request(session, conversation)
            else:
                message = self._rated_answer(session, conversation_id, request.message_id)
            rating = ratings.rating_of_message(session, int(message.id))
            if rating is None:
                rating = self._first_rating(session, message, request)
            else:
                self._complete_rating(session, rating, request)
            return dict(public_message(message, rating)["feedback"])

        async with self._lock(conversation_id):
            view = await self.db(store)
        self._changed(conversation_id)
        return view

    def _rated_answer(
        self, session: Session, conversation_id: str, message_id: int | None
    ) -> Message:
        message = session.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id:
            raise UnknownMessage(say("rating.unknown_message"))
        if message.author != MessageAuthor.BOT or not message.feedback_topic:
            raise Conflict(say("rating.not_asked"))
        return message

    def _agent_rating_request(self, session: Session, conversation: Conversation) -> Message:
        if conversation.mode != ConversationMode.CLOSED:
            raise Conflict(say("rating.agent_after_close"))
        notice = ratings.agent_rating_request(session, str(conversation.id))
        if notice is None:
            raise Conflict(say("rating.no_agent"))
        return notice

    def _first_rating(self, session: Session, message: Message, request: RatingRequest) -> Feedback:
        if request.score is None:
            raise InvalidMessage(say("rating.score_first"))
        topic = str(message.feedback_topic)
        if request.kind == FeedbackKind.ANSWER and ratings.topic_rated(
            session, str(message.conversation_id), topic
        ):
            raise Conflict(ALREADY_RATED)
        try:
            return ratings.add_rating(
                session, message, request.kind, request.score, request.comment, self.clock.now()
            )
        except ratings.RatingExists as error:
            raise Conflict(ALREADY_RATED) from error

    def _complete_rating(self, session: Session, rating: Feedback, request: RatingRequest) -> None:
        """A comment after the rating: once, and after a 👎 only for an answer."""
        if request.comment is None or request.score not in (None, rating.score):
            raise Conflict(ALREADY_RATED)
        if rating.kind == FeedbackKind.ANSWER.value and rating.score != -1:
            raise Conflict(say("rating.comment_after_thumbs_down"))
        if not ratings.add_comment(session, rating, request.comment):
            raise Conflict(say("rating.already_commented"))

    async def mode_of(self, conversation_id: str) -> str:
        """The conversation's mode; ``NotFound`` for an unknown or malformed id."""
        return await self.db(lambda s: self._mode(s, conversation_id).value, only_reads=True)

    async def shopper_says(
        self, conversation_id: str, text: Any, payload: Any = None, *, read_turn: bool = True
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """Store the shopper's message, relay it to the bot when the bot has the conversation.

        Returns the conversation's mode after the turn and the new messages of this turn (the
        shopper's own first), shopper's view, read together; with ``read_turn`` False (a
        WebSocket, whose push sends every new message), nothing (None, []). The mode is None
        when the database could not tell it after storing the message.
        """
        cleaned = clean_text(text, MAX_SHOPPER_TEXT)
        async with self._lock(conversation_id):

            def store(session: Session) -> tuple[dict[str, Any], Claimed | None]:
                mode = self._mode(session, conversation_id)
                if mode == ConversationMode.CLOSED:
                    raise Conflict(say("message.conversation_over"))
                offered = isinstance(payload, str) and payload in repo.offered_payloads(
                    session, conversation_id
                )
                relays = mode == ConversationMode.BOT
                message = repo.add_message(
                    session,
                    conversation_id,
                    MessageAuthor.SHOPPER,
                    cleaned,
                    self.clock.now(),
                    payload=payload if offered else None,
                    relayed=False if relays else None,
                )
                # Claimed in the same transaction: oldest first, this one when none waits.
                claimed = self._claim_next(session, conversation_id, mode) if relays else None
                return public_message(message), claimed

            stored, claimed = await self.db(store)
            self._changed(conversation_id)
            try:
                if claimed is not None:
                    await self._relay_waiting(conversation_id, claimed)
                if not read_turn:
                    return None, []
                return await self.history(conversation_id, int(stored["id"]) - 1)
            except Unavailable:
                # Stored: only the bot's answer is late (the recovery task relays it).
                return None, [stored]

    async def retry_relay(self, conversation_id: str, bot_down: bool = False) -> bool:
        """Relay the conversation's waiting messages (recovery task); False if Rasa is down.

        With ``bot_down`` (Rasa just failed for another conversation) nothing is sent: only
        the outage's handoff is checked.
        """
        async with self._lock(conversation_id):
            if bot_down:
                if await self.db(lambda s: self._bot_unreachable(s, conversation_id)):
                    self._changed(conversation_id)
                return False
            return await self._relay_waiting(conversation_id)

    async def _relay_waiting(self, conversation_id: str, claimed: Claimed | None = None) -> bool:
        """Relay every message the bot has not received, oldest first (lock held), starting
        with ``claimed`` when the caller claimed it; stops at the first failure so that the
        bot never reads them out of order. Each message is claimed in the transaction that
        stored the previous answer (or the shopper's message): one transaction per turn."""
        if claimed is None:
            claimed = await self.db(
                lambda s: self._claim_next(s, conversation_id, self._mode(s, conversation_id))
            )
        while claimed is not None:
            relayed, claimed = await self._relay(conversation_id, claimed)
            if not relayed:
                return False
        return True

    def _claim_next(
        self, session: Session, conversation_id: str, mode: ConversationMode
    ) -> Claimed | None:
        """The oldest message the bot has not received, claimed for relaying by a conditional
        UPDATE; None when none is left, the bot no longer has the conversation, or another
        desk process has the oldest or an earlier message in flight (it relays the rest in
        order; the recovery pass picks up any it leaves)."""
        if mode != ConversationMode.BOT:
            return None
        waiting = repo.unrelayed_messages(session, conversation_id)
        if not waiting or not repo.claim_relay(session, conversation_id, int(waiting[0].id)):
            return None
        text = waiting[0].payload or as_plain_text(waiting[0].text)
        return Claimed(int(waiting[0].id), text, more=len(waiting) > 1)

    async def _relay(self, conversation_id: str, claimed: Claimed) -> tuple[bool, Claimed | None]:
        """Send one claimed message and store the answers, claiming the next waiting message
        (if any waited) in the same transaction; on failure give it back and tell the shopper
        (once)."""
        self.typing.add(conversation_id)
        self.notifier.notify_typing(conversation_id)
        try:
            try:
                answers = await self.relay.send(
                    conversation_id, claimed.text, message_id=claimed.message_id
                )
                if not any(answer.shows_something for answer in answers):
                    # Rasa took the message but answered nothing: its action server or its
                    # lock store failed mid-turn. Every message of ours gets an answer, so
                    # this one waits for the next try like a message Rasa missed.
                    raise RasaUnavailable("no answer")
            except RasaUnavailable:

                def give_back(session: Session) -> None:
                    repo.release_relay(session, claimed.message_id)
                    self._bot_unreachable(session, conversation_id)

                await self.db(give_back)
                return False, None

            def store(session: Session) -> Claimed | None:
                self._store_answers(session, conversation_id, claimed, answers)
                if not claimed.more:
                    return None
                # Read after the answers: one of them may have handed the conversation over.
                return self._claim_next(
                    session, conversation_id, self._mode(session, conversation_id)
                )

            return True, await self.db(store)
        finally:
            self.typing.discard(conversation_id)
            self._changed(conversation_id)

    def _bot_unreachable(self, session: Session, conversation_id: str) -> bool:
        """Rasa is down for this conversation: tell the shopper once, and after
        ``bot_outage_handoff_s`` put the conversation in the agents' queue; True when the
        conversation changed."""
        conversation = self._conversation(session, conversation_id)
        waiting = repo.unrelayed_messages(session, conversation_id)
        if conversation.mode != ConversationMode.BOT or not waiting:
            return False
        now = self.clock.now()
        if now - waiting[0].created_at >= timedelta(seconds=self.bot_outage_handoff_s):
            plan = notes.plan_handoff(session, {"reason": BOT_UNAVAILABLE}, self.profile, now)
            repo.open_handoff(
                session,
                conversation,
                reason=plan.reason,
                note=plan.note,
                ticket_number=None,
                priority=plan.priority,
                now=now,
                due_at=plan.due_at,
            )
            notice = notes.bot_unavailable_notice(self.profile, now, plan.due_at)
            repo.add_message(session, conversation_id, MessageAuthor.SYSTEM, notice, now)
            return True
        notice = notes.rasa_down_notice(self.profile)
        told = repo.messages_after(session, conversation_id, int(waiting[0].id))
        if any(m.author == MessageAuthor.SYSTEM and m.text == notice for m in told):
            return False
        repo.add_message(session, conversation_id, MessageAuthor.SYSTEM, notice, now)
        return True

    def _store_answers(
        self,
        session: Session,
        conversation_id: str,
        claimed: Claimed,
        answers: list[BotMessage],
    ) -> None:
        """Store the bot's answers to the claimed message (and the handoff one asks for)."""
        intent, confidence = understood(session, conversation_id, claimed.text)
        repo.mark_relayed(session, claimed.message_id, True, intent, confidence)
        now = self.clock.now()
        latest: Message | None = None  # the bot message a request for a rating is about
        for answer in answers:
            if answer.text or answer.buttons:
                latest = repo.add_message(
                    session,
                    conversation_id,
                    MessageAuthor.BOT,
                    answer.text,
                    now,
                    buttons=list(answer.buttons),
                )
            topic = answer.feedback_topic
            if topic is not None and latest is not None:
                ratings.ask_if_due(session, latest, topic)
            raw = answer.handoff
            if raw is not None and repo.open_handoff_of(session, conversation_id) is None:
                plan = notes.plan_handoff(session, raw, self.profile, now)
                conversation = self._conversation(session, conversation_id)
                repo.open_handoff(
                    session,
                    conversation,
                    reason=plan.reason,
                    note=plan.note,
                    ticket_number=plan.ticket_number,
                    priority=plan.priority,
                    now=now,
                    due_at=plan.due_at,
                )
                notice = notes.shopper_notice(self.profile, now, plan.ticket_number, plan.due_at)
                repo.add_message(session, conversation_id, MessageAuthor.SYSTEM, notice, now)

    # --- agent side ------------------------------------------------------------------------

    async def agent_reply(
        self, conversation_id: str, username: str, display_name: str, text: Any
    ) -> None:
        cleaned = clean_text(text, MAX_AGENT_TEXT)

        def reply(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            self._require_holder(session, conversation, username, display_name)
            repo.add_message(
                session,
                conversation_id,
                MessageAuthor.AGENT,
                cleaned,
                self.clock.now(),
                agent_username=username,
            )

        await self.db(reply)
        self._changed(conversation_id)

    def _require_holder(
        self, session: Session, conversation: Conversation, username: str, display_name: str
    ) -> None:
        """The agent must hold the conversation; an unclaimed one is claimed on the way."""
        if conversation.mode == ConversationMode.CLOSED:
            raise Conflict(say_to_agent("console.conversation_closed"))
        if conversation.mode == ConversationMode.AGENT and conversation.assignee == username:
            return
        if conversation.mode == ConversationMode.BOT:
            raise Conflict(say_to_agent("console.bot_has_conversation"))
        self._claim(session, conversation, username, display_name)

    def _claim(
        self, session: Session, conversation: Conversation, username: str, display_name: str
    ) -> None:
        try:
            repo.claim(session, conversation, username, self.clock.now())
        except repo.ConversationError as error:
            raise Conflict(say_to_agent("console.taken_by_another")) from error
        repo.add_message(
            session,
            str(conversation.id),
            MessageAuthor.SYSTEM,
            notes.agent_joined_notice(display_name),
            self.clock.now(),
        )

    async def claim(self, conversation_id: str, username: str, display_name: str) -> None:
        def take(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            if conversation.mode == ConversationMode.AGENT and conversation.assignee == username:
                return
            if conversation.mode not in (ConversationMode.WAITING_AGENT, ConversationMode.AGENT):
                raise Conflict(say_to_agent("console.not_waiting_for_agent"))
            self._claim(session, conversation, username, display_name)

        await self.db(take)
        self._changed(conversation_id)

    async def hand_back(self, conversation_id: str, username: str) -> None:
        """The bot answers again: Rasa resumes first, then the desk switches the mode."""

        def check(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            if conversation.mode not in (ConversationMode.AGENT, ConversationMode.WAITING_AGENT):
                raise Conflict(say_to_agent("console.not_with_an_agent"))
            if conversation.mode == ConversationMode.AGENT and conversation.assignee != username:
                raise Conflict(say_to_agent("console.held_by_another"))

        async with self._lock(conversation_id):
            await self.db(check)
            try:
                await self.relay.resume(conversation_id)
            except RasaUnavailable as error:
                raise Conflict(say_to_agent("console.bot_not_answering")) from error

            def switch(session: Session) -> None:
                conversation = self._conversation(session, conversation_id)
                self._finish(
                    session, conversation, username, repo.HANDED_BACK, ConversationMode.BOT
                )
                repo.skip_unrelayed(session, conversation_id)  # the agent read them instead
                repo.add_message(
                    session,
                    conversation_id,
                    MessageAuthor.SYSTEM,
                    notes.HANDED_BACK_NOTICE,
                    self.clock.now(),
                )

            await self.db(switch)
        self._changed(conversation_id)

    async def close(self, conversation_id: str, username: str, outcome: str) -> None:
        if outcome not in notes.OUTCOMES:
            raise InvalidMessage(say_to_agent("console.choose_outcome"))

        def finish(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            if conversation.mode == ConversationMode.CLOSED:
                raise Conflict(say_to_agent("console.conversation_already_closed"))
            handoff = repo.open_handoff_of(session, conversation_id)
            helped_by_agent = handoff is not None and handoff.claimed_by is not None
            self._finish(session, conversation, username, outcome, ConversationMode.CLOSED)
            notice = repo.add_message(
                session,
                conversation_id,
                MessageAuthor.SYSTEM,
                notes.CLOSED_NOTICE,
                self.clock.now(),
            )
            if helped_by_agent and handoff is not None:
                ratings.mark_asking(session, notice, str(handoff.reason))  # the agent's 1–5

        await self.db(finish)
        self._changed(conversation_id)

    def _finish(
        self,
        session: Session,
        conversation: Conversation,
        username: str,
        outcome: str,
        mode: ConversationMode,
    ) -> None:
        try:
            repo.finish_handoff(session, conversation, username, outcome, self.clock.now(), mode)
        except repo.ConversationError as error:
            raise Conflict(say_to_agent("console.held_by_another")) from error

    async def add_note(self, conversation_id: str, username: str, text: Any) -> None:
        cleaned = clean_text(text, MAX_AGENT_TEXT)

        def write(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            repo.add_note(session, conversation, username, cleaned, self.clock.now())

        await self.db(write)
        self.notifier.notify(CONSOLE_KEY)
