"""What the store owes the shop's platform, and where it last read it.

When the bot cancels an order (or opens a return) that came from the shop's platform, the
platform must hear of it too. The request is written here, in the transaction of the local
change, so the two are stored together or not at all; ``shop.sources.outbox`` sends it later,
retrying until the platform confirms. A request the platform refuses for good is kept, with
its reason, for an agent. ``source_checkpoints`` holds how far polling has read a platform.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Session, relationship

from shop.clock import require_aware
from shop.store.models import Base, Order, UTCDateTime


class RequestKind(str, enum.Enum):
    CANCEL = "cancel"
    RETURN = "return"


class RequestState(str, enum.Enum):
    PENDING = "pending"  # to send, at next_attempt_at
    CONFIRMED = "confirmed"  # the platform said yes (or had already done it)
    REFUSED = "refused"  # the platform said no for good: an agent takes it


FINISHED_STATES = (RequestState.CONFIRMED.value, RequestState.REFUSED.value)


class PlatformRequest(Base):
    """One change the platform must make to one of its orders (the outbox)."""

    __tablename__ = "platform_requests"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    kind = Column(String(16), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    platform = Column(String(16), nullable=False)
    platform_order_id = Column(String(64), nullable=False)
    details = Column(JSON, nullable=False, default=dict)
    state = Column(String(16), nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(UTCDateTime, nullable=False)
    next_attempt_at = Column(UTCDateTime, nullable=False)  # also the lease of a claimed request
    finished_at = Column(UTCDateTime, nullable=True)
    last_error = Column(Text, nullable=True)  # the last failure, or the refusal's reason
    note = Column(Text, nullable=True)  # how it ended ("already cancelled on the platform")

    order = relationship("Order")


class SourceCheckpoint(Base):
    """How far a platform's orders have been read (the platform's own last-change time)."""

    __tablename__ = "source_checkpoints"

    name = Column(String(48), primary_key=True)  # "prestashop:orders"
    value = Column(String(64), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


def request_for(
    session: Session,
    order: Order,
    kind: RequestKind,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> PlatformRequest | None:
    """Queue ``kind`` for ``order``'s platform in the caller's transaction; None when the order
    was made here (no platform to tell)."""
    if not order.platform or not order.platform_order_id:
        return None
    instant = require_aware(now, "now")
    request = PlatformRequest(
        idempotency_key=uuid.uuid4().hex,
        kind=kind.value,
        order_id=order.id,
        platform=order.platform,
        platform_order_id=order.platform_order_id,
        details=dict(details or {}),
        state=RequestState.PENDING.value,
        attempts=0,
        created_at=instant,
        next_attempt_at=instant,
    )
    session.add(request)
    session.flush()
    return request


def due_request_ids(session: Session, now: datetime, limit: int = 50) -> list[int]:
    statement = (
        select(PlatformRequest.id)
        .where(PlatformRequest.state == RequestState.PENDING.value)
        .where(PlatformRequest.next_attempt_at <= require_aware(now, "now"))
        .order_by(PlatformRequest.next_attempt_at, PlatformRequest.id)
        .limit(limit)
    )
    return list(session.execute(statement).scalars())


def claim(session: Session, request_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take one due request for ``lease_until`` (a conditional UPDATE: two senders never hold
    the same request; one that dies leaves it due again when the lease ends)."""
    statement = (
        update(PlatformRequest)
        .where(PlatformRequest.id == request_id)
        .where(PlatformRequest.state == RequestState.PENDING.value)
        .where(PlatformRequest.next_attempt_at <= now)
        .values(next_attempt_at=lease_until, attempts=PlatformRequest.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def requests_for_order(session: Session, order_id: int) -> list[PlatformRequest]:
    statement = (
        select(PlatformRequest)
        .where(PlatformRequest.order_id == order_id)
        .order_by(PlatformRequest.id)
    )
    return list(session.execute(statement).scalars())


def pending_cancellation(session: Session, order_id: int) -> PlatformRequest | None:
    """The order's cancellation still on its way to the platform, if any."""
    statement = (
        select(PlatformRequest)
        .where(PlatformRequest.order_id == order_id)
        .where(PlatformRequest.kind == RequestKind.CANCEL.value)
        .where(PlatformRequest.state == RequestState.PENDING.value)
        .order_by(PlatformRequest.id)
        .limit(1)
    )
    return session.execute(statement).scalar_one_or_none()


def refused_without_ticket_ids(session: Session, limit: int = 50) -> list[int]:
    """Refused requests no agent has a ticket for yet (``note`` is then empty): those the
    store itself gave up on (``shop.sources.ingest``: the platform shipped the order first)."""
    statement = (
        select(PlatformRequest.id)
        .where(PlatformRequest.state == RequestState.REFUSED.value)
        .where(PlatformRequest.note.is_(None))
        .order_by(PlatformRequest.id)
        .limit(limit)
    )
    return list(session.execute(statement).scalars())


def claim_refusal(session: Session, request_id: int) -> bool:
    """Take a refused request without a ticket to open its ticket (one taker only)."""
    statement = (
        update(PlatformRequest)
        .where(PlatformRequest.id == request_id)
        .where(PlatformRequest.state == RequestState.REFUSED.value)
        .where(PlatformRequest.note.is_(None))
        .values(note="ticket being opened")
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def read_checkpoint(session: Session, name: str) -> str | None:
    row = session.get(SourceCheckpoint, name)
    return None if row is None else str(row.value)


def write_checkpoint(session: Session, name: str, value: str, now: datetime) -> None:
    row = session.get(SourceCheckpoint, name)
    if row is None:
        session.add(SourceCheckpoint(name=name, value=value, updated_at=require_aware(now, "now")))
    else:
        row.value = value
        row.updated_at = require_aware(now, "now")
    session.flush()
