"""What the rules read of an order or a promo code: frozen plain data, not the store's rows.

The rules decide on values (``decide_cancellation(order, profile, now)``); they never see a
session, a lazy relationship or a column. The views are built here, in one place, from anything
that has the store's attribute names (a row of ``shop.store.models`` when the assistant reads
the store, a row built in memory in a test), so this module imports nothing of the store and
the import contract (``.importlinter``) keeps the rules away from it. The field names are the
store's, so a rule reads ``order.shipments`` or ``line.shipment`` on either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shop.kinds import OrderStatus, PaymentMethod, ProductKind, PromoKind


@dataclass(frozen=True)
class ShipmentView:
    id: int | None
    carrier: str
    tracking_number: str
    destination_country: str | None
    shipped_at: datetime
    delivered_at: datetime | None
    lines: tuple[LineView, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class LineView:
    id: int | None
    title: str
    kind: ProductKind
    size: str | None
    engraved: bool
    made_to_measure: bool
    shipment: ShipmentView | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class OrderView:
    number: str
    status: OrderStatus
    payment_method: PaymentMethod
    placed_at: datetime
    status_changed_at: datetime
    total_cents: int
    carrier: str
    lines: tuple[LineView, ...]
    shipments: tuple[ShipmentView, ...]


@dataclass(frozen=True)
class CustomerView:
    id: int | None


@dataclass(frozen=True)
class PromoUseView:
    customer_id: int | None


@dataclass(frozen=True)
class PromoCodeView:
    code: str
    kind: PromoKind
    value: int
    valid_from: datetime
    valid_until: datetime
    min_basket_cents: int | None
    single_use: bool
    customer_id: int | None  # a nominative code's owner
    applies_to_discounted: bool
    active: bool
    uses: tuple[PromoUseView, ...]


def order_view(order: Any) -> OrderView:
    """The order as the rules read it, its lines and parcels pointing at each other."""
    if isinstance(order, OrderView):
        return order
    shipments = {id(row): _shipment_view(row) for row in order.shipments}
    lines = {id(row): _line_view(row, shipments) for row in order.lines}
    for row in order.shipments:
        # Each parcel lists the order's lines it carries, in its own order, as the same views.
        carried = tuple(lines[id(line)] for line in row.lines if id(line) in lines)
        object.__setattr__(shipments[id(row)], "lines", carried)
    return OrderView(
        number=order.number,
        status=OrderStatus(order.status),
        payment_method=PaymentMethod(order.payment_method),
        placed_at=order.placed_at,
        status_changed_at=order.status_changed_at,
        total_cents=order.total_cents,
        carrier=order.carrier,
        lines=tuple(lines.values()),
        shipments=tuple(shipments.values()),
    )


def line_view(order: Any, view: OrderView, line: Any) -> LineView:
    """The view of ``line``, one of ``order``'s lines, inside ``view`` (the order's view)."""
    if isinstance(line, LineView):
        return line
    for row, line_in_view in zip(order.lines, view.lines, strict=True):
        if row is line:
            return line_in_view
    return _line_view(line, {})


def _shipment_view(row: Any) -> ShipmentView:
    return ShipmentView(
        id=row.id,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        destination_country=row.destination_country,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
    )


def _line_view(row: Any, shipments: dict[int, ShipmentView]) -> LineView:
    shipment = None
    if row.shipment is not None:
        shipment = shipments.get(id(row.shipment)) or _shipment_view(row.shipment)
    return LineView(
        id=row.id,
        title=row.title,
        kind=ProductKind(row.kind),
        size=row.size,
        engraved=bool(row.engraved),
        made_to_measure=bool(row.made_to_measure),
        shipment=shipment,
    )


def promo_code_view(promo: Any) -> PromoCodeView:
    if isinstance(promo, PromoCodeView):
        return promo
    return PromoCodeView(
        code=promo.code,
        kind=PromoKind(promo.kind),
        value=promo.value,
        valid_from=promo.valid_from,
        valid_until=promo.valid_until,
        min_basket_cents=promo.min_basket_cents,
        single_use=bool(promo.single_use),
        customer_id=promo.customer_id,
        applies_to_discounted=bool(promo.applies_to_discounted),
        active=bool(promo.active),
        uses=tuple(PromoUseView(use.customer_id) for use in promo.uses),
    )
