"""The desk's use cases: a shopper writes, the bot answers or hands over, an agent takes over.

Routers stay thin and call these methods. Every shopper message is stored *before* it is
relayed, so a Rasa outage never loses it. Database work runs in the thread pool (SQLite is
shared with Rasa's tracker store and may wait on its lock); one lock per conversation keeps
the turns of a conversation in order. After every change the notifier wakes the widget and
the console, which re-read the database.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
import weakref
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from desk import handoff as notes
from desk.notifier import Notifier
from desk.relay import BotMessage, RasaClient, RasaUnavailable
from shop.clock import Clock
from shop.policy.profile import ShopProfile
from shop.store import conversation_repository as repo
from shop.store.conversations import Conversation, ConversationMode, Message, MessageAuthor
from shop.store.db import session_scope

T = TypeVar("T")

MAX_SHOPPER_TEXT = 2000
MAX_AGENT_TEXT = 4000
CONSOLE_KEY = "console"
# Rasa reads a message starting with "/" as an intent with entities: never from typed text.
_COMMAND_PREFIX = re.compile(r"^[\s/]+")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class InvalidMessage(ValueError):
    """A message the desk refuses; ``str()`` is the French explanation for the sender."""


class NotFound(LookupError):
    pass


class Conflict(Exception):
    """The conversation's state forbids the change; ``str()`` is French, for people."""


def clean_text(text: Any, limit: int) -> str:
    """Printable text only (no control characters), trimmed; refuses empty or too long text."""
    if not isinstance(text, str):
        raise InvalidMessage("Le message doit être du texte.")
    kept = "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char)[0] != "C"
    ).strip()
    if not kept:
        raise InvalidMessage("Votre message est vide.")
    if len(kept) > limit:
        raise InvalidMessage(
            f"Votre message est trop long ({len(kept)} caractères) : "
            f"{limit} caractères au maximum, merci de le raccourcir."
        )
    return kept


def as_plain_text(text: str) -> str:
    """Typed text as the bot must read it: words, never a Rasa command (``/restart``,
    ``/track_order{...}``); only a button the bot offered is sent as an intent."""
    return _COMMAND_PREFIX.sub("", text) or "?"


def valid_conversation_id(conversation_id: str) -> bool:
    return bool(_CONVERSATION_ID.match(conversation_id))


def public_message(message: Message) -> dict[str, Any]:
    """A message as the shopper's widget may see it (no intent, no agent username)."""
    return {
        "id": message.id,
        "author": message.author.value,
        "text": message.text,
        "buttons": list(message.buttons or []),
        "created_at": message.created_at.isoformat(),
    }


def agent_message(message: Message) -> dict[str, Any]:
    """A message as agents see it: with what the bot understood."""
    return {
        **public_message(message),
        "agent": message.agent_username,
        "intent": message.intent,
        "confidence": message.confidence,
        "relayed": message.relayed,
    }


@dataclass
class DeskService:
    sessions: sessionmaker
    clock: Clock
    profile: ShopProfile
    relay: RasaClient
    notifier: Notifier

    def __post_init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.typing: set[str] = set()

    # --- plumbing --------------------------------------------------------------------------

    def _tx(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.sessions) as session:
            return work(session)

    async def db(self, work: Callable[[Session], T]) -> T:
        return await run_in_threadpool(self._tx, work)

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
        conversation = (
            repo.get_conversation(session, conversation_id)
            if valid_conversation_id(conversation_id)
            else None
        )
        if conversation is None:
            raise NotFound(conversation_id)
        return conversation

    # --- shopper side ----------------------------------------------------------------------

    async def start_conversation(self) -> str:
        return await self.db(lambda s: str(repo.create_conversation(s, self.clock.now()).id))

    async def history(
        self, conversation_id: str, after: int = 0
    ) -> tuple[str, list[dict[str, Any]]]:
        """The conversation's mode and its messages after ``after`` (shopper's view)."""

        def read(session: Session) -> tuple[str, list[dict[str, Any]]]:
            conversation = self._conversation(session, conversation_id)
            messages = repo.messages_after(session, conversation_id, after)
            return conversation.mode.value, [public_message(m) for m in messages]

        return await self.db(read)

    async def mode_of(self, conversation_id: str) -> str:
        """The conversation's mode; ``NotFound`` for an unknown or malformed id."""
        return await self.db(lambda s: self._conversation(s, conversation_id).mode.value)

    async def shopper_says(
        self, conversation_id: str, text: Any, payload: Any = None
    ) -> list[dict[str, Any]]:
        """Store the shopper's message, relay it to the bot when the bot has the conversation.

        Returns the new messages of this turn (the shopper's own first), shopper's view.
        """
        cleaned = clean_text(text, MAX_SHOPPER_TEXT)
        async with self._lock(conversation_id):

            def store(session: Session) -> tuple[int, str, str | None]:
                conversation = self._conversation(session, conversation_id)
                if conversation.mode == ConversationMode.CLOSED:
                    raise Conflict("Cette conversation est terminée.")
                offered = isinstance(payload, str) and payload in repo.offered_payloads(
                    session, conversation_id
                )
                button = payload if offered else None
                relays = conversation.mode == ConversationMode.BOT
                message = repo.add_message(
                    session,
                    conversation,
                    MessageAuthor.SHOPPER,
                    cleaned,
                    self.clock.now(),
                    payload=button,
                    relayed=False if relays else None,
                )
                return int(message.id), conversation.mode.value, button

            message_id, mode, button = await self.db(store)
            self._changed(conversation_id)
            if mode == ConversationMode.BOT.value:
                await self._relay(conversation_id, message_id, button or as_plain_text(cleaned))
        _, messages = await self.history(conversation_id, message_id - 1)
        return messages

    async def _relay(self, conversation_id: str, message_id: int, text: str) -> None:
        self.typing.add(conversation_id)
        self.notifier.notify(conversation_id)
        try:
            try:
                answers = await self.relay.send(conversation_id, text)
            except RasaUnavailable:
                notice = notes.rasa_down_notice(self.profile)
                await self.db(lambda s: self._system(s, conversation_id, notice))
                return
            intent, confidence = await self.relay.latest_intent(conversation_id)
            await self.db(
                lambda s: self._store_answers(
                    s, conversation_id, message_id, answers, intent, confidence
                )
            )
        finally:
            self.typing.discard(conversation_id)
            self._changed(conversation_id)

    def _system(self, session: Session, conversation_id: str, text: str) -> None:
        conversation = self._conversation(session, conversation_id)
        repo.add_message(session, conversation, MessageAuthor.SYSTEM, text, self.clock.now())

    def _store_answers(
        self,
        session: Session,
        conversation_id: str,
        message_id: int,
        answers: list[BotMessage],
        intent: str | None,
        confidence: float | None,
    ) -> None:
        conversation = self._conversation(session, conversation_id)
        repo.mark_relayed(session, message_id, True, intent, confidence)
        now = self.clock.now()
        for answer in answers:
            if answer.text or answer.buttons:
                repo.add_message(
                    session,
                    conversation,
                    MessageAuthor.BOT,
                    answer.text,
                    now,
                    buttons=list(answer.buttons),
                )
            raw = answer.handoff
            if raw is not None and repo.open_handoff_of(session, conversation_id) is None:
                plan = notes.plan_handoff(session, raw, self.profile, now)
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
                repo.add_message(session, conversation, MessageAuthor.SYSTEM, notice, now)

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
                conversation,
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
            raise Conflict("Cette conversation est close.")
        if conversation.mode == ConversationMode.AGENT and conversation.assignee == username:
            return
        if conversation.mode == ConversationMode.BOT:
            raise Conflict(
                "L'assistant a cette conversation : attendez un transfert pour y répondre."
            )
        self._claim(session, conversation, username, display_name)

    def _claim(
        self, session: Session, conversation: Conversation, username: str, display_name: str
    ) -> None:
        try:
            repo.claim(session, conversation, username, self.clock.now())
        except repo.ConversationError as error:
            raise Conflict("Un autre conseiller a déjà pris cette conversation.") from error
        repo.add_message(
            session,
            conversation,
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
                raise Conflict("Cette conversation n'attend pas de conseiller.")
            self._claim(session, conversation, username, display_name)

        await self.db(take)
        self._changed(conversation_id)

    async def hand_back(self, conversation_id: str, username: str) -> None:
        """The bot answers again: Rasa resumes first, then the desk switches the mode."""

        def check(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            if conversation.mode not in (ConversationMode.AGENT, ConversationMode.WAITING_AGENT):
                raise Conflict("Cette conversation n'est pas entre les mains d'un conseiller.")
            if conversation.mode == ConversationMode.AGENT and conversation.assignee != username:
                raise Conflict("Un autre conseiller a cette conversation.")

        async with self._lock(conversation_id):
            await self.db(check)
            try:
                await self.relay.resume(conversation_id)
            except RasaUnavailable as error:
                raise Conflict(
                    "L'assistant ne répond pas : la conversation reste avec vous. Réessayez "
                    "dans un instant."
                ) from error

            def switch(session: Session) -> None:
                conversation = self._conversation(session, conversation_id)
                self._finish(
                    session, conversation, username, repo.HANDED_BACK, ConversationMode.BOT
                )
                repo.add_message(
                    session,
                    conversation,
                    MessageAuthor.SYSTEM,
                    notes.HANDED_BACK_NOTICE,
                    self.clock.now(),
                )

            await self.db(switch)
        self._changed(conversation_id)

    async def close(self, conversation_id: str, username: str, outcome: str) -> None:
        if outcome not in notes.OUTCOMES:
            raise InvalidMessage("Choisissez une issue dans la liste.")

        def finish(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            if conversation.mode == ConversationMode.CLOSED:
                raise Conflict("Cette conversation est déjà close.")
            self._finish(session, conversation, username, outcome, ConversationMode.CLOSED)
            repo.add_message(
                session, conversation, MessageAuthor.SYSTEM, notes.CLOSED_NOTICE, self.clock.now()
            )

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
            raise Conflict("Un autre conseiller a cette conversation.") from error

    async def add_note(self, conversation_id: str, username: str, text: Any) -> None:
        cleaned = clean_text(text, MAX_AGENT_TEXT)

        def write(session: Session) -> None:
            conversation = self._conversation(session, conversation_id)
            repo.add_note(session, conversation, username, cleaned, self.clock.now())

        await self.db(write)
        self.notifier.notify(CONSOLE_KEY)
