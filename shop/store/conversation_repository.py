"""Every query of the desk (conversations, messages, handoffs, agents), in one place.

The dashboard's figures are in ``shop.learning.dashboard_metrics``.

The desk calls these functions inside its own sessions and gets back loaded objects that stay
readable after the session closes (sessions are made with ``expire_on_commit=False``), except
on the shopper's turn: its statements are built once and return rows, and ``add_message``
a copy of the stored message (``shop.store.statements``). State
changes that two agents may race on (claiming a handoff) are single conditional UPDATEs, so
the database, not the web process, decides who wins. The order panel's queries are read-only:
an agent looks an order up by its number alone, the identity check being the bot's job.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from shop.clock import require_aware
from shop.kinds import CloseOutcome
from shop.store.conversations import (
    Agent,
    AgentNote,
    ConsoleSession,
    Conversation,
    ConversationMode,
    Handoff,
    LoginFailure,
    Message,
    MessageAuthor,
    Role,
)
from shop.store.models import Order, OrderLine, Shipment, Ticket, TicketStatus
from shop.store.statements import run

HANDED_BACK = CloseOutcome.HANDED_BACK
# Outcomes after which the ticket the bot opened is done; any other outcome leaves it open.
TICKET_CLOSING_OUTCOMES = frozenset(
    {CloseOutcome.RESOLVED, CloseOutcome.NO_REPLY, CloseOutcome.HANDED_BACK}
)


class ConversationError(Exception):
    """A change the desk refuses because the conversation or handoff no longer allows it."""


def new_conversation_id() -> str:
    """A public id that cannot be guessed (it is the only key to a shopper's transcript)."""
    return secrets.token_urlsafe(24)


# --- conversations and messages ---------------------------------------------------------------


def create_conversation(session: Session, now: datetime) -> Conversation:
    instant = require_aware(now)
    conversation = Conversation(
        id=new_conversation_id(), mode=ConversationMode.BOT, created_at=instant, updated_at=instant
    )
    session.add(conversation)
    session.flush()
    return conversation


def get_conversation(session: Session, conversation_id: str) -> Conversation | None:
    return session.get(Conversation, conversation_id)


# The shopper's turn: statements built once (``shop.store.statements``).
_CONVERSATIONS = Conversation.__table__
_MESSAGES = Message.__table__
_MODE = select(_CONVERSATIONS.c.mode).where(_CONVERSATIONS.c.id == bindparam("conversation_id"))
_INSERT_MESSAGE = insert(_MESSAGES)
_TOUCH_CONVERSATION = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("conversation_id"))
    .values(updated_at=bindparam("now"))
)
_MESSAGES_AFTER = (
    select(_MESSAGES)
    .where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    .where(_MESSAGES.c.id > bindparam("after_id"))
    .order_by(_MESSAGES.c.id)
    .limit(bindparam("limit"))
)
_MARK_RELAYED = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .values(relayed=bindparam("reached"), relay_claimed_at=None)
)
_MARK_RELAYED_UNDERSTOOD = _MARK_RELAYED.values(
    intent=bindparam("understood"), confidence=bindparam("sure")
)


def mode_of(session: Session, conversation_id: str) -> ConversationMode | None:
    """The conversation's mode (None: no such conversation), without loading the conversation."""
    return run(session, _MODE, conversation_id=conversation_id).scalar_one_or_none()


def add_message(
    session: Session,
    conversation_id: str,
    author: MessageAuthor,
    text: str,
    now: datetime,
    *,
    buttons: Sequence[dict[str, str]] | None = None,
    payload: str | None = None,
    agent_username: str | None = None,
    relayed: bool | None = None,
) -> Message:
    """Store a message and mark the conversation updated. The message returned is a copy of
    what was stored, not tracked by the session: change it through this module's functions."""
    instant = require_aware(now)
    values: dict[str, Any] = {
        "conversation_id": conversation_id,
        "author": author,
        "agent_username": agent_username,
        "text": text,
        "payload": payload,
        "buttons": [dict(button) for button in buttons] if buttons else None,
        "relayed": relayed,
        "created_at": instant,
    }
    stored = run(session, _INSERT_MESSAGE, **values)
    run(session, _TOUCH_CONVERSATION, conversation_id=conversation_id, now=instant)
    return Message(id=int(stored.inserted_primary_key[0]), **values)


def mark_relayed(
    session: Session,
    message_id: int,
    relayed: bool,
    intent: str | None = None,
    confidence: float | None = None,
) -> None:
    """The message reached the bot (or not), with what the bot understood when known."""
    if intent is None:
        run(session, _MARK_RELAYED, message_id=message_id, reached=relayed)
    else:
        run(
            session,
            _MARK_RELAYED_UNDERSTOOD,
            message_id=message_id,
            reached=relayed,
            understood=intent,
            sure=confidence,
        )


def messages_after(
    session: Session, conversation_id: str, after_id: int = 0, limit: int = 500
) -> list[Message]:
    """The transcript after one message id, oldest first (the widget's and console's cursor)."""
    statement = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .where(Message.id > after_id)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(session.execute(statement).scalars())


def message_rows_after(
    session: Session, conversation_id: str, after_id: int = 0, limit: int = 500
) -> list[Any]:
    """``messages_after`` as rows with the same attributes, for reading only (the widget's
    push reads the new messages at every turn)."""
    params = {"conversation_id": conversation_id, "after_id": after_id, "limit": limit}
    return list(run(session, _MESSAGES_AFTER, **params))


def set_mode(
    session: Session,
    conversation: Conversation,
    mode: ConversationMode,
    now: datetime,
    assignee: str | None = None,
) -> None:
    conversation.mode = mode
    conversation.assignee = assignee
    conversation.updated_at = require_aware(now)
    session.flush()


# --- handoffs ---------------------------------------------------------------------------------


def open_handoff(
    session: Session,
    conversation: Conversation,
    *,
    reason: str,
    note: dict[str, Any],
    ticket_number: str | None,
    priority: int,
    now: datetime,
    due_at: datetime,
) -> Handoff:
    """Record the handoff and put the conversation in the agents' queue (mode waiting_agent)."""
    instant = require_aware(now)
    handoff = Handoff(
        conversation_id=conversation.id,
        reason=reason,
        note=note,
        ticket_number=ticket_number,
        priority=priority,
        created_at=instant,
        due_at=require_aware(due_at),
    )
    session.add(handoff)
    set_mode(session, conversation, ConversationMode.WAITING_AGENT, instant)
    skip_unrelayed(session, str(conversation.id))  # the messages still owed to the bot: a person's
    return handoff


def open_handoff_of(session: Session, conversation_id: str) -> Handoff | None:
    """The handoff still open in a conversation (there is at most one), if any."""
    statement = (
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .where(Handoff.closed_at.is_(None))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return session.execute(statement).scalar_one_or_none()


def handoffs_of(session: Session, conversation_id: str) -> list[Handoff]:
    statement = (
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
    )
    return list(session.execute(statement).scalars())


def queue(session: Session) -> list[Handoff]:
    """Open handoffs, most urgent first: priority, then the earliest due time."""
    statement = (
        select(Handoff)
        .where(Handoff.closed_at.is_(None))
        .order_by(Handoff.priority, Handoff.due_at, Handoff.id)
        .options(joinedload(Handoff.conversation))
    )
    return list(session.execute(statement).unique().scalars())


def last_shopper_text(session: Session, conversation_id: str) -> str | None:
    statement = (
        select(Message.text)
        .where(Message.conversation_id == conversation_id)
        .where(Message.author == MessageAuthor.SHOPPER)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return session.execute(statement).scalar_one_or_none()


_OFFERED = (
    select(_MESSAGES.c.buttons)
    .where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    .where(_MESSAGES.c.author == MessageAuthor.BOT)
    .where(_MESSAGES.c.buttons.is_not(None))
)


def offered_payloads(session: Session, conversation_id: str) -> set[str]:
    """The button payloads the bot itself offered in this conversation (the only intents a
    shopper's click may send)."""
    return {
        str(button.get("payload"))
        for buttons in run(session, _OFFERED, conversation_id=conversation_id).scalars()
        for button in buttons or []
        if isinstance(button, dict) and button.get("payload")
    }


def claim(session: Session, conversation: Conversation, username: str, now: datetime) -> Handoff:
    """The agent takes the conversation; refused if another agent already holds it."""
    instant = require_aware(now)
    handoff = open_handoff_of(session, conversation.id)
    if handoff is None:
        raise ConversationError("no open handoff in this conversation")
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id)
        .where(Handoff.closed_at.is_(None))
        .where((Handoff.claimed_by.is_(None)) | (Handoff.claimed_by == username))
        .values(claimed_by=username, claimed_at=func.coalesce(Handoff.claimed_at, instant))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConversationError("another agent already holds this conversation")
    session.refresh(handoff)
    set_mode(session, conversation, ConversationMode.AGENT, instant, assignee=username)
    _update_ticket(session, handoff.ticket_number, TicketStatus.IN_PROGRESS, username)
    return handoff


def finish_handoff(
    session: Session,
    conversation: Conversation,
    username: str,
    outcome: str,
    now: datetime,
    mode: ConversationMode,
) -> Handoff | None:
    """Close the open handoff with an outcome and switch the conversation to ``mode``.

    Only the agent holding the conversation may do it (or anyone while nobody holds it).
    """
    instant = require_aware(now)
    handoff = open_handoff_of(session, conversation.id)
    if handoff is not None:
        if handoff.claimed_by not in (None, username):
            raise ConversationError("another agent holds this conversation")
        handoff.closed_at = instant
        handoff.outcome = outcome
        handoff.claimed_by = handoff.claimed_by or username
        handoff.claimed_at = handoff.claimed_at or instant
        if outcome in TICKET_CLOSING_OUTCOMES:
            _update_ticket(session, handoff.ticket_number, TicketStatus.CLOSED, username)
    set_mode(session, conversation, mode, instant)
    return handoff


def _update_ticket(
    session: Session, number: str | None, status: TicketStatus, assignee: str
) -> None:
    if not number:
        return
    session.execute(
        update(Ticket)
        .where(Ticket.number == number)
        .values(status=status, assignee=assignee)
        .execution_options(synchronize_session=False)
    )


# --- private notes ----------------------------------------------------------------------------


def add_note(
    session: Session, conversation: Conversation, author: str, text: str, now: datetime
) -> AgentNote:
    note = AgentNote(
        conversation_id=conversation.id, author=author, text=text, created_at=require_aware(now)
    )
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, conversation_id: str) -> list[AgentNote]:
    statement = (
        select(AgentNote).where(AgentNote.conversation_id == conversation_id).order_by(AgentNote.id)
    )
    return list(session.execute(statement).scalars())


# --- agents -----------------------------------------------------------------------------------


def find_agent(session: Session, username: str) -> Agent | None:
    statement = select(Agent).where(Agent.username == username.strip().lower())
    return session.execute(statement).scalar_one_or_none()


def get_agent(session: Session, agent_id: int) -> Agent | None:
    return session.get(Agent, agent_id)


def count_agents(session: Session) -> int:
    return int(session.execute(select(func.count(Agent.id))).scalar_one())


def create_agent(
    session: Session,
    username: str,
    password_hash: str,
    display_name: str,
    now: datetime,
    role: Role = Role.AGENT,
) -> Agent:
    name = username.strip().lower()
    if not name:
        raise ValueError("an agent needs a username")
    if find_agent(session, name) is not None:
        raise ConversationError(f"agent {name!r} already exists")
    agent = Agent(
        username=name,
        password_hash=password_hash,
        display_name=display_name.strip() or name,
        role=Role(role).value,
        created_at=require_aware(now),
    )
    session.add(agent)
    session.flush()
    return agent


def set_agent_password(session: Session, agent: Agent, password_hash: str, now: datetime) -> int:
    """A new password ends every console session of the agent; returns how many were open."""
    agent.password_hash = password_hash
    session.flush()
    return revoke_console_sessions_of(session, agent.id, now)


def upgrade_password_hash(session: Session, agent_id: int, old_hash: str, new_hash: str) -> bool:
    """The same password hashed at a new cost; lost if the password changed meanwhile."""
    result = session.execute(
        update(Agent)
        .where(Agent.id == agent_id, Agent.password_hash == old_hash)
        .values(password_hash=new_hash)
    )
    return bool(result.rowcount)


# --- console sessions and login failures ------------------------------------------------------


def _session_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def open_console_session(session: Session, agent_id: int, now: datetime, max_age: timedelta) -> str:
    """Store a new session of the agent and return its secret (for the cookie, never stored).

    The agent's sessions older than ``max_age`` are deleted on the way: they can no longer open
    anything.
    """
    instant = require_aware(now)
    session.execute(
        delete(ConsoleSession).where(
            ConsoleSession.agent_id == agent_id, ConsoleSession.created_at < instant - max_age
        )
    )
    secret = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            id=_session_key(secret), agent_id=agent_id, created_at=instant, last_seen_at=instant
        )
    )
    session.flush()
    return secret


def agent_of_console_session(
    session: Session,
    secret: str,
    now: datetime,
    max_age: timedelta,
    touch_every: timedelta = timedelta(minutes=5),
) -> Agent | None:
    """The agent of a live session (known, not revoked, younger than ``max_age``), else None.

    One lookup by primary key; ``last_seen_at`` is written at most every ``touch_every``.
    """
    instant = require_aware(now)
    row = session.execute(
        select(ConsoleSession, Agent)
        .join(Agent, Agent.id == ConsoleSession.agent_id)
        .where(ConsoleSession.id == _session_key(secret))
    ).one_or_none()
    if row is None:
        return None
    console, agent = row
    if console.revoked_at is not None or console.created_at <= instant - max_age:
        return None
    if console.last_seen_at <= instant - touch_every:
        console.last_seen_at = instant
    return agent


def revoke_console_session(session: Session, secret: str, now: datetime) -> None:
    session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.id == _session_key(secret), ConsoleSession.revoked_at.is_(None))
        .values(revoked_at=require_aware(now))
    )


def revoke_console_sessions_of(session: Session, agent_id: int, now: datetime) -> int:
    """Log the agent out everywhere; returns the number of sessions ended."""
    result = session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.agent_id == agent_id, ConsoleSession.revoked_at.is_(None))
        .values(revoked_at=require_aware(now))
    )
    return int(result.rowcount or 0)


def login_failures_since(
    session: Session, username: str, address: str, since: datetime
) -> tuple[list[datetime], list[datetime]]:
    """When logins failed since ``since``: for this username, from this address (oldest first)."""
    name, client = username[:80], address[:64]
    rows = session.execute(
        select(LoginFailure.username, LoginFailure.address, LoginFailure.failed_at)
        .where(
            LoginFailure.failed_at >= require_aware(since),
            or_(LoginFailure.username == name, LoginFailure.address == client),
        )
        .order_by(LoginFailure.failed_at, LoginFailure.id)
    ).all()
    return (
        [at for user, _, at in rows if user == name],
        [at for _, addr, at in rows if addr == client],
    )


def record_login_failure(
    session: Session, username: str, address: str, now: datetime, keep: timedelta
) -> None:
    """Note a refused login; failures older than ``keep`` are forgotten on the way."""
    instant = require_aware(now)
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < instant - keep))
    session.add(LoginFailure(username=username[:80], address=address[:64], failed_at=instant))
    session.flush()


def clear_login_failures(session: Session, username: str, address: str) -> None:
    """After a successful login: this address's mistakes on this username are forgiven."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == username[:80], LoginFailure.address == address[:64]
        )
    )


# --- order panel (read-only) ------------------------------------------------------------------


def order_for_agent(session: Session, number: str) -> Order | None:
    """The order with its customer, lines and shipments, by number alone (agents only)."""
    statement = (
        select(Order)
        .where(Order.number == number)
        .options(
            joinedload(Order.customer),
            selectinload(Order.lines).joinedload(OrderLine.shipment),
            selectinload(Order.shipments).selectinload(Shipment.lines),
        )
    )
    return session.execute(statement).unique().scalar_one_or_none()


def tickets_of_order(session: Session, order_id: int) -> list[Ticket]:
    statement = select(Ticket).where(Ticket.order_id == order_id).order_by(Ticket.id)
    return list(session.execute(statement).scalars())


def ticket_by_number(session: Session, number: str) -> Ticket | None:
    return session.execute(select(Ticket).where(Ticket.number == number)).scalar_one_or_none()


# --- recovery after an outage (the bot or the database was down) ------------------------------


def unrelayed_conversations(session: Session, limit: int = 100) -> list[tuple[str, datetime]]:
    """Conversations the bot still holds with shopper messages it never received: each id with
    its oldest such message's time, oldest first."""
    oldest = func.min(Message.created_at).label("oldest")
    statement = (
        select(Message.conversation_id, oldest)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.mode == ConversationMode.BOT)
        .where(Message.author == MessageAuthor.SHOPPER)
        .where(Message.relayed.is_(False))
        .group_by(Message.conversation_id)
        .order_by(oldest)
        .limit(limit)
    )
    return [
        (str(conversation_id), require_aware(moment).astimezone(timezone.utc))
        for conversation_id, moment in session.execute(statement)
    ]


_WAITING = (
    select(_MESSAGES.c.id, _MESSAGES.c.text, _MESSAGES.c.payload, _MESSAGES.c.created_at)
    .where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    .where(_MESSAGES.c.author == MessageAuthor.SHOPPER)
    .where(_MESSAGES.c.relayed.is_(False))
    .order_by(_MESSAGES.c.id)
)
_OTHER = _MESSAGES.alias("other")
_CLAIM = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .where(_MESSAGES.c.relayed.is_(False))
    .where(
        ~select(_OTHER.c.id)
        .where(_OTHER.c.conversation_id == bindparam("of_conversation"))
        .where(_OTHER.c.relay_claimed_at.isnot(None))
        .exists()
    )
    .values(relayed=True, relay_claimed_at=bindparam("now"))
)


def unrelayed_messages(session: Session, conversation_id: str) -> list[Any]:
    """The shopper's messages the bot never received, in the order they were written (rows:
    id, text, payload, created_at)."""
    return list(run(session, _WAITING, conversation_id=conversation_id))


def claim_relay(session: Session, conversation_id: str, message_id: int) -> bool:
    """Take one unrelayed message for relaying; False when another desk process already did,
    or when another message of its conversation is with the bot: the bot reads a
    conversation's messages one at a time and in order, whichever desk relays them.

    A single conditional UPDATE: of several processes sharing the database, one wins (on
    PostgreSQL a rival claim of the same row waits for the first and then finds it taken).
    The claim's time is the real one (a lease, not a business date: ``SHOP_NOW`` does not
    apply).
    """
    now = datetime.now(timezone.utc)
    claimed = run(session, _CLAIM, message_id=message_id, of_conversation=conversation_id, now=now)
    return bool(claimed.rowcount == 1)


def release_relay(session: Session, message_id: int) -> None:
    """The bot could not be reached after all: the message waits for the next try."""
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(relayed=False, relay_claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def release_stale_claims(session: Session, lease: timedelta) -> int:
    """Messages claimed for the bot longer than ``lease`` ago and never answered wait again.

    Their desk died, or lost the database, between sending them and storing the answer (a
    live desk gives a message back or answers it within Rasa's time limit, shorter than the
    lease). Returns how many.
    """
    result = session.execute(
        update(Message)
        .where(Message.author == MessageAuthor.SHOPPER)
        .where(Message.relayed.is_(True))
        .where(Message.relay_claimed_at < datetime.now(timezone.utc) - lease)
        .values(relayed=False, relay_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


def skip_unrelayed(session: Session, conversation_id: str) -> int:
    """Messages a person read instead of the bot are never relayed later; returns how many."""
    result = session.execute(
        update(Message)
        .where(Message.conversation_id == conversation_id)
        .where(Message.author == MessageAuthor.SHOPPER)
        .where(Message.relayed.is_(False))
        .values(relayed=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def hand_over_kept_request(
    session: Session,
    conversation_id: str | None,
    *,
    reason: str,
    note: dict[str, Any],
    ticket_number: str,
    priority: int,
    now: datetime,
    due_at: datetime,
    notice: str,
) -> Handoff | None:
    """Put a conversation whose request became a ticket late in the agents' queue, and tell
    the shopper. Nothing when the desk has no such conversation, it is closed or a person
    already has it (the ticket alone then carries the request)."""
    conversation = get_conversation(session, conversation_id) if conversation_id else None
    if conversation is None or conversation.mode == ConversationMode.CLOSED:
        return None
    if open_handoff_of(session, conversation.id) is not None:
        return None
    handoff = open_handoff(
        session,
        conversation,
        reason=reason,
        note=note,
        ticket_number=ticket_number,
        priority=priority,
        now=now,
        due_at=due_at,
    )
    add_message(session, str(conversation.id), MessageAuthor.SYSTEM, notice, now)
    return handoff
