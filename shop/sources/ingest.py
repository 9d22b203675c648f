"""The one way a platform's order enters the store: upserted, idempotent and in order.

An order is found by its platform and the platform's id. An event older than what the store
holds (by the platform's own update time) changes nothing and says ``stale``; the same event
twice changes nothing and says ``unchanged``. Lines and parcels are matched by the platform's
ids. A status no mapping knows is never guessed: the order keeps its raw status, flagged
``status_unknown``, and its store status stays the last known one (for a new order, only what
its facts prove: delivered or shipped parcels, a cancellation, else being processed).

A cancellation made here and still waiting in the outbox (``platform_requests``) is not undone
by a newer event that does not know of it yet (paid, being prepared, an edited address): the
order stays cancelled here, the rest of the event applies, and the waiting request says so.
An event showing the order shipped wins instead (the parcel left: the platform can no longer
cancel it), and the request is refused without being sent, for an agent to take (the outbox
opens the ticket). The caller owns the transaction: everything is flushed, nothing is
committed here.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.kinds import OrderStatus
from shop.sources.record import (
    Platform,
    SourceError,
    SourceFulfilment,
    SourceOrder,
    SourceShipment,
)
from shop.store import platform_requests, repository
from shop.store.models import Customer, Order, OrderLine, Shipment
from shop.store.platform_requests import PlatformRequest, RequestState

LOG = logging.getLogger(__name__)

# The platform's statuses that say the parcel left: a cancellation can no longer happen.
PAST_CANCELLATION = {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED}

# After a parcel event: (current raw status, every line shipped, every parcel delivered) →
# the platform's status key and its store status, or None to leave the status alone.
Restatus = Callable[[str | None, bool, bool], "tuple[str, OrderStatus | None] | None"]


class Outcome(str, enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"


@dataclass(frozen=True)
class IngestResult:
    """What one event did to the store, for the caller's report and log."""

    outcome: Outcome
    platform: Platform
    platform_order_id: str
    number: str | None
    status: str | None = None
    raw_status: str | None = None
    status_unknown: bool = False
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        name = self.number or self.platform_order_id
        line = f"{self.platform.value} order {name}: {self.outcome.value}"
        if self.status_unknown:
            line += f"; status {self.raw_status!r} has no mapping: kept as is and flagged"
        return "; ".join([line, *self.notes])


def find_source_order(session: Session, platform: Platform, platform_order_id: str) -> Order | None:
    statement = (
        select(Order)
        .where(Order.platform == platform.value)
        .where(Order.platform_order_id == str(platform_order_id))
    )
    return session.execute(statement).scalar_one_or_none()


def ingest_order(session: Session, record: SourceOrder) -> IngestResult:
    """Create or update the order ``record`` describes, unless the store holds a newer one."""
    order = find_source_order(session, record.platform, record.platform_order_id)
    if order is not None and _older(record.updated_at, order.source_updated_at):
        return _result(Outcome.STALE, record, order)
    _refuse_number_of_another_order(session, record, order)
    before = _snapshot(order) if order is not None else None
    created = order is None
    waiting = (
        platform_requests.pending_cancellation(session, order.id) if order is not None else None
    )
    cancelled_here = (order.status, order.status_changed_at, order.cancelled_at) if order else None
    customer = _customer(session, record)
    promo = next(
        (p for d in record.discounts if (p := repository.find_promo_code(session, d.code))), None
    )
    with session.no_autoflush:
        if order is None:
            order = Order(
                platform=record.platform.value, platform_order_id=record.platform_order_id
            )
            session.add(order)
        order.customer = customer
        order.promo_code = promo
        _apply_order(order, record, created)
        _apply_lines(order, record)
        for shipment in record.shipments:
            _apply_shipment(order, shipment)
        kept = {s.platform_shipment_id for s in record.shipments}
        for stored in list(order.shipments):
            if stored.platform_shipment_id not in kept:
                for line in list(stored.lines):
                    line.shipment = None
                order.shipments.remove(stored)
        notes: tuple[str, ...] = ()
        if waiting is not None and record.status != OrderStatus.CANCELLED:
            shipped = bool(record.shipments) or record.status in PAST_CANCELLATION
            if shipped:
                notes = _give_up_cancellation(order, waiting, record.raw_status, record.updated_at)
            else:
                assert cancelled_here is not None
                order.status, order.status_changed_at, order.cancelled_at = cancelled_here
                notes = _keep_cancellation(waiting, record.raw_status, record.updated_at)
    session.flush()
    if created:
        outcome = Outcome.CREATED
    else:
        outcome = Outcome.UNCHANGED if _snapshot(order) == before else Outcome.UPDATED
    result = _result(outcome, record, order, notes)
    if result.status_unknown:
        LOG.warning("%s", result.describe())
    return result


def ingest_fulfilment(
    session: Session, event: SourceFulfilment, restatus: Restatus | None = None
) -> IngestResult:
    """Apply one parcel event to an order already in the store (``SourceError`` if it is not).

    ``restatus`` gives the platform's status key once the parcels changed (Shopify's order
    moves to shipped or delivered with its fulfilments); the order's status follows it."""
    order = find_source_order(session, event.platform, event.platform_order_id)
    if order is None:
        raise SourceError(
            f"{event.platform.value} order {event.platform_order_id} is not in the store yet: "
            "its parcel event cannot be applied before the order"
        )
    notes: tuple[str, ...] = (event.note,) if event.note else ()
    shipment = event.shipment
    if shipment is None:
        return _stored_result(Outcome.UNCHANGED, event.platform, order, notes)
    stored = _stored_shipment(order, shipment.platform_shipment_id)
    if stored is not None and _older(shipment.updated_at, stored.source_updated_at):
        return _stored_result(Outcome.STALE, event.platform, order, notes)
    before = _snapshot(order)
    _apply_shipment(order, shipment)
    session.flush()
    if restatus is not None:
        every_line_shipped = bool(order.lines) and all(line.shipment for line in order.lines)
        every_delivered = bool(order.shipments) and all(s.delivered_at for s in order.shipments)
        moved = restatus(order.source_status, every_line_shipped, every_delivered)
        if moved is not None and moved[0] != order.source_status:
            _set_status(order, moved[0], moved[1], shipment.updated_at, created=False)
        session.flush()
    waiting = platform_requests.pending_cancellation(session, order.id)
    if waiting is not None:  # a parcel left: the cancellation can no longer happen
        raw = order.source_status or "a parcel shipped"
        notes += _give_up_cancellation(order, waiting, raw, shipment.updated_at)
        session.flush()
    outcome = Outcome.UNCHANGED if _snapshot(order) == before else Outcome.UPDATED
    return _stored_result(outcome, event.platform, order, notes)


def _older(event_time: datetime, stored_time: datetime | None) -> bool:
    return stored_time is not None and event_time < stored_time


def _refuse_number_of_another_order(
    session: Session, record: SourceOrder, order: Order | None
) -> None:
    holder = session.execute(
        select(Order).where(Order.number == record.number)
    ).scalar_one_or_none()
    if holder is not None and holder is not order:
        origin = (
            f"{holder.platform} order {holder.platform_order_id}"
            if holder.platform
            else ("an order made in this store (demo data?)")
        )
        raise SourceError(f"order number {record.number} already belongs to {origin}")


def _customer(session: Session, record: SourceOrder) -> Customer:
    given = record.customer
    customer = repository.find_customer_by_email(session, given.email)
    if customer is None:
        customer = Customer(email=given.email, first_name="", last_name="", loyalty_points=0)
        session.add(customer)
    for name in ("first_name", "last_name", "postal_code"):
        value = getattr(given, name)
        if value and getattr(customer, name) != value:
            setattr(customer, name, value)
    return customer


def _apply_order(order: Order, record: SourceOrder, created: bool) -> None:
    order.number = record.number
    order.reference = record.reference
    order.placed_at = record.created_at
    order.payment_method = record.payment_method
    order.source_payment_method = record.raw_payment_method
    order.total_cents = record.total_cents
    order.shipping_cents = record.shipping_cents
    order.shipping_country = record.shipping_country
    order.carrier = record.carrier
    discounts = [d.dict() for d in record.discounts]
    order.discounts = discounts or None
    status = record.status if record.status is not None else _proven_status(order, record)
    if record.status is None and not created:
        status = OrderStatus(order.status)
    _set_status(order, record.raw_status, status, record.updated_at, created, record.status is None)
    if OrderStatus(order.status) == OrderStatus.CANCELLED:
        order.cancelled_at = record.cancelled_at or order.cancelled_at or record.updated_at
    else:
        order.cancelled_at = None
    if order.source_updated_at is None or record.updated_at > order.source_updated_at:
        order.source_updated_at = record.updated_at


def _set_status(
    order: Order,
    raw: str,
    status: OrderStatus | None,
    at: datetime,
    created: bool,
    unknown: bool | None = None,
) -> None:
    order.source_status = raw
    order.status_unknown = status is None if unknown is None else unknown
    if status is None:
        return
    if created or OrderStatus(order.status) != status:
        order.status = status
        order.status_changed_at = at


def _proven_status(order: Order, record: SourceOrder) -> OrderStatus:
    """For a new order whose status no mapping knows: only what its facts prove."""
    if record.shipments and all(s.delivered_at for s in record.shipments):
        return OrderStatus.DELIVERED
    if record.shipments:
        return OrderStatus.SHIPPED
    if record.cancelled_at is not None:
        return OrderStatus.CANCELLED
    return OrderStatus.BEING_PROCESSED


def _apply_lines(order: Order, record: SourceOrder) -> None:
    stored = {line.platform_line_id: line for line in order.lines}
    wanted = {line.platform_line_id for line in record.lines}
    for line in list(order.lines):
        if line.platform_line_id not in wanted:
            order.lines.remove(line)
    for given in record.lines:
        line = stored.get(given.platform_line_id)
        if line is None:
            line = OrderLine(platform_line_id=given.platform_line_id)
            order.lines.append(line)
        for name in (
            "sku",
            "title",
            "kind",
            "size",
            "quantity",
            "unit_price_cents",
            "engraved",
            "made_to_measure",
            "discounted",
        ):
            value = getattr(given, name)
            if getattr(line, name) != value:
                setattr(line, name, value)


def _stored_shipment(order: Order, platform_shipment_id: str) -> Shipment | None:
    return next(
        (s for s in order.shipments if s.platform_shipment_id == platform_shipment_id), None
    )


def _apply_shipment(order: Order, given: SourceShipment) -> None:
    """One parcel: its first shipping date and its delivery stay once known; a parcel event
    older than the one stored is ignored."""
    stored = _stored_shipment(order, given.platform_shipment_id)
    if stored is not None and _older(given.updated_at, stored.source_updated_at):
        return
    if stored is None:
        stored = Shipment(
            platform_shipment_id=given.platform_shipment_id,
            shipped_at=given.shipped_at,
            destination_country=order.shipping_country or "FR",
        )
        order.shipments.append(stored)
    stored.carrier = given.carrier
    stored.tracking_number = given.tracking_number
    if stored.destination_country != (order.shipping_country or "FR"):
        stored.destination_country = order.shipping_country or "FR"
    if given.delivered_at is not None and stored.delivered_at is None:
        stored.delivered_at = given.delivered_at
    if stored.source_updated_at is None or given.updated_at > stored.source_updated_at:
        stored.source_updated_at = given.updated_at
    in_parcel = set(given.line_ids)
    for line in order.lines:
        belongs = (not in_parcel and line.shipment is None) or line.platform_line_id in in_parcel
        if belongs and line.shipment is not stored:
            line.shipment = stored


def _keep_cancellation(waiting: PlatformRequest, raw: str, at: datetime) -> tuple[str, ...]:
    """The platform's newer event does not know of the cancellation yet: the order stays
    cancelled here until the outbox's request reaches the platform."""
    waiting.note = (
        f"the platform changed the order at {at.isoformat()} (its status: {raw}) before this "
        "cancellation reached it: kept cancelled here until the platform confirms"
    )
    return (
        f"kept cancelled here: the cancellation requested at {_when(waiting)} waits in the outbox",
    )


def _give_up_cancellation(
    order: Order, waiting: PlatformRequest, raw: str, at: datetime
) -> tuple[str, ...]:
    """The parcel left before the cancellation reached the platform: the order follows the
    platform, and the request is refused unsent, for an agent (stop the parcel, or a return)."""
    waiting.state = RequestState.REFUSED.value
    waiting.finished_at = at
    waiting.note = None  # no ticket yet: the outbox opens it
    waiting.last_error = (
        f"the platform shipped the order (its status: {raw}) before this cancellation reached "
        "it: not sent; an agent decides (stop the parcel, or a return)"
    )
    if OrderStatus(order.status) != OrderStatus.CANCELLED:
        order.cancelled_at = None
    return (
        f"the cancellation requested at {_when(waiting)} was not sent: the platform "
        "shipped the order first; an agent takes it",
    )


def _when(request: PlatformRequest) -> str:
    return str(request.created_at.isoformat()) if request.created_at else "an unknown time"


def _snapshot(order: Order) -> Any:
    """Every stored value of the order, its customer, lines and parcels, to tell a change."""

    def columns(row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, column.key) for column in row.__table__.columns)

    return (
        columns(order),
        columns(order.customer),
        tuple(sorted((columns(line) for line in order.lines), key=repr)),
        tuple(sorted((columns(s) for s in order.shipments), key=repr)),
    )


def _result(
    outcome: Outcome, record: SourceOrder, order: Order, notes: tuple[str, ...] = ()
) -> IngestResult:
    return IngestResult(
        outcome=outcome,
        platform=record.platform,
        platform_order_id=record.platform_order_id,
        number=order.number,
        status=OrderStatus(order.status).value if order.status else None,
        raw_status=record.raw_status,
        status_unknown=record.status is None and outcome != Outcome.STALE,
        notes=record.notes + notes,
    )


def _stored_result(
    outcome: Outcome, platform: Platform, order: Order, notes: tuple[str, ...]
) -> IngestResult:
    return IngestResult(
        outcome=outcome,
        platform=platform,
        platform_order_id=order.platform_order_id,
        number=order.number,
        status=OrderStatus(order.status).value,
        raw_status=order.source_status,
        status_unknown=bool(order.status_unknown),
        notes=notes,
    )
