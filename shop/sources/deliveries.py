"""The durable queue of webhook deliveries: received once, applied once, never dropped.

``receive`` stores a checked delivery (the desk answers the platform only after it is
committed); the same delivery id again is recognised as a replay and stores nothing.
``apply_due`` is the worker's pass: each due delivery is claimed by a conditional UPDATE
(two desks sharing the database never hold the same one), then ingested, and marked applied in
the same transaction only while the claim is still its own, so a delivery is applied once even
when a slow worker's lease ran out. A failure is retried with a growing delay; a parcel event
that arrives before its order waits for it the same way. A delivery that can never apply (its
body no longer maps, its order number belongs to another order, or it failed every attempt)
is kept as ``failed`` with its reason.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shop.clock import Clock, SystemClock, require_aware
from shop.sources.ingest import find_source_order, ingest_fulfilment, ingest_order
from shop.sources.mappings import SourceSettings, mappings_for
from shop.sources.record import Platform, SourceError, SourceFulfilment
from shop.sources.shopify import restatus_with
from shop.sources.webhooks import read_event
from shop.store.db import session_scope
from shop.store.platform_deliveries import DeliveryState, PlatformDelivery

LOG = logging.getLogger(__name__)

FIRST_RETRY_S = 5.0
MAX_RETRY_S = 3600.0
MAX_ATTEMPTS = 16  # about seven hours of retries: longer than the platforms' own
LEASE_S = 60.0
ERROR_LENGTH = 1000

SettingsFor = Callable[[Platform], "SourceSettings | None"]


@dataclass(frozen=True)
class Received:
    id: int
    replayed: bool  # this delivery id was already in the queue: nothing stored


@dataclass(frozen=True)
class Applied:
    """What one claimed delivery became."""

    id: int
    state: DeliveryState
    outcome: str | None = None  # the ingest's outcome when applied
    error: str | None = None  # why it failed (retried when state is pending)


class _Retry(Exception):
    """A failure that may pass: the delivery is tried again later."""


def receive(
    sessions: sessionmaker,
    *,
    platform: Platform,
    delivery_id: str,
    topic: str,
    body: bytes,
    source: str | None,
    platform_order_id: str | None,
    now: datetime,
) -> Received:
    """Store a checked delivery, committed when this returns; a known delivery id stores
    nothing (also when another desk stored it a moment before)."""
    instant = require_aware(now, "now")
    key = delivery_id.strip()[:128]
    try:
        with session_scope(sessions) as session:
            known = _find(session, platform, key)
            if known is not None:
                return Received(known.id, replayed=True)
            row = PlatformDelivery(
                platform=platform.value,
                delivery_id=key,
                topic=topic[:64],
                source=(source or "")[:255] or None,
                platform_order_id=platform_order_id,
                body=body.decode("utf-8"),
                received_at=instant,
                state=DeliveryState.PENDING.value,
                attempts=0,
                next_attempt_at=instant,
            )
            session.add(row)
            session.flush()
            return Received(row.id, replayed=False)
    except IntegrityError:
        with session_scope(sessions) as session:
            known = _find(session, platform, key)
            if known is None:
                raise
            return Received(known.id, replayed=True)


def _find(session: Session, platform: Platform, delivery_id: str) -> PlatformDelivery | None:
    statement = (
        select(PlatformDelivery)
        .where(PlatformDelivery.platform == platform.value)
        .where(PlatformDelivery.delivery_id == delivery_id)
    )
    return session.execute(statement).scalar_one_or_none()


def due_ids(session: Session, now: datetime, limit: int = 50) -> list[int]:
    """Pending deliveries whose time has come, oldest received first."""
    statement = (
        select(PlatformDelivery.id)
        .where(PlatformDelivery.state == DeliveryState.PENDING.value)
        .where(PlatformDelivery.next_attempt_at <= require_aware(now, "now"))
        .order_by(PlatformDelivery.received_at, PlatformDelivery.id)
        .limit(limit)
    )
    return list(session.execute(statement).scalars())


def claim(session: Session, row_id: int, now: datetime, lease_until: datetime, token: str) -> bool:
    """Take one due delivery until ``lease_until`` (a conditional UPDATE: one holder at a
    time; a holder that dies leaves it due again when the lease ends)."""
    statement = (
        update(PlatformDelivery)
        .where(PlatformDelivery.id == row_id)
        .where(PlatformDelivery.state == DeliveryState.PENDING.value)
        .where(PlatformDelivery.next_attempt_at <= require_aware(now, "now"))
        .values(
            next_attempt_at=require_aware(lease_until, "lease_until"),
            attempts=PlatformDelivery.attempts + 1,
            claim_token=token,
        )
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def retry_delay_s(attempts: int) -> float:
    """5 s after the first failure, doubling, at most an hour."""
    return min(FIRST_RETRY_S * 2 ** max(attempts - 1, 0), MAX_RETRY_S)


def apply_due(
    sessions: sessionmaker,
    settings_for: SettingsFor | None = None,
    clock: Clock | None = None,
    limit: int = 50,
) -> list[Applied]:
    """One pass of the worker: every due delivery this worker could claim, applied or
    rescheduled. Safe to run from several processes at once."""
    clock = clock or SystemClock()
    with session_scope(sessions) as session:
        ids = due_ids(session, clock.now(), limit)
    results = []
    for row_id in ids:
        result = apply_one(sessions, row_id, settings_for, clock)
        if result is not None:
            results.append(result)
    return results


def apply_one(
    sessions: sessionmaker,
    row_id: int,
    settings_for: SettingsFor | None = None,
    clock: Clock | None = None,
) -> Applied | None:
    """Claim and apply one delivery; None when it is not due or another worker holds it."""
    clock = clock or SystemClock()
    token = uuid.uuid4().hex
    now = clock.now()
    with session_scope(sessions) as session:
        if not claim(session, row_id, now, now + timedelta(seconds=LEASE_S), token):
            return None
    try:
        with session_scope(sessions) as session:
            outcome = _apply_claimed(session, row_id, token, settings_for, clock.now())
    except _Retry as error:
        return _failed(sessions, row_id, token, str(error), clock.now(), final=False)
    except SourceError as error:
        return _failed(sessions, row_id, token, str(error), clock.now(), final=True)
    except Exception as error:  # the store refused it, or went away: try again later
        reason = _without_parameters(error)
        LOG.warning("applying platform delivery %s failed: %s", row_id, reason)
        return _failed(sessions, row_id, token, reason, clock.now(), final=False)
    if outcome is None:  # the lease ran out and another worker took it over
        return None
    return Applied(row_id, DeliveryState.APPLIED, outcome=outcome)


def _without_parameters(error: Exception) -> str:
    """The failure without the statement's values (a customer's e-mail, say): the driver's
    own message for a database error."""
    cause: BaseException = error
    if isinstance(error, SQLAlchemyError) and getattr(error, "orig", None) is not None:
        cause = error.orig
    text = str(cause).splitlines()[0] if str(cause) else ""
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


def _apply_claimed(
    session: Session,
    row_id: int,
    token: str,
    settings_for: SettingsFor | None,
    now: datetime,
) -> str | None:
    row = session.get(PlatformDelivery, row_id)
    if row is None or row.claim_token != token or row.body is None:
        return None
    platform = Platform(row.platform)
    settings = settings_for(platform) if settings_for else None
    mappings = mappings_for(platform, settings)
    event = read_event(platform, row.topic, row.body, mappings)
    if isinstance(event, SourceFulfilment):
        if find_source_order(session, platform, event.platform_order_id) is None:
            raise _Retry(
                f"{platform.value} order {event.platform_order_id} is not in the store yet: "
                "its parcel event waits for the order"
            )
        restatus = restatus_with(mappings) if platform == Platform.SHOPIFY else None
        result = ingest_fulfilment(session, event, restatus)
    else:
        result = ingest_order(session, event)
    finished = session.execute(
        update(PlatformDelivery)
        .where(PlatformDelivery.id == row_id)
        .where(PlatformDelivery.claim_token == token)
        .where(PlatformDelivery.state == DeliveryState.PENDING.value)
        .values(
            state=DeliveryState.APPLIED.value,
            applied_at=require_aware(now, "now"),
            outcome=result.outcome.value,
            body=None,
            claim_token=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    if finished.rowcount != 1:
        session.rollback()  # another worker holds it now: this one changes nothing
        return None
    LOG.info("platform delivery %s applied: %s", row_id, result.describe())
    return result.outcome.value


def _failed(
    sessions: sessionmaker,
    row_id: int,
    token: str,
    reason: str,
    now: datetime,
    *,
    final: bool,
) -> Applied | None:
    reason = reason[:ERROR_LENGTH]
    with session_scope(sessions) as session:
        row = session.get(PlatformDelivery, row_id)
        if row is None or row.claim_token != token:
            return None
        if final or row.attempts >= MAX_ATTEMPTS:
            row.state = DeliveryState.FAILED.value
            row.next_attempt_at = now
            LOG.warning("platform delivery %s can never apply: %s", row_id, reason)
        else:
            row.next_attempt_at = now + timedelta(seconds=retry_delay_s(row.attempts))
        row.claim_token = None
        row.last_error = reason
        return Applied(row_id, DeliveryState(row.state), error=reason)
