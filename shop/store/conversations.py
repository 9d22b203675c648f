"""SQLAlchemy models of the desk: conversations, their messages, handoffs to people, agents.

They live on the order store's ``Base`` so that one database (and one ``create_schema``) holds
orders, tickets and the conversations that led to them; an agent sees all of it at once. Table
names start with ``desk_`` so that they never collide with Rasa's own tracker-store tables in
the same SQLite file. Like the order store, datetimes are aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from shop.store.models import Base, UTCDateTime

CONVERSATION_ID_LENGTH = 64


class ConversationMode(str, enum.Enum):
    """Who answers the shopper: the bot, nobody yet (waiting for an agent), an agent, or nobody."""

    BOT = "bot"
    WAITING_AGENT = "waiting_agent"
    AGENT = "agent"
    CLOSED = "closed"


class Role(str, enum.Enum):
    """What a console account may do: agents answer shoppers, editors teach the bot (review
    inbox), admins do both and manage accounts and personal data."""

    AGENT = "agent"
    EDITOR = "editor"
    ADMIN = "admin"


class MessageAuthor(str, enum.Enum):
    SHOPPER = "shopper"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class Conversation(Base):
    """One chat of one shopper; ``id`` is the random public id the widget keeps."""

    __tablename__ = "desk_conversations"

    id = Column(String(CONVERSATION_ID_LENGTH), primary_key=True)
    mode = Column(Enum(ConversationMode, native_enum=False, length=16), nullable=False)
    assignee = Column(String(80), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False, index=True)

    messages = relationship(
        "Message", back_populates="conversation", order_by="Message.id", cascade="all"
    )
    handoffs = relationship(
        "Handoff", back_populates="conversation", order_by="Handoff.id", cascade="all"
    )
    notes = relationship(
        "AgentNote", back_populates="conversation", order_by="AgentNote.id", cascade="all"
    )


def conversation_column() -> Column:
    """The indexed, required link from a desk row to its conversation."""
    return Column(
        String(CONVERSATION_ID_LENGTH),
        ForeignKey("desk_conversations.id"),
        nullable=False,
        index=True,
    )


class Message(Base):
    """One message of the transcript; ``relayed`` is False when the bot could not be reached."""

    __tablename__ = "desk_messages"

    id = Column(Integer, primary_key=True)
    conversation_id = conversation_column()
    author = Column(Enum(MessageAuthor, native_enum=False, length=16), nullable=False)
    agent_username = Column(String(80), nullable=True)
    text = Column(Text, nullable=False)
    payload = Column(String(200), nullable=True)  # the button payload a shopper clicked
    buttons = Column(JSON, nullable=True)  # [{"title": ..., "payload": ...}]
    intent = Column(String(120), nullable=True, index=True)
    confidence = Column(Float, nullable=True)
    relayed = Column(Boolean, nullable=True)  # shopper messages only: reached the bot or not
    # When a desk took the message for the bot (real time, not the product's clock); cleared
    # once its answer is stored. A claim older than its lease belongs to a desk that died or
    # lost the database mid-turn: the recovery pass hands the message to the bot again.
    relay_claimed_at = Column(UTCDateTime, nullable=True)
    # Bot answers only: the intent or faq/<entry> the widget asks the shopper to rate.
    feedback_topic = Column(String(160), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)

    conversation = relationship("Conversation", back_populates="messages")


def _only_where(condition: Any) -> dict[str, Any]:
    """A partial index's condition, on both databases the store runs on."""
    return {"postgresql_where": condition, "sqlite_where": condition}


# The recovery pass reads the messages still waiting for the bot and those held for it by a
# desk: partial indexes keep those reads as small as what waits, however long the transcripts.
Index(
    "ix_desk_messages_waiting",
    Message.conversation_id,
    Message.id,
    **_only_where(Message.relayed.is_(False)),
)
Index(
    "ix_desk_messages_claimed",
    Message.relay_claimed_at,
    **_only_where(Message.relay_claimed_at.isnot(None)),
)


class Handoff(Base):
    """The bot handed the conversation to a person: why, what it knew, who took it, how it ended."""

    __tablename__ = "desk_handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = conversation_column()
    reason = Column(String(32), nullable=False)  # shopper_request | fallback | policy | identity
    note = Column(JSON, nullable=False, default=dict)
    ticket_number = Column(String(16), nullable=True, index=True)
    priority = Column(Integer, nullable=False, default=2)  # 1 urgent, 2 normal, 3 low
    created_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    claimed_by = Column(String(80), nullable=True)
    claimed_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True, index=True)
    outcome = Column(String(32), nullable=True)

    conversation = relationship("Conversation", back_populates="handoffs")


class Agent(Base):
    """A support agent who may log into the console; only a salted hash of the password."""

    __tablename__ = "desk_agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True, index=True)
    password_hash = Column(String(255), nullable=False)
    display_name = Column(String(120), nullable=False)
    role = Column(String(16), nullable=False, default=Role.AGENT.value, server_default="agent")
    created_at = Column(UTCDateTime, nullable=False)


class ConsoleSession(Base):
    """One login to the console; the signed cookie names it, so revoking the row logs it out.

    ``id`` is the SHA-256 of the secret the cookie carries: the table alone opens nothing.
    """

    __tablename__ = "desk_console_sessions"

    id = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("desk_agents.id"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """A refused console login: the username tried (known or not) and the client's address.

    Counted to lock a username, or an address, after too many failures in a short time; rows
    older than the counting window are deleted as new ones arrive.
    """

    __tablename__ = "desk_login_failures"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, index=True)
    address = Column(String(64), nullable=False, index=True)
    failed_at = Column(UTCDateTime, nullable=False, index=True)


class AgentNote(Base):
    """A private note on a conversation: agents read it, the shopper never does."""

    __tablename__ = "desk_agent_notes"

    id = Column(Integer, primary_key=True)
    conversation_id = conversation_column()
    author = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)

    conversation = relationship("Conversation", back_populates="notes")
