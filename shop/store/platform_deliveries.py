"""Webhook deliveries from the shop's platform, kept until they are applied: the durable queue.

The desk writes each signed delivery here before it answers the platform, so an order event
the platform considers delivered is never lost to a desk that stops right after; a worker then
applies it to the order store (``shop.sources.deliveries``). The platform's delivery id is
unique per platform: the same delivery sent again is recognised and applied once. A delivery
that cannot be applied stays, with its reason; an applied one drops its body (the order store
holds what it said, and the body is personal data: names, addresses, e-mails). The retention
job (``shop.privacy.retention``) deletes applied and failed deliveries once the retention period
has passed, and a shopper's erasure (``shop.privacy.subject``) deletes theirs at once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    Column,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from shop.clock import require_aware
from shop.store.models import Base, UTCDateTime


class DeliveryState(str, enum.Enum):
    PENDING = "pending"  # to apply at next_attempt_at (also the lease of a claimed one)
    APPLIED = "applied"  # in the order store (outcome says how)
    FAILED = "failed"  # can never apply: kept with its reason for a person to read


class PlatformDelivery(Base):
    """One webhook delivery: the platform's topic and body, and what became of it."""

    __tablename__ = "platform_deliveries"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_id", name="uq_platform_deliveries_delivery"),
        Index("ix_platform_deliveries_state_due", "state", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True)
    platform = Column(String(16), nullable=False)
    delivery_id = Column(String(128), nullable=False)  # X-Shopify-Webhook-Id, X-WC-…-Delivery-ID
    topic = Column(String(64), nullable=False)  # orders/updated, order.created…
    source = Column(String(255), nullable=True)  # the shop's domain as the platform names it
    platform_order_id = Column(String(64), nullable=True)
    body = Column(Text, nullable=True)  # the raw JSON; None once applied
    received_at = Column(UTCDateTime, nullable=False)
    state = Column(String(16), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False)
    claim_token = Column(String(32), nullable=True)  # who holds it until next_attempt_at
    applied_at = Column(UTCDateTime, nullable=True)
    outcome = Column(String(16), nullable=True)  # created, updated, unchanged, stale
    last_error = Column(Text, nullable=True)  # the last failure, or why it can never apply


FINISHED_STATES = (DeliveryState.APPLIED.value, DeliveryState.FAILED.value)


def delete_finished_before(session: Session, cutoff: datetime) -> int:
    """Delete the applied and failed deliveries received before ``cutoff`` (a failed one still
    holds the platform's body); pending ones are still being applied and stay."""
    result = session.execute(
        delete(PlatformDelivery)
        .where(PlatformDelivery.state.in_(FINISHED_STATES))
        .where(PlatformDelivery.received_at < require_aware(cutoff, "cutoff"))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def deliveries_about(
    session: Session, email: str, platform_orders: Iterable[tuple[str, str]]
) -> list[PlatformDelivery]:
    """The deliveries about one shopper: those of their platform orders (platform, platform's
    order id), and any whose body names their e-mail (one that never became an order too).
    ``email`` is already lower case."""
    about = [func.lower(PlatformDelivery.body).contains(email, autoescape=True)]
    about += [
        and_(PlatformDelivery.platform == platform, PlatformDelivery.platform_order_id == order)
        for platform, order in platform_orders
    ]
    statement = select(PlatformDelivery).where(or_(*about)).order_by(PlatformDelivery.id)
    return list(session.execute(statement).scalars())
