"""A shopper's data, found by e-mail, exported as JSON or erased: the right of access and the
right to erasure (GDPR articles 15 and 17) for the assistant's stores.

What is "about" a shopper: their customer record, orders and tickets; every conversation whose
desk messages or Rasa tracker events contain the e-mail, in which one of their orders was
verified (the ``verified_order`` slot), whose handoff note names one of their orders, or that
opened one of their tickets.

Erasure keeps what the shop's accounts need and nothing else:
- transcripts: message and note texts become « [effacé] » (buttons and payloads dropped), the
  handoff notes lose everything but their reason and ticket number, the conversation ends;
  rows stay so that the desk's figures (how many conversations, handoffs) remain true;
- Rasa's tracker events of those conversations are deleted; what the bot understood of each
  message (``bot_turns``) keeps its intent and scores but loses its text and entities, so an
  editor's label on it exports nothing; shoppers' ratings keep their score, not their comment;
- tickets keep their number, kind, status, decision and clause (what the shop decided and why),
  their collected facts are reduced to the decision;
- orders, lines, shipments and amounts stay (accounting records are kept ten years, French
  Code de commerce L123-22); the customer record that identifies the buyer is anonymised:
  e-mail ``erased-<id>@invalid``, names « [effacé] », postal code removed.
- what the shop's platform sent about them (webhook deliveries: names, addresses) is deleted,
  and so are the finished requests to the platform about their orders; a request still on its
  way stays until the platform confirms it (``shop.privacy.platform``).
Run twice, the second run finds nothing: the e-mail no longer appears anywhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, null, or_, select, update
from sqlalchemy.orm import Session, selectinload

from shop.clock import require_aware
from shop.kinds import CloseOutcome
from shop.privacy import platform, tracker
from shop.store.conversations import (
    AgentNote,
    Conversation,
    ConversationMode,
    Handoff,
    Message,
)
from shop.store.learning import BotTurn, Feedback
from shop.store.models import Customer, Order, Ticket
from shop.store.repository import normalise_email

ERASED = "[effacé]"
VERIFIED_ORDER_SLOT = "verified_order"


class InvalidEmail(ValueError):
    """The text given is not an e-mail address."""


@dataclass
class Subject:
    """Where one shopper's data lives: rows found by e-mail, before anything is read in full."""

    email: str
    customer: Customer | None
    orders: list[Order]
    tickets: list[Ticket]
    conversation_ids: list[str]
    platform_traces: platform.PlatformTraces


@dataclass
class Report:
    """Rows changed per table (or that would change, in a dry run)."""

    counts: Counter[str] = field(default_factory=Counter)
    conversation_ids: list[str] = field(default_factory=list)

    def add(self, table: str, count: int) -> None:
        self.counts[table] += count

    def as_dict(self) -> dict[str, int]:
        return {table: int(count) for table, count in sorted(self.counts.items())}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def find_subject(session: Session, email: str) -> Subject:
    address = normalise_email(email)
    if address is None:
        raise InvalidEmail(email)
    customer = session.execute(
        select(Customer).where(func.lower(Customer.email) == address)
    ).scalar_one_or_none()
    orders: list[Order] = []
    if customer is not None:
        orders = list(
            session.execute(
                select(Order)
                .where(Order.customer_id == customer.id)
                .order_by(Order.placed_at, Order.id)
                .options(selectinload(Order.lines), selectinload(Order.shipments))
            ).scalars()
        )
    numbers = {order.number for order in orders}
    ticket_filter = func.lower(cast(Ticket.facts, String)).contains(address, autoescape=True)
    if customer is not None:
        ticket_filter = ticket_filter | (Ticket.customer_id == customer.id)
    if orders:
        ticket_filter = ticket_filter | Ticket.order_id.in_([order.id for order in orders])
    tickets = list(
        session.execute(select(Ticket).where(ticket_filter).order_by(Ticket.id)).scalars()
    )

    conversation_ids: set[str] = set()
    conversation_ids |= set(
        session.execute(
            select(Message.conversation_id)
            .where(func.lower(Message.text).contains(address, autoescape=True))
            .distinct()
        ).scalars()
    )
    conversation_ids |= tracker.senders_mentioning(session, address)
    conversation_ids |= set(
        session.execute(
            select(BotTurn.conversation_id)
            .where(func.lower(BotTurn.text).contains(address, autoescape=True))
            .distinct()
        ).scalars()
    )
    conversation_ids |= tracker.senders_with_slot(session, VERIFIED_ORDER_SLOT, numbers)
    conversation_ids |= {t.conversation_id for t in tickets if t.conversation_id}
    if numbers:
        mentions = or_(*(cast(Handoff.note, String).contains(number) for number in numbers))
        for conversation_id, note in session.execute(
            select(Handoff.conversation_id, Handoff.note).where(mentions)
        ):
            order = (note or {}).get("order") or {}
            if str(order.get("number")) in numbers:
                conversation_ids.add(conversation_id)
    traces = platform.find_traces(session, address, orders)
    return Subject(address, customer, orders, tickets, sorted(conversation_ids), traces)


# --- export -----------------------------------------------------------------------------------


def export_subject(session: Session, email: str, now: datetime) -> dict[str, Any]:
    """Everything stored about the shopper, as plain JSON data."""
    subject = find_subject(session, email)
    tracker_events = tracker.events_of(session, subject.conversation_ids)
    conversations = []
    for conversation_id in subject.conversation_ids:
        conversation = session.get(Conversation, conversation_id)
        conversations.append(
            {
                "id": conversation_id,
                "desk": _conversation_data(conversation) if conversation is not None else None,
                "tracker_events": tracker_events.get(conversation_id, []),
                "bot_turns": _turns_data(session, conversation_id),
                "feedback": _feedback_data(session, conversation_id),
            }
        )
    return {
        "email": subject.email,
        "exported_at": require_aware(now).isoformat(),
        "customer": _customer_data(subject.customer),
        "orders": [_order_data(order) for order in subject.orders],
        "tickets": [_ticket_data(ticket) for ticket in subject.tickets],
        "conversations": conversations,
        **platform.export_traces(subject.platform_traces),
    }


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _customer_data(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "postal_code": customer.postal_code,
        "loyalty_points": customer.loyalty_points,
    }


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status.value,
        "placed_at": _when(order.placed_at),
        "status_changed_at": _when(order.status_changed_at),
        "cancelled_at": _when(order.cancelled_at),
        "payment_method": order.payment_method.value,
        "total_cents": order.total_cents,
        "shipping_cents": order.shipping_cents,
        "shipping_country": order.shipping_country,
        "carrier": order.carrier,
        "lines": [
            {
                "sku": line.sku,
                "title": line.title,
                "kind": line.kind.value,
                "size": line.size,
                "quantity": line.quantity,
                "unit_price_cents": line.unit_price_cents,
                "engraved": line.engraved,
            }
            for line in order.lines
        ],
        "shipments": [
            {
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "destination_country": shipment.destination_country,
                "shipped_at": _when(shipment.shipped_at),
                "delivered_at": _when(shipment.delivered_at),
            }
            for shipment in order.shipments
        ],
    }


def _ticket_data(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "kind": ticket.kind,
        "status": ticket.status.value,
        "conversation_id": ticket.conversation_id,
        "facts": ticket.facts or {},
        "outcome": ticket.outcome,
        "reason_code": ticket.reason_code,
        "clause": ticket.clause,
        "created_at": _when(ticket.created_at),
        "due_at": _when(ticket.due_at),
    }


def _conversation_data(conversation: Conversation) -> dict[str, Any]:
    return {
        "mode": conversation.mode.value,
        "created_at": _when(conversation.created_at),
        "updated_at": _when(conversation.updated_at),
        "messages": [
            {
                "author": message.author.value,
                "agent": message.agent_username,
                "text": message.text,
                "buttons": message.buttons or [],
                "intent": message.intent,
                "created_at": _when(message.created_at),
            }
            for message in conversation.messages
        ],
        "handoffs": [
            {
                "reason": handoff.reason,
                "note": handoff.note or {},
                "ticket_number": handoff.ticket_number,
                "created_at": _when(handoff.created_at),
                "claimed_by": handoff.claimed_by,
                "closed_at": _when(handoff.closed_at),
                "outcome": handoff.outcome,
            }
            for handoff in conversation.handoffs
        ],
        "agent_notes": [
            {"author": note.author, "text": note.text, "created_at": _when(note.created_at)}
            for note in conversation.notes
        ],
    }


def _turns_data(session: Session, conversation_id: str) -> list[dict[str, Any]]:
    statement = select(BotTurn).where(BotTurn.conversation_id == conversation_id)
    return [
        {
            "text": turn.text,
            "intent": turn.intent,
            "faq_entry": turn.faq_entry,
            "entities": turn.entities or [],
            "created_at": _when(turn.created_at),
        }
        for turn in session.execute(statement.order_by(BotTurn.id)).scalars()
    ]


def _feedback_data(session: Session, conversation_id: str) -> list[dict[str, Any]]:
    statement = select(Feedback).where(Feedback.conversation_id == conversation_id)
    return [
        {
            "kind": row.kind,
            "score": row.score,
            "topic": row.topic,
            "comment": row.comment,
            "created_at": _when(row.created_at),
        }
        for row in session.execute(statement.order_by(Feedback.id)).scalars()
    ]


# --- erasure ----------------------------------------------------------------------------------


def erase_subject(session: Session, email: str, now: datetime) -> Report:
    """Erase or anonymise the shopper's data everywhere (see the module's docstring).

    Runs in the caller's transaction: roll it back instead of committing for a dry run.
    """
    subject = find_subject(session, email)
    report = Report(conversation_ids=list(subject.conversation_ids))
    for conversation_id in subject.conversation_ids:
        report.counts.update(erase_conversation(session, conversation_id, now).counts)
    for ticket in subject.tickets:
        kept = _ticket_facts_kept(ticket.facts or {})
        if ticket.facts != kept:
            ticket.facts = kept
            report.add("tickets", 1)
    customer = subject.customer
    if customer is not None:
        customer.email = f"erased-{customer.id}@invalid"
        customer.first_name = ERASED
        customer.last_name = ERASED
        customer.postal_code = None
        report.add("customers", 1)
        report.add("orders (kept, buyer anonymised)", len(subject.orders))
    for table, count in platform.erase_traces(session, subject.platform_traces).items():
        report.add(table, count)
    session.flush()
    return report


def erase_conversation(session: Session, conversation_id: str, now: datetime) -> Report:
    """Erase one conversation's transcript and tracker events, and end it."""
    instant = require_aware(now)
    report = Report()
    messages = session.execute(
        update(Message)
        .where(Message.conversation_id == conversation_id)
        .where((Message.text != ERASED) | Message.payload.is_not(None))
        .values(text=ERASED, payload=None, buttons=null())
        .execution_options(synchronize_session=False)
    )
    report.add("desk_messages", int(messages.rowcount or 0))
    notes = session.execute(
        update(AgentNote)
        .where(AgentNote.conversation_id == conversation_id)
        .where(AgentNote.text != ERASED)
        .values(text=ERASED)
        .execution_options(synchronize_session=False)
    )
    report.add("desk_agent_notes", int(notes.rowcount or 0))
    for handoff in session.execute(
        select(Handoff).where(Handoff.conversation_id == conversation_id)
    ).scalars():
        kept = {"reason": handoff.reason, "ticket": handoff.ticket_number}
        changed = handoff.note != kept or handoff.closed_at is None
        handoff.note = kept
        if handoff.closed_at is None:
            handoff.closed_at = instant
            handoff.outcome = CloseOutcome.ERASED
        report.add("desk_handoffs", int(changed))
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None and conversation.mode != ConversationMode.CLOSED:
        conversation.mode = ConversationMode.CLOSED
        conversation.assignee = None
        conversation.updated_at = instant
        report.add("desk_conversations", 1)
    report.add("events", tracker.delete_events_of(session, [conversation_id]))
    turns = session.execute(
        update(BotTurn)
        .where(BotTurn.conversation_id == conversation_id)
        .where(BotTurn.text != ERASED)
        .values(text=ERASED, entities=[])
        .execution_options(synchronize_session=False)
    )
    report.add("bot_turns", int(turns.rowcount or 0))
    comments = session.execute(
        update(Feedback)
        .where(Feedback.conversation_id == conversation_id)
        .where(Feedback.comment.is_not(None))
        .where(Feedback.comment != ERASED)
        .values(comment=ERASED)
        .execution_options(synchronize_session=False)
    )
    report.add("desk_feedback", int(comments.rowcount or 0))
    session.flush()
    return report


def _ticket_facts_kept(facts: dict[str, Any]) -> dict[str, Any]:
    """What the shop's accounts need from a ticket's facts: the decision and why it was asked."""
    return {key: facts[key] for key in ("decision", "reason") if key in facts}
