"""Desk conversations written straight into a test's database: a shopper's lines with the bot's
answers, and a conversation put in the agents' queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker

from devtools.servers import FROZEN_NOW
from shop.store import conversation_repository as repo
from shop.store.conversations import MessageAuthor
from shop.store.db import session_scope


def desk_conversation(
    sessions: sessionmaker, *texts: str, at: datetime = FROZEN_NOW, answer: str = "Merci."
) -> str:
    """A new conversation where the shopper wrote each of ``texts`` and the bot answered."""
    with session_scope(sessions) as session:
        conversation = repo.create_conversation(session, at)
        for text in texts:
            repo.add_message(session, conversation.id, MessageAuthor.SHOPPER, text, at)
            repo.add_message(session, conversation.id, MessageAuthor.BOT, answer, at)
        return str(conversation.id)


def wait_for_agent(
    sessions: sessionmaker,
    conversation_id: str,
    *,
    reason: str = "shopper_request",
    note: dict[str, Any] | None = None,
    at: datetime = FROZEN_NOW,
    due_in: timedelta = timedelta(hours=2),
) -> None:
    """Put the conversation in the agents' queue, as a handoff does."""
    with session_scope(sessions) as session:
        conversation = repo.get_conversation(session, conversation_id)
        assert conversation is not None
        repo.open_handoff(
            session,
            conversation,
            reason=reason,
            note=note or {},
            ticket_number=None,
            priority=2,
            now=at,
            due_at=at + due_in,
        )
