"""What a handoff means for each side: the agent's note, and the sentence the shopper reads.

The bot sends a raw ``custom.handoff`` payload; the desk completes it from the store (the
order's status, the ticket's priority and due time) so the agent sees everything at once, and
tells the shopper either that a person is coming or, when the shop is closed, when to expect
an answer. The words come from the catalogues (``shop/voice``): agents' labels from
``agent.yml``, the shopper's notices from ``shopper.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shop.knowledge.placeholders import opening_hours
from shop.policy.answers import STATUS_NAMES, format_datetime
from shop.policy.profile import ShopProfile
from shop.store import conversation_repository as conversations
from shop.voice import agent_labels, say
from shop.voice.french import format_amount

REASONS = agent_labels("handoff_reason")
OUTCOMES = agent_labels("close_outcome")
# How a handoff ended: the agents' close choices, handed back to the bot, erased.
OUTCOME_LABELS = {**OUTCOMES, **agent_labels("outcome")}


@dataclass(frozen=True)
class PlannedHandoff:
    reason: str
    note: dict[str, Any]
    ticket_number: str | None
    priority: int
    due_at: datetime


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason)


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome or "", outcome or "")


def plan_handoff(
    session: Session, raw: dict[str, Any], profile: ShopProfile, now: datetime
) -> PlannedHandoff:
    """The handoff record for the bot's payload, completed from the order store."""
    reason = str(raw.get("reason") or "shopper_request")[:32]
    ticket_number = str(raw["ticket"])[:16] if raw.get("ticket") else None
    ticket = conversations.ticket_by_number(session, ticket_number) if ticket_number else None
    priority = int(ticket.priority) if ticket is not None else (1 if reason == "identity" else 2)
    due_at = ticket.due_at if ticket is not None else profile.ticket_due_at(now, priority)
    confidence = raw.get("confidence")
    note: dict[str, Any] = {
        "reason": reason,
        "reason_label": reason_label(reason),
        "intent": raw.get("intent"),
        "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
        "verified": bool(raw.get("verified")),
        "ticket": ticket_number,
        "order": None,
        "decision": _decision(raw.get("decision")),
    }
    number = raw.get("order_number")
    if number:
        order = conversations.order_for_agent(session, str(number))
        note["order"] = {
            "number": str(number),
            "found": order is not None,
            "status": order.status.value if order is not None else None,
            "status_label": STATUS_NAMES.get(order.status.value) if order is not None else None,
            "total": format_amount(order.total_cents) if order is not None else None,
        }
    return PlannedHandoff(reason, note, ticket_number, priority, due_at)


def _decision(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    found = raw.get("clause")
    clause: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "topic": raw.get("topic"),
        "outcome": raw.get("outcome"),
        "reason_code": raw.get("reason_code"),
        "clause": clause.get("text"),
        "rule": clause.get("rule"),
        "needs_human": bool(raw.get("needs_human")),
    }


def shopper_notice(
    profile: ShopProfile, now: datetime, ticket_number: str | None, due_at: datetime
) -> str:
    """What the shopper reads once the bot handed over, depending on the opening hours."""
    if profile.is_open(now):
        if ticket_number:
            return say("handoff.agent_coming_with_ticket", ticket_number=ticket_number)
        return say("handoff.agent_coming")
    hours = opening_hours(profile)
    due = format_datetime(due_at, profile)
    if ticket_number:
        return say(
            "handoff.shop_closed_with_ticket", hours=hours, ticket_number=ticket_number, due=due
        )
    return say("handoff.shop_closed", hours=hours, due=due)


def rasa_down_notice(profile: ShopProfile) -> str:
    """Said once when the bot cannot be reached: the desk relays the message itself later."""
    return say("handoff.bot_down", phone=profile.contact.phone)


def bot_unavailable_notice(profile: ShopProfile, now: datetime, due_at: datetime) -> str:
    """The bot stayed away too long: a person takes the conversation."""
    if profile.is_open(now):
        return say("handoff.bot_still_down")
    return say(
        "handoff.bot_still_down_shop_closed",
        hours=opening_hours(profile),
        due=format_datetime(due_at, profile),
    )


def agent_joined_notice(display_name: str) -> str:
    return say("handoff.agent_joined", agent=display_name)


HANDED_BACK_NOTICE = say("handoff.handed_back")
CLOSED_NOTICE = say("handoff.closed")
