"""Every query of the order store, in one place, written as ``select()`` statements.

Actions and the desk call these functions and get back fully loaded model objects that stay
readable once the session is closed, so the policy engine can work on them without SQL.
Identity is checked here: an order is only returned for its number *and* its customer's email,
and the answer for a wrong pair is the same as for an unknown number.
"""

from __future__ import annotations

import re
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Mapping, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql import Select

from shop import order_numbers
from shop.clock import require_aware
from shop.store import platform_requests
from shop.store.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PromoCode,
    Shipment,
    Ticket,
    TicketStatus,
)
from shop.store.platform_requests import RequestKind

TICKET_PREFIX = "SAV"

# Statuses in which nothing has left the warehouse yet: the only ones the store will cancel.
CANCELLABLE_STATUSES: frozenset[OrderStatus] = frozenset(
    {
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAYMENT_AUTHORISED,
        OrderStatus.BEING_PROCESSED,
        OrderStatus.BEING_PREPARED,
        OrderStatus.READY_TO_SHIP,
    }
)

_TICKET_NUMBER = re.compile(rf"^\s*(?:{TICKET_PREFIX})?\s*[-\s]?\s*0*(\d{{1,9}})\s*$", re.I)


class DecisionClause(Protocol):
    @property
    def text(self) -> str: ...


class DecisionRecord(Protocol):
    """What a ticket keeps of the policy's decision (``shop.policy.decision.Decision``).

    Written as a protocol so the store, below the policy, never imports it.
    """

    @property
    def outcome(self) -> str: ...

    @property
    def reason_code(self) -> str: ...

    @property
    def clause(self) -> DecisionClause: ...

    def as_dict(self) -> dict[str, Any]: ...


class StoreError(Exception):
    """A change the store refuses because the data no longer allows it."""


def normalise_email(text: str | None) -> str | None:
    """Trimmed, lower-case email, or None when there is nothing that looks like one."""
    if not text:
        return None
    email = text.strip().lower()
    if "@" not in email or any(char.isspace() for char in email):
        return None
    return email


def normalise_promo_code(text: str | None) -> str | None:
    """Upper-case code without spaces ("bienvenue 10" -> "BIENVENUE10"), or None if empty."""
    if not text:
        return None
    code = re.sub(r"\s+", "", text).upper()
    return code or None


def _order_loading_options() -> list[Any]:
    return [
        joinedload(Order.customer),
        joinedload(Order.promo_code),
        selectinload(Order.lines).joinedload(OrderLine.shipment),
        selectinload(Order.lines).joinedload(OrderLine.order),
        selectinload(Order.shipments).selectinload(Shipment.lines),
        selectinload(Order.shipments).joinedload(Shipment.order),
    ]


def find_order(session: Session, number: str | None, email: str | None) -> Order | None:
    """The order with this number whose customer has this email, fully loaded; else None.

    A wrong email and an unknown number give the same answer (None), on purpose.
    """
    statement = _order_of_pair(select(Order), number, email)
    if statement is None:
        return None
    statement = statement.options(*_order_loading_options())
    return session.execute(statement).unique().scalar_one_or_none()


def order_exists(session: Session, number: str | None, email: str | None) -> bool:
    """Whether ``find_order`` finds an order, in one statement that loads nothing (the
    identity check: the full order is three statements and every line and shipment)."""
    statement = _order_of_pair(select(Order.id), number, email)
    return statement is not None and session.execute(statement).first() is not None


def _order_of_pair(statement: Select, number: str | None, email: str | None) -> Select | None:
    """``statement`` narrowed to the order with this number whose customer has this e-mail
    (None: either is unreadable)."""
    normalised_number = order_numbers.read_any(number)
    normalised_email = normalise_email(email)
    if normalised_number is None or normalised_email is None:
        return None
    return (
        statement.join(Order.customer)
        .where(Order.number == normalised_number)
        .where(func.lower(Customer.email) == normalised_email)
    )


def find_order_by_postal_code(
    session: Session, number: str | None, postal_code: str | None
) -> Order | None:
    """Same as ``find_order`` with the customer's postal code as the second proof of identity."""
    normalised_number = order_numbers.read_any(number)
    code = re.sub(r"\s+", "", postal_code or "").upper()
    if normalised_number is None or not code:
        return None
    statement = (
        select(Order)
        .join(Order.customer)
        .where(Order.number == normalised_number)
        .where(func.upper(func.replace(Customer.postal_code, " ", "")) == code)
        .options(*_order_loading_options())
    )
    return session.execute(statement).unique().scalar_one_or_none()


def cancel_order(session: Session, order: Order, now: datetime) -> Order:
    """Mark the order cancelled; raise ``StoreError`` if it is already cancelled or shipped.

    The policy engine decides whether a cancellation is allowed; this is the last guard, done
    as one conditional UPDATE so two processes can never cancel (or cancel a shipped) order twice.
    Works with an order loaded in another session; returns the order as stored now. An order
    from the shop's platform also gets its cancellation request queued for the platform, in the
    same transaction (``platform_requests``): both are stored, or neither.
    """
    instant = require_aware(now, "now")
    if order.id is None:
        raise StoreError("cannot cancel an order that was never stored")
    statement = (
        update(Order)
        .where(Order.id == order.id)
        .where(Order.status.in_(CANCELLABLE_STATUSES))
        .where(~Order.shipments.any())
        .values(status=OrderStatus.CANCELLED, cancelled_at=instant, status_changed_at=instant)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(statement)
    current = session.get(Order, order.id, options=_order_loading_options(), populate_existing=True)
    if current is None:
        raise StoreError(f"order {order.number} does not exist any more")
    if result.rowcount != 1:
        if current.status == OrderStatus.CANCELLED:
            raise StoreError(f"order {current.number} is already cancelled")
        raise StoreError(
            f"order {current.number} cannot be cancelled in status {current.status.value}"
            + (" (a parcel has already been shipped)" if current.shipments else "")
        )
    platform_requests.request_for(session, current, RequestKind.CANCEL, instant)
    session.flush()
    return current


def find_promo_code(session: Session, code: str | None) -> PromoCode | None:
    """The promo code, whatever the case and spaces typed, with its uses and owner loaded."""
    normalised = normalise_promo_code(code)
    if normalised is None:
        return None
    statement = (
        select(PromoCode)
        .where(func.upper(PromoCode.code) == normalised)
        .options(selectinload(PromoCode.uses), joinedload(PromoCode.customer))
    )
    return session.execute(statement).unique().scalar_one_or_none()


def list_promo_codes(session: Session) -> list[str]:
    """Every known code, sorted (for "did you mean ...?" suggestions on typos)."""
    return list(session.execute(select(PromoCode.code).order_by(PromoCode.code)).scalars())


def all_promo_codes(session: Session) -> list[PromoCode]:
    """Every promo code with its uses (the policy suggests the closest valid one on a typo)."""
    statement = select(PromoCode).order_by(PromoCode.code).options(selectinload(PromoCode.uses))
    return list(session.execute(statement).scalars())


def find_customer_by_email(session: Session, email: str | None) -> Customer | None:
    normalised = normalise_email(email)
    if normalised is None:
        return None
    statement = select(Customer).where(func.lower(Customer.email) == normalised)
    return session.execute(statement).scalar_one_or_none()


def _json_safe(value: Any) -> Any:
    """Plain JSON data from facts that may hold datetimes, enums, decimals or dataclasses."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return _json_safe(value.value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return _json_safe(asdict(value))
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_json_safe(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return str(value)


def ticket_number_for(ticket_id: int) -> str:
    return f"{TICKET_PREFIX}-{ticket_id:06d}"


def open_ticket(
    session: Session,
    *,
    kind: str,
    now: datetime,
    due_at: datetime,
    facts: Mapping[str, Any],
    order: Order | None = None,
    customer: Customer | None = None,
    conversation_id: str | None = None,
    decision: DecisionRecord | None = None,
    priority: int = 2,
) -> Ticket:
    """Store a request a human must handle and give it its number (``SAV-000123``)."""
    created_at = require_aware(now, "now")
    due = require_aware(due_at, "due_at")
    if priority not in (1, 2, 3):
        raise ValueError("priority must be 1 (urgent), 2 (normal) or 3 (low)")
    if not kind:
        raise ValueError("a ticket needs a kind")
    stored_facts = dict(_json_safe(dict(facts)))
    if decision is not None:
        stored_facts["decision"] = _json_safe(decision.as_dict())
    customer_id = customer.id if customer is not None else None
    if customer_id is None and order is not None:
        customer_id = order.customer_id
    ticket = Ticket(
        kind=_json_safe(kind),
        order_id=order.id if order is not None else None,
        customer_id=customer_id,
        conversation_id=conversation_id,
        facts=stored_facts,
        outcome=_json_safe(decision.outcome) if decision is not None else None,
        reason_code=decision.reason_code if decision is not None else None,
        clause=decision.clause.text if decision is not None else None,
        priority=priority,
        status=TicketStatus.OPEN,
        created_at=created_at,
        due_at=due,
    )
    session.add(ticket)
    session.flush()
    ticket.number = ticket_number_for(ticket.id)
    session.flush()
    return ticket


def _ticket_loading_options() -> list[Any]:
    return [joinedload(Ticket.order), joinedload(Ticket.customer)]


def find_ticket(session: Session, number: str | None) -> Ticket | None:
    """The ticket by its number, typed loosely ("sav-123", "SAV 000123", "123")."""
    match = _TICKET_NUMBER.match(number or "")
    if match is None:
        return None
    statement = (
        select(Ticket)
        .where(Ticket.number == ticket_number_for(int(match.group(1))))
        .options(*_ticket_loading_options())
    )
    return session.execute(statement).unique().scalar_one_or_none()


def tickets_for_conversation(session: Session, conversation_id: str) -> list[Ticket]:
    """The tickets opened in one conversation, oldest first."""
    statement = (
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id)
        .order_by(Ticket.created_at, Ticket.id)
        .options(*_ticket_loading_options())
    )
    return list(session.execute(statement).unique().scalars())
