"""Read models of the console: the queue, one conversation with its notes, the order panel.

Plain dictionaries built inside one session, already in French where people read them, so the
templates only lay them out and the JSON API returns the same thing the pages show. The
labels are the agents' catalogue's (``shop/voice/agent.yml``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk import handoff as notes
from desk.service import agent_message
from shop import order_numbers
from shop.policy.answers import STATUS_NAMES, format_datetime
from shop.policy.profile import ShopProfile
from shop.store import conversation_repository as repo
from shop.store import repository
from shop.store.conversations import Handoff
from shop.voice import agent_labels
from shop.voice.french import format_amount

MODE_LABELS = agent_labels("conversation_mode")
TICKET_STATUS_LABELS = agent_labels("ticket_status")
PRIORITY_LABELS = {int(level): label for level, label in agent_labels("priority").items()}


def _when(moment: datetime | None, profile: ShopProfile) -> str:
    return format_datetime(moment, profile) if moment is not None else ""


def handoff_view(handoff: Handoff, profile: ShopProfile, now: datetime) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "reason": handoff.reason,
        "reason_label": notes.reason_label(handoff.reason),
        "note": handoff.note or {},
        "ticket": handoff.ticket_number,
        "priority": handoff.priority,
        "priority_label": PRIORITY_LABELS.get(handoff.priority, str(handoff.priority)),
        "created": _when(handoff.created_at, profile),
        "due": _when(handoff.due_at, profile),
        "overdue": handoff.closed_at is None and handoff.due_at < now,
        "claimed_by": handoff.claimed_by,
        "claimed": _when(handoff.claimed_at, profile),
        "closed": _when(handoff.closed_at, profile),
        "outcome": handoff.outcome,
        "outcome_label": notes.outcome_label(handoff.outcome),
    }


def queue_view(session: Session, profile: ShopProfile, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for handoff in repo.queue(session):
        row = handoff_view(handoff, profile, now)
        last = repo.last_shopper_text(session, handoff.conversation_id) or ""
        row["last_text"] = last if len(last) <= 140 else last[:139] + "…"
        row["mode"] = handoff.conversation.mode.value
        row["mode_label"] = MODE_LABELS[row["mode"]]
        rows.append(row)
    return rows


def conversation_view(
    session: Session,
    conversation_id: str,
    profile: ShopProfile,
    now: datetime,
    order_number: str | None = None,
) -> dict[str, Any] | None:
    conversation = repo.get_conversation(session, conversation_id)
    if conversation is None:
        return None
    handoffs = [handoff_view(h, profile, now) for h in repo.handoffs_of(session, conversation_id)]
    if order_number is None:
        order_number = next(
            (
                (h["note"].get("order") or {}).get("number")
                for h in reversed(handoffs)
                if (h["note"].get("order") or {}).get("number")
            ),
            None,
        )
    return {
        "id": conversation.id,
        "mode": conversation.mode.value,
        "mode_label": MODE_LABELS[conversation.mode.value],
        "assignee": conversation.assignee,
        "created": _when(conversation.created_at, profile),
        "messages": [agent_message(m) for m in repo.messages_after(session, conversation_id)],
        "handoffs": handoffs,
        "current_handoff": next((h for h in reversed(handoffs) if not h["closed"]), None),
        "notes": [
            {"author": n.author, "text": n.text, "created": _when(n.created_at, profile)}
            for n in repo.notes_of(session, conversation_id)
        ],
        "tickets": [
            {
                "number": t.number,
                "kind": t.kind,
                "status": TICKET_STATUS_LABELS.get(t.status.value, t.status.value),
                "due": _when(t.due_at, profile),
                "reason_code": t.reason_code,
                "clause": t.clause,
            }
            for t in repository.tickets_for_conversation(session, conversation_id)
        ],
        "order_number": order_number,
        "order": order_panel(session, order_number, profile) if order_number else None,
    }


def order_panel(session: Session, number: str, profile: ShopProfile) -> dict[str, Any] | None:
    """The order at a glance for an agent: status, lines, parcels and tickets."""
    normalised = order_numbers.read_any(number)
    order = repo.order_for_agent(session, normalised) if normalised else None
    if order is None:
        return None
    return {
        "number": order.number,
        "status": STATUS_NAMES.get(order.status.value, order.status.value),
        "status_since": _when(order.status_changed_at, profile),
        "placed": _when(order.placed_at, profile),
        "customer": f"{order.customer.first_name} {order.customer.last_name}",
        "email": order.customer.email,
        "payment": order.payment_method.value,
        "total": format_amount(order.total_cents),
        "country": order.shipping_country,
        "carrier": order.carrier,
        "lines": [
            {
                "title": line.title,
                "quantity": line.quantity,
                "price": format_amount(line.unit_price_cents),
                "size": line.size,
                "engraved": line.engraved,
                "made_to_measure": line.made_to_measure,
            }
            for line in order.lines
        ],
        "shipments": [
            {
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "link": _tracking_link(profile, shipment.carrier, shipment.tracking_number),
                "shipped": _when(shipment.shipped_at, profile),
                "delivered": _when(shipment.delivered_at, profile),
            }
            for shipment in order.shipments
        ],
        "tickets": [
            {
                "number": t.number,
                "kind": t.kind,
                "status": TICKET_STATUS_LABELS.get(t.status.value, t.status.value),
                "due": _when(t.due_at, profile),
            }
            for t in repo.tickets_of_order(session, order.id)
        ],
    }


def _tracking_link(profile: ShopProfile, carrier: str, tracking_number: str) -> str | None:
    found = profile.carrier(carrier)
    return found.tracking_link(tracking_number) if found is not None else None
